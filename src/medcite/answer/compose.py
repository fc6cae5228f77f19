"""Assemble the Answer: sections in template order, references, abstention, disclaimer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from medcite.answer.extractive import BOTTOM_LINE, RESERVE
from medcite.answer.sections import drug_template, section_title, template
from medcite.types import Answer, Claim, Query, Reference, Section, VerificationSummary

# Sections that framing (framing.py) fills, after the template's own.
FRAMED_SECTIONS = ("described", "case_evidence")
ABSTENTION = (
    "medcite cannot answer this question from the indexed sources: "
    "the evidence it found does not address it."
)
DISCLAIMER = (
    "For information only; not medical advice. Every statement above was checked against the "
    "source it cites, which may be incomplete, outdated or about a different patient: read the "
    "quoted sources and use clinical judgement. Patients should discuss decisions with their "
    "clinician."
)


def compose(
    query: Query,
    claims: Sequence[Claim],
    references: Sequence[Reference],
    *,
    settings_hash: str,
    verification: VerificationSummary,
    timings: Mapping[str, float],
    abstain_reason: str | None = None,
    gaps: tuple[str, ...] = (),
) -> Answer:
    """The final Answer; abstains when asked to or when no bottom line survived."""
    bottom = tuple(c for c in claims if c.section == BOTTOM_LINE)
    if abstain_reason is None and not bottom:
        abstain_reason = "no statement of the evidence survived verification"
    if abstain_reason is not None:
        return _answer(query, (), (), (), settings_hash, verification, timings, abstain_reason)
    keys = (
        *drug_template(template(query.question_type, query.aspects), query.context),
        *FRAMED_SECTIONS,
    )
    sections = tuple(
        Section(key, section_title(key, query.context), in_section)
        for key in dict.fromkeys(keys)
        if (in_section := tuple(c for c in claims if c.section == key))
    )
    answer = _answer(
        query, bottom, sections, tuple(references), settings_hash, verification, timings, None
    )
    return replace(answer, gaps=gaps)


def settle_bottom_line(claims: Sequence[Claim]) -> list[Claim]:
    """The verified claims with the writer's reserve statements settled: when verification
    removed the whole bottom line, the first surviving reserve stands in for it (and leaves
    its section); every other reserve is dropped."""
    bottom = [c for c in claims if c.section == BOTTOM_LINE]
    reserve = [c for c in claims if c.section == RESERVE]
    kept = [c for c in claims if c.section != RESERVE]
    if bottom or not reserve:
        return kept
    lead = replace(reserve[0], section=BOTTOM_LINE)
    return [lead, *(c for c in kept if c.text != lead.text)]


def abstention(
    query: Query, reason: str, settings_hash: str, timings: Mapping[str, float]
) -> Answer:
    return _answer(query, (), (), (), settings_hash, VerificationSummary(), timings, reason)


def _answer(
    query: Query,
    bottom: tuple[Claim, ...],
    sections: tuple[Section, ...],
    references: tuple[Reference, ...],
    settings_hash: str,
    verification: VerificationSummary,
    timings: Mapping[str, float],
    reason: str | None,
) -> Answer:
    return Answer(
        question=query.question,
        question_type=query.question_type,
        audience=query.audience,
        bottom_line=bottom,
        sections=sections,
        references=references,
        abstained=reason is not None,
        abstention=f"{ABSTENTION} ({reason})" if reason else None,
        disclaimer=DISCLAIMER,
        generated_at=datetime.now(UTC),
        settings_hash=settings_hash,
        timings=dict(timings),
        verification=verification,
    )

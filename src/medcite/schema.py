"""The public JSON shape of an Answer (`medcite ask --json`, the HTTP API later).

Pydantic lives only here, at the edge; `docs/answer.schema.json` is generated from it.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from medcite.types import Answer, Claim, Reference

SCHEMA_VERSION = "1"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class QuotePublic(_Out):
    passage_id: str = Field(description="Id of the cited passage (`medcite show ID`).")
    quote: str = Field(description="The exact text of the passage that supports the claim.")
    start: int = Field(description="Offset of the quote in the passage text.")
    end: int = Field(description="End offset (exclusive) of the quote in the passage text.")
    exact: bool = Field(
        default=True,
        description="True when the claim is the passage's own text; false when the quote is "
        "the best-matching span of a reworded claim.",
    )
    score: float = Field(default=1.0, description="How well the quote supports the claim (0-1).")


class ClaimPublic(_Out):
    text: str = Field(description="The statement shown to the reader.")
    citations: list[int] = Field(description="Reference numbers `[n]` supporting the claim.")
    status: str = Field(description="verified | flagged (shown with a warning).")
    quotes: list[QuotePublic] = Field(description="Where the claim was found in each source.")
    note: str | None = Field(default=None, description="Why a claim was flagged.")
    support_score: float | None = Field(
        default=None, description="Best support score among the claim's citations (0-1)."
    )


class SectionPublic(_Out):
    key: str = Field(description="Stable section key, e.g. first_line, monitoring, symptoms.")
    title: str
    claims: list[ClaimPublic]


class ReferencePublic(_Out):
    number: int = Field(description="The `[n]` used by claims.")
    passage_id: str
    document_id: str
    title: str
    source: str = Field(description="Publisher or collection.")
    kind: str = Field(
        description="guideline | drug_label | systematic_review | trial | "
        "observational | case_report | patient_education | other"
    )
    kind_label: str
    date: dt.date | None = Field(description="Most recent known date of the source, if any.")
    url: str | None
    section: str | None = Field(description="Section of the source the passage is in.")
    start: int = Field(description="Offset of the passage in the cleaned document text.")
    end: int
    passage: str = Field(description="The full text of the cited passage.")


class VerificationPublic(_Out):
    verified: int
    flagged: int
    removed: int
    removed_reasons: list[str]
    numbers_checked: int = Field(
        default=0, description="Numbers, doses and frequencies compared with their sources."
    )
    citations_dropped: int = Field(
        default=0, description="Citations taken off surviving claims (wrong or unknown passage)."
    )
    flagged_removed: int = Field(
        default=0, description="Removed claims that strict mode removed for being only flagged."
    )
    strict: bool = Field(default=True, description="Whether strict mode removed flagged claims.")


class AnswerPublic(_Out):
    schema_version: str = Field(default=SCHEMA_VERSION)
    question: str
    question_type: str
    audience: str
    abstained: bool = Field(description="True when medcite declined to answer.")
    abstention: str | None = Field(description="The fixed abstention sentence and its reason.")
    bottom_line: list[ClaimPublic]
    sections: list[SectionPublic]
    references: list[ReferencePublic]
    assumptions: list[str]
    related_questions: list[str]
    verification: VerificationPublic
    review_status: str = Field(description="Editorial review status; `unreviewed` by default.")
    writer: str
    disclaimer: str
    generated_at: dt.datetime
    settings_hash: str
    timings_ms: dict[str, float]


def _claim(c: Claim) -> ClaimPublic:
    return ClaimPublic(
        text=c.text,
        citations=list(c.citations),
        status=c.status.value,
        quotes=[
            QuotePublic(
                passage_id=s.passage_id,
                quote=s.quote,
                start=s.start,
                end=s.end,
                exact=s.exact,
                score=s.score,
            )
            for s in c.support
        ],
        note=c.note,
        support_score=c.support_score,
    )


def _reference(r: Reference) -> ReferencePublic:
    p, d = r.passage, r.passage.document
    return ReferencePublic(
        number=r.number,
        passage_id=p.id,
        document_id=d.id,
        title=d.title,
        source=d.source,
        kind=d.kind.value,
        kind_label=d.kind.label,
        date=d.date,
        url=d.url,
        section=p.section,
        start=p.start,
        end=p.end,
        passage=p.text,
    )


def to_public(answer: Answer) -> AnswerPublic:
    v = answer.verification
    return AnswerPublic(
        question=answer.question,
        question_type=answer.question_type,
        audience=answer.audience.value,
        abstained=answer.abstained,
        abstention=answer.abstention,
        bottom_line=[_claim(c) for c in answer.bottom_line],
        sections=[
            SectionPublic(key=s.key, title=s.title, claims=[_claim(c) for c in s.claims])
            for s in answer.sections
        ],
        references=[_reference(r) for r in answer.references],
        assumptions=list(answer.assumptions),
        related_questions=list(answer.related_questions),
        verification=VerificationPublic(
            verified=v.verified,
            flagged=v.flagged,
            removed=v.removed,
            removed_reasons=list(v.reasons),
            numbers_checked=v.numbers_checked,
            citations_dropped=v.citations_dropped,
            flagged_removed=v.flagged_removed,
            strict=v.strict,
        ),
        review_status=answer.review_status,
        writer=answer.writer,
        disclaimer=answer.disclaimer,
        generated_at=answer.generated_at,
        settings_hash=answer.settings_hash,
        timings_ms=dict(answer.timings),
    )

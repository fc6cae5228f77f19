"""The extractive writer: every claim is one sentence (or table row) copied from a passage.

Candidates are scored by the fitted evidence scorer (scorer.py); near-duplicates merge (the
same sentence on GARD and GHR becomes one claim citing both); the best candidates about the
question's subject make the bottom line and the rest go to the sections their cues and
source sections choose (sections.py), framed by their kind (framing.py): a case report never
stands under a heading that recommends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from medcite.answer.bottom_line import bottom_line, for_patients
from medcite.answer.candidates import Candidate, candidates
from medcite.answer.evidence import ConceptMatcher
from medcite.answer.framing import (
    asks_what_to_do,
    described_patients,
    frame,
    placed,
    recommendable,
)
from medcite.answer.scorer import load_scorer, score
from medcite.answer.sections import (
    ASPECT_SECTIONS,
    SPECIAL,
    assign_section,
    drug_pattern,
    special_drugs,
    template,
)
from medcite.audience import mentions_dose, sentence_length_factor
from medcite.settings import AnswerSettings
from medcite.text import jaccard, normalize_ws
from medcite.types import (
    Audience,
    Claim,
    DocKind,
    Hit,
    Query,
    Support,
)
from medcite.understand.aspects import BY_KEY

BOTTOM_LINE = "bottom_line"
# The next best statements, for the bottom line when verification removes all of its own;
# compose() drops them otherwise.
RESERVE = "bottom_line_reserve"
RESERVES = 2
BOXED = "boxed"
MAX_CITATIONS = 3
# One sentence with this share of another's words in it says the same thing (or more); a
# fuller one leads the group when it scores at least FULLER_SHARE of the lead.
CONTAINED = 0.9
FULLER_SHARE = 0.7
# A section claim must score at least this share of the best candidate: padding is not
# an answer.
SECTION_SHARE = 0.25
SECTION_FLOOR = 0.15
# Candidates scoring below this are never shown (the section floor is higher): left out
# before near-duplicates are grouped.
NEGLIGIBLE = 0.01  # ... or at least this (a confident best must not silence the rest)
# On the subject: the share of the subject a candidate (with its title) must name, or this
# share of what the best candidate names when none names more (a question put in words its
# sources do not use: "premature babies" for "preterm infants").
ON_SUBJECT = 0.5
RELATIVE_SUBJECT = 0.7


@dataclass(frozen=True, slots=True)
class Ranked:
    """The scored, on-subject candidates of one answer, grouped into near-duplicates, and
    the share of the subject a candidate must name to be on it (`on_subject`)."""

    groups: list[list[Candidate]]
    on_subject: float = ON_SUBJECT

    def about_subject(self) -> list[list[Candidate]]:
        return [g for g in self.groups if g[0].subject >= self.on_subject]


def rank_evidence(
    query: Query, hits: Sequence[Hit], ms: Sequence[ConceptMatcher], cfg: AnswerSettings
) -> Ranked:
    """Candidates scored, those off the subject (or unfit for the audience) left out,
    near-duplicates grouped, best first."""
    scored = [
        replace(c, score=c.score * sentence_length_factor(query.audience, len(c.text.split())))
        for c in score(load_scorer(), candidates(query, hits, ms, cfg.max_sentence_words))
    ]
    drugs = drug_pattern(special_drugs(query.context))
    kept = [
        c
        for c in scored
        if (
            (c.subject >= cfg.min_sentence_relevance and c.score >= NEGLIGIBLE)
            or _about_drug(c, drugs)
        )
        and _fits_audience(c, query.audience)
    ]
    best = max((c.subject for c in kept), default=1.0)
    return Ranked(_dedupe(kept, cfg.duplicate_similarity), min(ON_SUBJECT, RELATIVE_SUBJECT * best))


def write_claims(query: Query, ranked: Ranked, cfg: AnswerSettings) -> list[Claim]:
    """Bottom-line claims first, then section claims, all verbatim from passages."""
    groups = ranked.about_subject()
    bottom = bottom_line(groups, query, cfg)
    patients = described_patients(c.passage for g in ranked.groups for c in g)
    unnamed = not any(c.subject > 0 for c in query.concepts)
    actionable = asks_what_to_do(query)

    def topical(group: list[Candidate]) -> bool:
        """Framed with its source's topic: when the question names no subject, or when a
        statement on what to do comes from a source about less than the whole subject (a
        dose from a pneumonia guideline asked for an ear infection)."""
        return unnamed or (actionable and group[0].subject < 1.0)

    claims = [_claim(group, BOTTOM_LINE, patients, unnamed=topical(group)) for group in bottom]
    spare = [g for g in sorted(groups, key=lambda g: -g[0].score) if g not in bottom]
    claims += [_claim(g, RESERVE, patients, unnamed=topical(g)) for g in spare[:RESERVES]]
    keys = template(query.question_type, query.aspects)
    drugs = drug_pattern(special_drugs(query.context))
    per_section: dict[str, int] = {}
    chosen = {id(g) for g in bottom}
    best = max((g[0].score for g in ranked.groups), default=0.0)
    floor = min(SECTION_SHARE * best, SECTION_FLOOR)
    ordered = ranked.groups
    if query.audience == Audience.PATIENT:  # what is written for patients first
        ordered = sorted(ordered, key=lambda g: not for_patients(g[0]))
    for group in ordered:
        lead = group[0]
        if id(group) in chosen or len(claims) >= cfg.max_claims:
            continue
        section = _stated_aspect(query, lead) or assign_section(
            keys, lead.text, lead.passage, drugs
        )
        if _boxed(lead, drugs):
            section = BOXED
        # "Special considerations" and a label's boxed warning are about the patient's
        # drug, not the question: their sentences need not score like an answer to it
        elif section != SPECIAL and (
            section is None or lead.subject < ranked.on_subject or lead.score < floor
        ):
            continue
        section = placed(section, lead.passage.document.kind)
        if per_section.get(section, 0) < cfg.max_per_section:
            per_section[section] = per_section.get(section, 0) + 1
            claims.append(_claim(group, section, patients, unnamed=topical(group)))
    return claims


def _stated_aspect(query: Query, candidate: Candidate) -> str | None:
    """The section of the first asked aspect the candidate states in so many words (a
    missed-dose sentence goes to Dosing whatever its source section)."""
    text = f"{candidate.lead_in}: {candidate.text}" if candidate.lead_in else candidate.text
    for key in query.aspects:
        if key in ASPECT_SECTIONS and BY_KEY[key].states.search(text):
            return ASPECT_SECTIONS[key]
    return None


def _boxed(candidate: Candidate, drugs: re.Pattern[str] | None) -> bool:
    """A sentence of the boxed warning of a label about the question's drug."""
    section = candidate.passage.section or ""
    return (
        drugs is not None
        and candidate.passage.document.kind == DocKind.DRUG_LABEL
        and section.lower().startswith("boxed warning")
        and bool(drugs.search(candidate.passage.document.title))
    )


def _about_drug(candidate: Candidate, drugs: re.Pattern[str] | None) -> bool:
    """True when the candidate names one of the patient's drugs (or its label does), in a
    source of known kind (not laboratory or animal research of unstated design)."""
    doc = candidate.passage.document
    if drugs is None or doc.kind == DocKind.OTHER:
        return False
    return bool(
        drugs.search(candidate.text) or (doc.kind == DocKind.DRUG_LABEL and drugs.search(doc.title))
    )


def _fits_audience(candidate: Candidate, audience: Audience) -> bool:
    """Patients are not shown doses or regimens from case reports or studies."""
    if audience != Audience.PATIENT:
        return True
    return recommendable(candidate.passage.document.kind) or not mentions_dose(candidate.text)


def _dedupe(cands: list[Candidate], threshold: float) -> list[list[Candidate]]:
    """Group near-duplicates (word overlap at `threshold`, or one sentence saying all of
    another); the best-scoring sentence leads a group, unless one in it says all the lead
    says and more ("… can usually be cured, even in late stages") and scores nearly as well."""
    groups: list[list[Candidate]] = []
    for cand in sorted(cands, key=lambda c: -c.score):
        for group in groups:
            if _same_statement(group[0].content, cand.content, threshold):
                group.append(cand)
                break
        else:
            groups.append([cand])
    return [_fullest_first(g) for g in groups]


def _same_statement(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    if not a or not b:
        return False
    return jaccard(a, b) >= threshold or len(a & b) / min(len(a), len(b)) >= CONTAINED


def _fullest_first(group: list[Candidate]) -> list[Candidate]:
    lead = group[0]
    fuller = [
        c for c in group[1:] if lead.content < c.content and c.score >= FULLER_SHARE * lead.score
    ]
    if not fuller:
        return group
    best = max(fuller, key=lambda c: c.score)
    return [best, *(c for c in group if c is not best)]


def _claim(
    group: list[Candidate], section: str, patients: Mapping[str, str], *, unnamed: bool = False
) -> Claim:
    """The leading sentence, citing up to MAX_CITATIONS documents that say exactly it,
    preferring different publishers; framed by its kind, with the source's grade."""
    lead = group[0]
    same = [c for c in group if normalize_ws(c.text) == normalize_ws(lead.text)]
    chosen: dict[str, Candidate] = {}  # document id -> candidate
    for prefer_new_publisher in (True, False):
        for c in same:
            doc = c.passage.document
            publishers = {x.passage.document.source for x in chosen.values()}
            if len(chosen) >= MAX_CITATIONS or doc.id in chosen:
                continue
            if not prefer_new_publisher or doc.source not in publishers:
                chosen[doc.id] = c
    support = tuple(Support(c.passage.id, c.text, c.start, c.end) for c in chosen.values())
    return Claim(
        lead.text,
        tuple(s.passage_id for s in support),
        section,
        support=support,
        grade=lead.grade,
        frame=lead.lead_in or frame(lead.passage, patients, lead.text, unnamed=unnamed),
    )

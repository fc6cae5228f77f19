"""Checks against this patient's own medicines: the dose for their kidney function and the
interactions between their drugs, each a section of quoted, cited statements.

The engine calls `patient_checks` before verification (its claims are verified and cited
like every other claim) and `with_check_sections` after the answer is composed. Sources are
found per drug: documents whose title names the drug (its label, a renal dose table entry,
a guideline summary about it), searched by the drug's names.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from medcite.answer.interactions import (
    INTERACTION_SECTION,
    INTERACTION_TITLE,
    drug_classes,
    drug_names,
    pair_finding,
)
from medcite.answer.renal_dose import RENAL_SECTION, RENAL_TITLE, dose_statements, renal_claims
from medcite.clinical.renal import OrganFunction
from medcite.sources.renal_table import DOSE_SECTION
from medcite.types import Answer, Claim, Concept, DrugUse, Passage, Query, Section
from medcite.understand.query import drug_forms

MAX_DRUGS = 5
DRUG_DOCUMENTS = 3
SEARCH_HITS = 40
NOTE = "medcite quotes the source's tier for the patient's value; it never computes a dose."
Search = Callable[[Query], Sequence[Passage]]
PassagesOf = Callable[[Sequence[str]], Sequence[Passage]]


@dataclass(frozen=True, slots=True)
class CheckSection:
    key: str
    title: str
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PatientChecks:
    """The checks' claims (to verify and cite) and their sections' notes."""

    claims: tuple[Claim, ...] = ()
    sections: tuple[CheckSection, ...] = ()
    passages: tuple[Passage, ...] = ()


def patient_checks(
    query: Query, organ: OrganFunction, search: Search, passages_of: PassagesOf
) -> PatientChecks:
    """The renal dose check when kidney function is known, the interaction check when the
    patient takes two or more drugs; nothing otherwise."""
    drugs = query.context.drugs[:MAX_DRUGS]
    renal = _renal_known(query, organ)
    if not drugs or (not renal and len(drugs) < 2):
        return PatientChecks()
    sources = {d.generic: _drug_passages(query, d, search, passages_of) for d in drugs}
    claims: list[Claim] = []
    sections: list[CheckSection] = []
    if renal:
        found, notes = _renal(drugs, sources, organ)
        claims += found
        sections.append(CheckSection(RENAL_SECTION, RENAL_TITLE, (*notes, NOTE)))
    if len(drugs) >= 2:
        found, notes = _interactions(query, drugs, sources, search)
        claims += found
        sections.append(CheckSection(INTERACTION_SECTION, INTERACTION_TITLE, tuple(notes)))
    used = {p.id: p for ps in sources.values() for p in ps}
    return PatientChecks(tuple(claims), tuple(sections), tuple(used.values()))


def _renal_known(query: Query, organ: OrganFunction) -> bool:
    return bool(organ.crcl or organ.egfr) or query.context.renal_impairment is True


def _renal(
    drugs: Sequence[DrugUse], sources: dict[str, list[Passage]], organ: OrganFunction
) -> tuple[list[Claim], list[str]]:
    claims: list[Claim] = []
    notes: list[str] = []
    for drug in drugs:
        found, said = renal_claims(drug, dose_statements(sources[drug.generic]), organ)
        claims += found
        notes += said
    return claims, notes


def _interactions(
    query: Query, drugs: Sequence[DrugUse], sources: dict[str, list[Passage]], search: Search
) -> tuple[list[Claim], list[str]]:
    classes = {
        d.generic: drug_classes(d, (p.text for p in _named(query, d, search))) for d in drugs
    }
    claims: list[Claim] = []
    notes: list[str] = []
    for first, second in itertools.combinations(drugs, 2):
        finding = pair_finding(
            first, second, sources[first.generic], sources[second.generic], classes
        )
        claims += finding.claims
        notes += [finding.note] if finding.note else []
    return claims, notes


def _named(query: Query, drug: DrugUse, search: Search) -> Sequence[Passage]:
    concept = Concept(drug.generic, drug_forms(drug), 1.0)
    return search(replace(query, concepts=(concept,), k=SEARCH_HITS, aspects=()))


def _drug_passages(
    query: Query, drug: DrugUse, search: Search, passages_of: PassagesOf
) -> list[Passage]:
    """Every passage of the documents about the drug: those whose title names it."""
    title_names = re.compile(
        rf"(?<![\w-])(?:{'|'.join(re.escape(n) for n in drug_names(drug))})(?![\w-])", re.I
    )
    doc_ids: list[str] = []
    for passage in _named(query, drug, search):
        doc = passage.document
        if doc.id not in doc_ids and title_names.search(doc.title):
            doc_ids.append(doc.id)
    return list(passages_of(doc_ids[:DRUG_DOCUMENTS]))


def with_check_sections(
    answer: Answer, claims: Sequence[Claim], checks: PatientChecks, *, renal_asked: bool = False
) -> Answer:
    """The answer with the checks' sections (their verified, numbered claims and notes).

    Once the patient's own tier is quoted, the other sections drop the renal dose table's
    tiers (other values' tiers would read as this patient's dose); when the question asks
    about kidney function (`renal_asked`), the patient's tier also leads the bottom line."""
    if answer.abstained or not checks.sections:
        return answer
    own = [c for c in claims if c.section == RENAL_SECTION]
    if own:
        tiers = {p.id for p in checks.passages if p.section == DOSE_SECTION}
        answer = _without_tiers(answer, tiers, lead=own[0] if renal_asked else None)
    added = tuple(
        Section(
            s.key,
            s.title,
            tuple(c for c in claims if c.section == s.key),
            " ".join(s.notes) or None,
        )
        for s in checks.sections
    )
    return replace(answer, sections=(*answer.sections, *added))


def _without_tiers(answer: Answer, tiers: set[str], lead: Claim | None) -> Answer:
    def kept(found: Sequence[Claim]) -> tuple[Claim, ...]:
        return tuple(c for c in found if not set(c.passage_ids) & tiers)

    sections = tuple(replace(s, claims=kept(s.claims)) for s in answer.sections)
    bottom = (lead, *kept(answer.bottom_line)) if lead else answer.bottom_line
    return replace(answer, bottom_line=bottom, sections=tuple(s for s in sections if s.claims))

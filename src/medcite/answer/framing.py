"""Framing by evidence kind: where a statement may stand, and how it is introduced.

Guidelines, guideline summaries and drug labels are written to direct practice: their
statements may stand under headings that recommend (first-line treatment, alternatives,
dosing). A patient-education page describes options: under a recommending heading its
statement moves to "Treatment options described", as does a review's. A case report, a
study or a source of unknown kind reports what happened to some patients: its statements go under
"Evidence from case reports and studies" wherever the question asks what to do, and each is
introduced by its kind and the patient or population it describes ("Case report, a
44-year-old woman:").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from medcite.index.lexical import document_topic
from medcite.types import DocKind, Passage, Query

RECOMMENDING = frozenset({"first_line", "treatment", "alternatives", "dosing"})
# Aspects (understand/aspects.py) that ask what to do: a guideline or a label settles them.
ACTIONABLE = frozenset(
    {
        "dose",
        "missed_dose",
        "contraindication",
        "interaction",
        "pregnancy",
        "renal",
        "hepatic",
        "treatment",
        "monitoring",
        "prevention",
    }
)
# Sections where a report of what happened is not read as advice.
DESCRIPTIVE = frozenset(
    {
        "findings",
        "symptoms",
        "diagnosis",
        "frequency",
        "causes",
        "inheritance",
        "definition",
        "prognosis",
        "follow_up",
        "special",
        "adverse",
    }
)
# Descriptive sections about caring for this patient: a study of what kind is unknown does
# not belong there.
PATIENT_CARE = frozenset({"special", "adverse", "follow_up", "prognosis", "diagnosis"})
_RECOMMENDABLE = frozenset({DocKind.GUIDELINE, DocKind.GUIDELINE_SUMMARY, DocKind.DRUG_LABEL})
_DESCRIBES_OPTIONS = frozenset(
    {DocKind.PATIENT_EDUCATION, DocKind.SYSTEMATIC_REVIEW, DocKind.REVIEW}
)
_FRAMED = frozenset({DocKind.CASE_REPORT, DocKind.OBSERVATIONAL, DocKind.TRIAL, DocKind.OTHER})
_PATIENT = re.compile(
    r"\b(?:an?|one) (\d{1,3}-(?:year|month|week|day)-old (?:\w+ )?"
    r"(?:woman|man|boy|girl|infant|child|patient|male|female|neonate))\b",
    re.I,
)
_ANAPHOR = re.compile(
    r"^(?:It|This|These|They|Those|Its|Their|The (?:condition|disorder|disease|syndrome|"
    r"infection|drug|medicine|medication|virus|cancer|tumor|deficiency))\b"
)
_POPULATION = re.compile(
    r"\b(\d[\d,]*) (?:adult |pediatric |paediatric )?"
    r"(patients|subjects|participants|adults|children|women|men|infants)\b",
    re.I,
)


def asks_what_to_do(query: Query) -> bool:
    """True when the question asks what to do (an actionable aspect, or a treatment
    question)."""
    return bool(ACTIONABLE & set(query.aspects)) or query.question_type == "treatment"


def recommendable(kind: DocKind) -> bool:
    """True when statements of this kind of source may stand under a recommending heading."""
    return kind in _RECOMMENDABLE


def placed(section: str, kind: DocKind) -> str:
    """The section a statement of this kind goes to, given the one its content chose: a
    source of unknown kind (most often laboratory or animal research) never speaks under a
    heading about caring for the patient."""
    if recommendable(kind):
        return section
    if kind in _DESCRIBES_OPTIONS:
        return "described" if section in RECOMMENDING else section
    if kind == DocKind.OTHER and section in PATIENT_CARE:
        return "case_evidence"
    return section if section in DESCRIPTIVE else "case_evidence"


def frame(
    passage: Passage, patients: Mapping[str, str], text: str = "", *, unnamed: bool = False
) -> str | None:
    """ "Case report, a 44-year-old woman" for reports and studies (`patients`: document id
    -> the patient or population it describes, see `described_patients`); what its source
    is about ("Hashimoto's thyroiditis") for a sentence that opens by pointing back ("The
    condition is the most common cause …") or answers a question that names no subject
    (`unnamed`: "What could this be?"); None for statements that stand alone."""
    kind = passage.document.kind
    if kind not in _FRAMED:
        return document_topic(passage.document) if unnamed or _ANAPHOR.match(text) else None
    who = patients.get(passage.document.id)
    return f"{kind.label}, {who}" if who else kind.label


def described_patients(passages: Iterable[Passage]) -> dict[str, str]:
    """For each report or study among the passages, the patient (a case report's first
    "a 44-year-old woman") or population ("1,478 patients") its earliest passage names."""
    out: dict[str, str] = {}
    for p in sorted(passages, key=lambda p: p.seq):
        doc = p.document
        if doc.kind not in _FRAMED or doc.id in out:
            continue
        pattern = _PATIENT if doc.kind == DocKind.CASE_REPORT else _POPULATION
        for text in (doc.title, p.text):
            if m := pattern.search(text):
                out[doc.id] = f"a {m.group(1)}" if pattern is _PATIENT else m.group(0)
                break
    return out

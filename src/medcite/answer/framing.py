"""Framing by evidence kind: where a statement may stand, and how it is introduced.

Guidelines, guideline summaries and drug labels are written to direct practice: their
statements may stand under headings that recommend (first-line treatment, alternatives,
dosing). A patient-education page describes options: under a recommending heading its
statement moves to "Treatment options described". A case report, a study, a review or a
source of unknown kind reports what happened to some patients: its statements go under
"Evidence from case reports and studies" wherever the question asks what to do, and each is
introduced by its kind and the patient or population it describes ("Case report, a
44-year-old woman:").
"""

from __future__ import annotations

import re

from medcite.types import DocKind, Passage

RECOMMENDING = frozenset({"first_line", "treatment", "alternatives", "dosing"})
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
    }
)
_RECOMMENDABLE = frozenset({DocKind.GUIDELINE, DocKind.DRUG_LABEL})
_DESCRIBES_OPTIONS = frozenset({DocKind.PATIENT_EDUCATION, DocKind.SYSTEMATIC_REVIEW})
_FRAMED = frozenset({DocKind.CASE_REPORT, DocKind.OBSERVATIONAL, DocKind.TRIAL, DocKind.OTHER})
_PATIENT = re.compile(
    r"\b(?:an?|one) (\d{1,3}-(?:year|month|week|day)-old (?:\w+ )?"
    r"(?:woman|man|boy|girl|infant|child|patient|male|female|neonate))\b",
    re.I,
)
_POPULATION = re.compile(
    r"\b(\d[\d,]*) (?:adult |pediatric |paediatric )?"
    r"(patients|subjects|participants|adults|children|women|men|infants)\b",
    re.I,
)


def recommendable(kind: DocKind) -> bool:
    """True when statements of this kind of source may stand under a recommending heading."""
    return kind in _RECOMMENDABLE or kind.value == "guideline_summary"


def placed(section: str, kind: DocKind) -> str:
    """The section a statement of this kind goes to, given the one its content chose."""
    if recommendable(kind):
        return section
    if kind in _DESCRIBES_OPTIONS:
        return "described" if section in RECOMMENDING else section
    return section if section in DESCRIPTIVE else "case_evidence"


def frame(passage: Passage) -> str | None:
    """ "Case report, a 44-year-old woman" for reports and studies; None for sources whose
    statements stand on their own."""
    kind = passage.document.kind
    if kind not in _FRAMED:
        return None
    who = _who(passage)
    return f"{kind.label}, {who}" if who else kind.label


def _who(passage: Passage) -> str | None:
    """The patient or population the passage (or its document's title) describes."""
    for text in (passage.text, passage.document.title):
        if passage.document.kind == DocKind.CASE_REPORT and (m := _PATIENT.search(text)):
            return f"a {m.group(1)}"
        if m := _POPULATION.search(text):
            return f"{m.group(1)} {m.group(2)}"
    return None

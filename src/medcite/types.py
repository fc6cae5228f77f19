"""The vocabulary of medcite: the typed values that flow from one stage to the next.

Document -> Passage -> Hit -> Claim -> Answer. Stages never pass dicts or parallel lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class DocKind(StrEnum):
    """What kind of evidence a document is; drives labels and, later, certainty."""

    GUIDELINE = "guideline"
    GUIDELINE_SUMMARY = "guideline_summary"
    DRUG_LABEL = "drug_label"
    SYSTEMATIC_REVIEW = "systematic_review"
    TRIAL = "trial"
    OBSERVATIONAL = "observational"
    REVIEW = "review"
    CASE_REPORT = "case_report"
    PATIENT_EDUCATION = "patient_education"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    DocKind.GUIDELINE: "Guideline",
    DocKind.GUIDELINE_SUMMARY: "Guideline summary",
    DocKind.DRUG_LABEL: "Drug label",
    DocKind.SYSTEMATIC_REVIEW: "Systematic review",
    DocKind.TRIAL: "Randomized trial",
    DocKind.OBSERVATIONAL: "Observational study",
    DocKind.REVIEW: "Review article",
    DocKind.CASE_REPORT: "Case report",
    DocKind.PATIENT_EDUCATION: "Patient education",
    DocKind.OTHER: "Other",
}


class PassageKind(StrEnum):
    """The shape of a passage: running text, a whole table, or a figure caption."""

    TEXT = "text"
    TABLE = "table"
    CAPTION = "caption"


class Audience(StrEnum):
    CLINICIAN = "clinician"
    PATIENT = "patient"


@dataclass(frozen=True, slots=True)
class Document:
    """One source (metadata only; the cleaned text lives in the store)."""

    id: str
    title: str
    kind: DocKind
    source: str
    origin: str
    version: str
    url: str | None = None
    published: date | None = None
    updated: date | None = None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    retraction: str | None = None  # why it is retracted ("retraction notice PMID 1"), if it is

    @property
    def date(self) -> date | None:
        """The most recent known date of the document."""
        return self.updated or self.published

    @property
    def doi(self) -> str | None:
        """The DOI the source states (`extra["doi"]`), if any."""
        return self.extra.get("doi") or None

    @property
    def year(self) -> int | None:
        """The year of `date`, else a year the text states without a full date."""
        if self.date is not None:
            return self.date.year
        stated = self.extra.get("year", "")
        return int(stated) if stated.isdigit() else None


@dataclass(frozen=True, slots=True)
class Passage:
    """A citable span of a document's cleaned text: `text == document_text[start:end]`."""

    id: str
    document: Document
    seq: int
    text: str
    start: int
    end: int
    section: str | None = None
    kind: PassageKind = PassageKind.TEXT


@dataclass(frozen=True, slots=True)
class Concept:
    """One idea in the question, with the surface forms that count as mentioning it."""

    label: str
    forms: tuple[str, ...]
    weight: float
    is_number: bool = False
    subject: float = 1.0  # how much it names the medical subject (understand/subject.py)
    corrected: bool = False  # forms[0] is the spelling the label was read as


@dataclass(frozen=True, slots=True)
class DrugUse:
    """A drug named in the question, resolved to its generic name (Jakafi -> ruxolitinib)."""

    generic: str
    names: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    dose: str | None = None
    current: bool = False

    @property
    def display(self) -> str:
        """ "ruxolitinib (Jakafi)": the generic, with the brand written if it differs."""
        brands = [m for m in self.mentions if m.casefold() != self.generic.casefold()]
        return f"{self.generic} ({brands[0]})" if brands else self.generic


@dataclass(frozen=True, slots=True)
class LabValue:
    """A measured value in the question; `unit` is None when the question gives none."""

    test: str
    value: float
    text: str
    unit: str | None = None
    dimension: str | None = None
    canonical_value: float | None = None
    canonical_unit: str | None = None

    @property
    def display(self) -> str:
        number = f"{self.value:g}" if abs(self.value) < 1e6 else f"{self.value:.3g}"
        return f"{self.test} {number} {self.unit}" if self.unit else f"{self.test} {number}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A condition, symptom, drug or state named in the question: canonical name and text."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class PatientContext:
    """What the question (and earlier turns) say about the patient; None = not stated."""

    drugs: tuple[DrugUse, ...] = ()
    labs: tuple[LabValue, ...] = ()
    conditions: tuple[Finding, ...] = ()
    negated: tuple[Finding, ...] = ()
    allergies: tuple[str, ...] = ()
    age_years: float | None = None
    sex: str | None = None
    weight_kg: float | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    renal_impairment: bool | None = None
    hepatic_impairment: bool | None = None
    transplant: bool | None = None
    transplant_type: str | None = None
    immunocompromised: bool | None = None
    child_pugh: str | None = None  # "A" | "B" | "C", only when the question states it

    @property
    def is_empty(self) -> bool:
        return self == PatientContext()

    @property
    def current_drugs(self) -> tuple[DrugUse, ...]:
        """The drugs the patient is said to be on ("on ruxolitinib", "taking warfarin")."""
        return tuple(d for d in self.drugs if d.current)


@dataclass(frozen=True, slots=True)
class Computed:
    """A value medcite derived from the patient's data (CrCl, eGFR, a stated Child–Pugh
    class), with its inputs; `value` is None when an input is missing (`missing` names it)."""

    name: str
    value: float | None
    unit: str | None
    method: str
    inputs: tuple[str, ...]
    missing: tuple[str, ...] = ()
    statement: str = ""
    category: str | None = None  # "G4" for an eGFR, the class for Child–Pugh


@dataclass(frozen=True, slots=True)
class TurnContext:
    """What one turn of a conversation knew: read from earlier turns, added by this one,
    the subjects kept or dropped, and the values computed from the patient's data."""

    carried: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    carried_subjects: tuple[str, ...] = ()
    dropped_subjects: tuple[str, ...] = ()
    computed: tuple[Computed, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionPart:
    """One of several things a question asks: its text, aspects and the words only it uses."""

    text: str
    aspects: tuple[str, ...]
    terms: frozenset[str]


@dataclass(frozen=True, slots=True)
class Query:
    """A question after understanding: its type and the concepts retrieval must cover."""

    question: str
    question_type: str
    concepts: tuple[Concept, ...]
    audience: Audience = Audience.CLINICIAN
    k: int = 30
    history: tuple[str, ...] = ()  # earlier questions of the conversation, most recent last
    context: PatientContext = PatientContext()
    aspects: tuple[str, ...] = ()  # what it asks about its subject (understand/aspects.py)
    parts: tuple[QuestionPart, ...] = ()  # the things it asks, when several (parts.py)


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage with the score from each retriever and its final rank."""

    passage: Passage
    score: float
    rank: int
    scores: Mapping[str, float] = field(default_factory=dict)


class ClaimStatus(StrEnum):
    VERIFIED = "verified"
    FLAGGED = "flagged"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Support:
    """Where a claim was found in one cited passage.

    `exact` when the claim is the passage's own text (whitespace aside); otherwise `quote`
    is the best-matching span and `score` how well it supports the claim (0-1).
    """

    passage_id: str
    quote: str
    start: int
    end: int
    exact: bool = True
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence of the answer and the passages that must support it."""

    text: str
    passage_ids: tuple[str, ...]
    section: str
    citations: tuple[int, ...] = ()
    support: tuple[Support, ...] = ()
    status: ClaimStatus = ClaimStatus.VERIFIED
    note: str | None = None
    certainty: str | None = None
    support_score: float | None = None
    grade: str | None = None  # the source's own strength/quality grade ("Strong, High")
    frame: str | None = None  # what the evidence is, shown before the quote ("Case report …")


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    claims: tuple[Claim, ...]
    note: str | None = None  # a reader's note about the section, never part of a quote


@dataclass(frozen=True, slots=True)
class Reference:
    """One numbered source: a document and the passages of it that claims cite.

    Versions of the same drug label share one reference: `document` is the newest cited
    version, `also` the older ones; each passage keeps its own document, so a passage
    quoted from an older version still says which version it is from.
    """

    number: int
    document: Document
    passages: tuple[Passage, ...]
    also: tuple[Document, ...] = ()


@dataclass(frozen=True, slots=True)
class VerificationSummary:
    """What verification did to the claims of one answer; `reasons` say why each was removed.

    `flagged_removed` counts the removed claims that only fell short of verified (strict mode
    removes them; non-strict mode would have shown them flagged).
    """

    verified: int = 0
    flagged: int = 0
    removed: int = 0
    reasons: tuple[str, ...] = ()
    numbers_checked: int = 0
    citations_dropped: int = 0
    flagged_removed: int = 0
    strict: bool = True
    retracted: tuple[str, ...] = ()  # retracted sources whose citations were dropped


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    question_type: str
    audience: Audience
    bottom_line: tuple[Claim, ...]
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    abstained: bool
    abstention: str | None
    disclaimer: str
    generated_at: datetime
    settings_hash: str
    timings: Mapping[str, float] = field(default_factory=dict)
    verification: VerificationSummary = VerificationSummary()
    assumptions: tuple[str, ...] = ()
    related_questions: tuple[str, ...] = ()
    review_status: str = "unreviewed"
    writer: str = "extractive"
    notes: tuple[str, ...] = ()  # reader's notes (e.g. for patients), never part of a quote
    gaps: tuple[str, ...] = ()  # what the retrieved evidence does not cover (answer/gaps.py)
    context: PatientContext = PatientContext()
    writer_notes: tuple[str, ...] = ()
    verdict: str | None = None  # "yes" | "no" for a yes/no question; None = not stated
    turn: TurnContext = TurnContext()  # the conversation's context for this turn

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Every claim shown to the reader: bottom line first, then the sections."""
        return self.bottom_line + tuple(c for s in self.sections for c in s.claims)

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
    DRUG_LABEL = "drug_label"
    SYSTEMATIC_REVIEW = "systematic_review"
    TRIAL = "trial"
    OBSERVATIONAL = "observational"
    CASE_REPORT = "case_report"
    PATIENT_EDUCATION = "patient_education"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    DocKind.GUIDELINE: "Guideline",
    DocKind.DRUG_LABEL: "Drug label",
    DocKind.SYSTEMATIC_REVIEW: "Systematic review",
    DocKind.TRIAL: "Randomized trial",
    DocKind.OBSERVATIONAL: "Observational study",
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

    @property
    def date(self) -> date | None:
        """The most recent known date of the document."""
        return self.updated or self.published


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


@dataclass(frozen=True, slots=True)
class Query:
    """A question after understanding: its type and the concepts retrieval must cover."""

    question: str
    question_type: str
    concepts: tuple[Concept, ...]
    audience: Audience = Audience.CLINICIAN
    k: int = 30


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
    support_score: float | None = None


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """One numbered citation target: a stored passage and its document."""

    number: int
    passage: Passage


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

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Every claim shown to the reader: bottom line first, then the sections."""
        return self.bottom_line + tuple(c for s in self.sections for c in s.claims)

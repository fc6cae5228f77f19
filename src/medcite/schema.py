"""The public JSON shapes: an Answer (`medcite ask --json`) and the HTTP API's inputs and
outputs (kept apart: `AskRequest` in, `AnswerPublic` out).

Pydantic lives only here, at the edge; `docs/answer.schema.json` is generated from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medcite.answer.certainty import CERTAINTY_NOTE
from medcite.clinical.describe import describe
from medcite.engine import MAX_QUESTION_CHARS
from medcite.schema_context import (
    ComputedPublic,
    DrugPublic,
    LabPublic,
    PatientContextPublic,
    TurnContextPublic,
    context_public,
    turn_public,
)
from medcite.schema_references import (
    CitedPassagePublic,
    PublicModel,
    ReferencePublic,
    VersionPublic,
    reference_public,
    upgrade_references,
)
from medcite.types import (
    Answer,
    Audience,
    Claim,
    DocKind,
    Document,
    Passage,
)

SCHEMA_VERSION = "1"
__all__ = [
    "CitedPassagePublic",
    "ComputedPublic",
    "DrugPublic",
    "LabPublic",
    "PatientContextPublic",
    "ReferencePublic",
    "TurnContextPublic",
    "VersionPublic",
]


class QuotePublic(PublicModel):
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


class ClaimPublic(PublicModel):
    text: str = Field(description="The statement shown to the reader.")
    citations: list[int] = Field(
        description="Reference numbers `[n]` supporting the claim: one per cited document."
    )
    passage_ids: list[str] = Field(
        default_factory=list,
        description="The cited passages (each listed under its reference), in order.",
    )
    status: str = Field(description="verified | flagged (shown with a warning).")
    quotes: list[QuotePublic] = Field(description="Where the claim was found in each source.")
    note: str | None = Field(default=None, description="Why a claim was flagged.")
    certainty: str | None = Field(
        default=None,
        description="high (guideline or drug label) | moderate (systematic review, randomized "
        "trial, guideline summary, review article or patient education) | low (observational "
        "study, case report or other): the best kind of evidence among the claim's citations.",
    )
    support_score: float | None = Field(
        default=None, description="Best support score among the claim's citations (0-1)."
    )
    grade: str | None = Field(
        default=None,
        description="The recommendation's strength or evidence grade as its source states it "
        '(e.g. "Strong, High"), if any.',
    )
    frame: str | None = Field(
        default=None,
        description='What the evidence is, shown before the quote ("Case report, a '
        '44-year-old woman"), or what a sentence that points back is about; never part of '
        "the quote.",
    )


class SectionPublic(PublicModel):
    key: str = Field(description="Stable section key, e.g. first_line, monitoring, symptoms.")
    title: str
    claims: list[ClaimPublic]
    note: str | None = Field(
        default=None, description="A note for the reader about this section (not a quote)."
    )


class VerificationPublic(PublicModel):
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


class AnswerPublic(PublicModel):
    schema_version: str = Field(default=SCHEMA_VERSION)
    question: str
    question_type: str
    audience: str
    abstained: bool = Field(description="True when medcite declined to answer.")
    abstention: str | None = Field(description="The fixed abstention sentence and its reason.")
    bottom_line: list[ClaimPublic]
    verdict: Literal["yes", "no"] | None = Field(
        default=None,
        description="For a yes/no question, the answer the evidence states; null when the "
        "question is not a yes/no question or the evidence does not state one clearly.",
    )
    sections: list[SectionPublic]
    references: list[ReferencePublic]
    assumptions: list[str] = Field(
        description="Gaps that change the answer, stated plainly (e.g. a lab value's unit)."
    )
    read_from_question: list[str] = Field(
        default_factory=list,
        description="What medcite read from the question about the patient, in short phrases "
        '("on ruxolitinib (Jakafi)", "CMV PCR 1700 (no unit given)").',
    )
    gaps: list[str] = Field(
        default_factory=list,
        description="What the evidence found does not cover (e.g. no guideline or drug label "
        "on the asked aspect), one line each.",
    )
    patient_context: PatientContextPublic = Field(
        description="What medcite read from the question about the patient."
    )
    turn_context: TurnContextPublic | None = Field(
        default=None,
        description="Per-turn context: what was carried from earlier turns of the "
        "conversation, what this turn added, and values computed with their inputs.",
    )
    certainty_note: str = Field(description="What each certainty level means.")
    notes: list[str] = Field(
        default_factory=list,
        description="Notes for the reader (e.g. talk to your clinician about doses); not quotes.",
    )
    related_questions: list[str]
    verification: VerificationPublic
    review_status: str = Field(description="Editorial review status; `unreviewed` by default.")
    writer: str = Field(
        description="Who wrote the claims: extractive, BACKEND:MODEL for an LLM, or "
        "'extractive (fallback: REASON)' when the LLM failed."
    )
    writer_notes: list[str] = Field(
        description="What the writer dropped before verification, e.g. citation numbers "
        "that named no evidence passage."
    )
    disclaimer: str
    generated_at: dt.datetime
    settings_hash: str
    timings_ms: dict[str, float]

    @model_validator(mode="before")
    @classmethod
    def _per_document_references(cls, data: Any) -> Any:
        return upgrade_references(data)


def _claim(c: Claim) -> ClaimPublic:
    return ClaimPublic(
        text=c.text,
        citations=list(c.citations),
        passage_ids=list(c.passage_ids),
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
        certainty=c.certainty,
        support_score=c.support_score,
        grade=c.grade,
        frame=c.frame,
    )


def _verdict(verdict: str | None) -> Literal["yes", "no"] | None:
    if verdict == "yes":
        return "yes"
    return "no" if verdict == "no" else None


def to_public(answer: Answer) -> AnswerPublic:
    v = answer.verification
    return AnswerPublic(
        question=answer.question,
        question_type=answer.question_type,
        audience=answer.audience.value,
        abstained=answer.abstained,
        abstention=answer.abstention,
        bottom_line=[_claim(c) for c in answer.bottom_line],
        verdict=_verdict(answer.verdict),
        sections=[
            SectionPublic(
                key=s.key, title=s.title, claims=[_claim(c) for c in s.claims], note=s.note
            )
            for s in answer.sections
        ],
        references=[reference_public(r) for r in answer.references],
        assumptions=list(answer.assumptions),
        read_from_question=describe(answer.context),
        gaps=list(answer.gaps),
        notes=list(answer.notes),
        patient_context=context_public(answer.context),
        turn_context=turn_public(answer.turn),
        certainty_note=CERTAINTY_NOTE,
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
        writer_notes=list(answer.writer_notes),
        disclaimer=answer.disclaimer,
        generated_at=answer.generated_at,
        settings_hash=answer.settings_hash,
        timings_ms=dict(answer.timings),
    )


# -- HTTP API: inputs ----------------------------------------------------------------------

QUESTION_FIELD = Field(
    min_length=1,
    max_length=MAX_QUESTION_CHARS,
    pattern=r"\S",
    description=f"The question, in plain words (at most {MAX_QUESTION_CHARS} characters).",
    examples=["What are the symptoms of Noonan syndrome?"],
)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(_In):
    question: str = QUESTION_FIELD
    audience: Audience = Field(
        default=Audience.CLINICIAN,
        description="Who the answer is for: patients get patient-education sources first, "
        "shorter sentences and a talk-to-your-clinician note beside doses.",
    )


class ConversationCreate(_In):
    audience: Audience = Field(default=Audience.CLINICIAN, description="Audience of new turns.")


class MessageCreate(_In):
    question: str = QUESTION_FIELD
    audience: Audience | None = Field(
        default=None, description="Audience of this turn; default: the conversation's."
    )


# -- HTTP API: outputs ---------------------------------------------------------------------


class SavedAnswerPublic(PublicModel):
    id: str = Field(description="Answer id (`GET /api/answers/{id}`).")
    conversation_id: str = Field(description="The conversation the answer belongs to.")
    created_at: dt.datetime
    url: str = Field(description="Path of the answer's page in the web app.")
    answer: AnswerPublic


class ConversationPublic(PublicModel):
    id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    audience: Audience = Field(description="Audience of the latest turn.")
    url: str = Field(description="Shareable path of the conversation's page.")
    messages: list[SavedAnswerPublic] = Field(description="The turns, oldest first.")
    count: int


class DocumentPublic(PublicModel):
    id: str
    title: str
    source: str = Field(description="Publisher or collection.")
    kind: DocKind
    kind_label: str
    date: dt.date | None = Field(description="Most recent known date of the source, if any.")
    url: str | None


class PassagePublic(PublicModel):
    id: str
    document: DocumentPublic
    section: str | None
    kind: str = Field(description="text | table | caption")
    start: int = Field(description="Offset of the passage in the cleaned document text.")
    end: int
    text: str


class SourcePublic(PublicModel):
    kind: DocKind
    kind_label: str
    source: str = Field(description="Publisher or collection.")
    documents: int
    passages: int


class SourceList(PublicModel):
    data: list[SourcePublic]
    count: int


class HealthPublic(PublicModel):
    status: Literal["ok", "empty"] = Field(
        description="`empty` when nothing is indexed yet (run `medcite ingest`)."
    )
    passages: int
    version: str


class Problem(PublicModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = Field(default="about:blank", description="URI naming the problem type.")
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to do next.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Each invalid field of the request, for 422."
    )


def document_public(d: Document) -> DocumentPublic:
    return DocumentPublic(
        id=d.id,
        title=d.title,
        source=d.source,
        kind=d.kind,
        kind_label=d.kind.label,
        date=d.date,
        url=d.url,
    )


def passage_public(p: Passage) -> PassagePublic:
    return PassagePublic(
        id=p.id,
        document=document_public(p.document),
        section=p.section,
        kind=p.kind.value,
        start=p.start,
        end=p.end,
        text=p.text,
    )

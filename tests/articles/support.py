"""Helpers for the review tests: invented answers, citations, and articles moved to a status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from medcite.answer.citations import number_citations
from medcite.articles.freshness import text_hash
from medcite.articles.records import Article, CitedSource, User
from medcite.articles.service import Review
from medcite.articles.workflow import Action, Status
from medcite.schema import to_public
from medcite.types import (
    Answer,
    Audience,
    Claim,
    DocKind,
    Document,
    Passage,
    Section,
    Support,
)

DOCUMENT = Document(
    id="doc1", title="Brindle syndrome", kind=DocKind.PATIENT_EDUCATION, source="GARD",
    origin="test", version="v1",
)  # fmt: skip

SectionSpec = dict[str, list[tuple[str, list[str]]]]  # section -> [(claim text, passage ids)]
DEFAULT: SectionSpec = {
    "bottom_line": [("Brindle syndrome affects the skin and the heart.", ["p1"])],
    "first_line": [
        ("Beta blockers are often used first.", ["p2"]),
        ("An electrocardiogram every 12 months is recommended.", ["p2", "p3"]),
    ],
}


def make_answer_json(
    spec: SectionSpec | None = None, question: str = "How is Brindle treated?"
) -> str:
    """An answer's public JSON whose claims cite passages named by id (text = claim text)."""
    spec = spec or DEFAULT
    passages: dict[str, Passage] = {}

    def claim(text: str, ids: list[str], section: str) -> Claim:
        for pid in ids:
            passages.setdefault(pid, Passage(pid, DOCUMENT, len(passages), f"{pid}: {text}", 0, 1))
        support = tuple(Support(pid, text, 0, len(text)) for pid in ids)
        return Claim(text, tuple(ids), section, (), support)

    drafts = [claim(t, ids, key) for key, rows in spec.items() for t, ids in rows]
    claims, references = number_citations(drafts, passages)
    sections = tuple(
        Section(key, key.replace("_", " ").title(), tuple(c for c in claims if c.section == key))
        for key in spec
        if key != "bottom_line"
    )
    answer = Answer(
        question=question, question_type="treatment", audience=Audience.CLINICIAN,
        bottom_line=tuple(c for c in claims if c.section == "bottom_line"), sections=sections,
        references=tuple(references),
        abstained=False, abstention=None, disclaimer="Not medical advice.",
        generated_at=datetime(2026, 5, 1, tzinfo=UTC), settings_hash="abc123",
    )  # fmt: skip
    return to_public(answer).model_dump_json()


def sources(ids: Sequence[str] = ("p1", "p2", "p3")) -> tuple[CitedSource, ...]:
    return tuple(CitedSource(pid, "doc1", "v1", text_hash(f"text of {pid}")) for pid in ids)


def create_article(review: Review, author: User, spec: SectionSpec | None = None) -> Article:
    return review.articles.create(
        by=author, question="How is Brindle treated?", audience="clinician",
        answer_json=make_answer_json(spec), settings_hash="abc123", sources=sources(),
    )  # fmt: skip


def revise(review: Review, article: Article, by: User, spec: SectionSpec | None = None) -> Article:
    return review.articles.revise(
        article.id, by=by, answer_json=make_answer_json(spec), settings_hash="abc123",
        sources=sources(),
    )  # fmt: skip


def article_in(
    review: Review, status: Status, author: User, editor: User, reviewer: User
) -> Article:
    """A new article moved along legal steps to `status`."""
    a = create_article(review, author)
    steps = {
        Status.DRAFT: [],
        Status.SUBMITTED: [Action.SUBMIT],
        Status.UNDER_REVIEW: [Action.SUBMIT, Action.ASSIGN],
        Status.APPROVED: [Action.SUBMIT, Action.ASSIGN, Action.APPROVE],
        Status.CHANGES_REQUESTED: [Action.SUBMIT, Action.ASSIGN, Action.REQUEST_CHANGES],
        Status.RETIRED: [Action.RETIRE],
    }[status]
    for action in steps:
        a = review.articles.transition(
            a.id, action, by=author if action is Action.SUBMIT else editor,
            reviewer=reviewer if action is Action.ASSIGN else None, comment="needs work",
        )  # fmt: skip
    assert a.status is status
    return a

"""Freshness: re-ingesting a changed source flags the approved articles that cite it."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.articles.freshness import check_freshness
from medcite.articles.service import Review, shown_answer
from medcite.articles.workflow import Action, Status
from medcite.engine import Engine
from medcite.errors import ReviewConflict
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.schema import to_public
from medcite.settings import Settings

from ..conftest import MEDQUAD_RECORDS, write_medquad
from .conftest import Team

QUESTION = "What are the treatments for Brindle syndrome?"


def _approved_article(review: Review, library: Library, team: Team) -> str:
    answer = to_public(Engine(library.settings).ask(QUESTION))
    assert not answer.abstained and answer.references
    a = review.save_answer(answer, library, by=team.author)
    v = review.articles.version(a.id)
    cited = {p.passage_id for r in answer.references for p in r.passages}
    assert {s.passage_id for s in v.sources} == cited
    stored = library.store.passages([s.passage_id for s in v.sources])
    assert all(stored[s.passage_id].document.version == s.document_version for s in v.sources)
    for action in (Action.SUBMIT, Action.ASSIGN, Action.APPROVE):
        by = team.author if action is Action.SUBMIT else team.reviewer
        a = review.articles.transition(a.id, action, by=by)
    assert a.status is Status.APPROVED
    return a.id


def _change_treatment_page(corpus: Path) -> None:
    records = [dict(r) for r in MEDQUAD_RECORDS]
    for r in records:
        if r["qid"] == "T1-3":
            r["answer"] = r["answer"].replace("every 12 months", "every 6 months")
    write_medquad(corpus / "medquad.jsonl", records)


def test_reingesting_a_changed_source_flags_the_article(
    review: Review, library: Library, team: Team, corpus: Path, settings: Settings
) -> None:
    article_id = _approved_article(review, library, team)
    assert check_freshness(review.articles, library) == []  # nothing changed yet
    ingest([corpus], library)  # unchanged files: still fresh
    assert check_freshness(review.articles, library) == []

    _change_treatment_page(corpus)
    report = ingest([corpus], library)
    assert report.count("updated") == 1
    assert check_freshness(review.articles, library) == [article_id]
    assert check_freshness(review.articles, library) == []  # flagged once

    article = review.articles.article(article_id)
    assert article.stale and article.status is Status.APPROVED
    assert "removed from the library" in (article.stale_reason or "")
    assert article in review.articles.articles(stale=True)
    shown = shown_answer(article, review.articles.version(article_id))
    assert shown.review_status == "needs_re_review"

    # A new version answered from the current sources is fresh again.
    revised = review.revise(article, Engine(settings), by=team.author)
    assert revised.current_version == 2 and not revised.stale
    assert revised.status is Status.DRAFT


def test_an_answer_whose_sources_changed_cannot_be_saved(
    review: Review, library: Library, team: Team, corpus: Path
) -> None:
    answer = to_public(Engine(library.settings).ask(QUESTION))
    _change_treatment_page(corpus)
    ingest([corpus], library)
    cited = [p.passage_id for r in answer.references for p in r.passages]
    current = library.store.passages(cited)
    assert any(pid not in current for pid in cited)
    with pytest.raises(ReviewConflict, match="ask the question again"):
        review.save_answer(answer, library, by=team.author)

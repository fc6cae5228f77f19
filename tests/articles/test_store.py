"""The article store on SQLite and PostgreSQL: versions, transitions, roles, comments, audit."""

from __future__ import annotations

import itertools
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from medcite.articles.db import Database
from medcite.articles.models import Base
from medcite.articles.service import Review
from medcite.articles.workflow import Action, Status
from medcite.errors import (
    ConcurrentUpdate,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ReviewConflict,
    ReviewError,
)

from .conftest import Team
from .support import article_in, create_article, make_answer_json, revise, sources
from .test_workflow import ALLOWED


def test_migrations_create_exactly_the_models(review: Review, db_url: str) -> None:
    with review.db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == "0002"
        assert compare_metadata(context, Base.metadata) == []
    Database(db_url).close()  # opening again is a no-op
    with review.db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0002"


def test_a_new_article_is_a_draft_with_an_immutable_first_version(
    review: Review, team: Team
) -> None:
    a = create_article(review, team.author)
    assert (a.status, a.current_version, a.revision) == (Status.DRAFT, 1, 1)
    assert a.author == team.author and a.reviewer is None and not a.stale
    v = review.articles.version(a.id)
    assert v.number == 1 and v.created_by == team.author and v.settings_hash == "abc123"
    assert json.loads(v.answer_json)["question"] == "How is Brindle treated?"
    assert v.sources == sources()
    [event] = review.articles.history(a.id)
    assert (event.action, event.actor, event.to_status) == ("create", team.author, Status.DRAFT)
    with pytest.raises(NotFound):
        review.articles.article("nope")
    with pytest.raises(NotFound):
        review.articles.version(a.id, 2)


STORE_TABLE = [
    pytest.param(status, action, ALLOWED.get((status, action)), id=f"{status}-{action}")
    for status, action in itertools.product(Status, Action)
]


@pytest.mark.parametrize(("status", "action", "target"), STORE_TABLE)
def test_every_transition_through_the_store(
    review: Review, team: Team, status: Status, action: Action, target: Status | None
) -> None:
    a = article_in(review, status, team.author, team.editor, team.reviewer)
    before = len(review.articles.history(a.id))

    def act() -> object:
        if action is Action.REVISE:
            return revise(review, a, team.author)
        by = team.author if action is Action.SUBMIT else team.editor
        reviewer = team.reviewer2 if action is Action.ASSIGN else None
        return review.articles.transition(
            a.id, action, by=by, reviewer=reviewer, comment="fix it", expected_revision=a.revision
        )

    if target is None:
        with pytest.raises(IllegalTransition):
            act()
        after = review.articles.article(a.id)
        assert (after.status, after.revision) == (status, a.revision)
        assert len(review.articles.history(a.id)) == before
        return
    act()
    after = review.articles.article(a.id)
    assert after.status is target and after.revision > a.revision
    event = review.articles.history(a.id)[-1]
    assert (event.action, event.from_status, event.to_status) == (action.value, status, target)


def test_approval_records_reviewer_time_and_comment(review: Review, team: Team) -> None:
    a = article_in(review, Status.UNDER_REVIEW, team.author, team.editor, team.reviewer)
    assert a.reviewer == team.reviewer
    with pytest.raises(PermissionDenied, match="assigned to another reviewer"):
        review.articles.transition(a.id, Action.APPROVE, by=team.reviewer2)
    done = review.articles.transition(
        a.id, Action.APPROVE, by=team.reviewer, comment="Checked against the sources."
    )
    assert done.approved_by == team.reviewer and done.approved_at is not None
    assert done.approval_comment == "Checked against the sources."
    event = review.articles.history(a.id)[-1]
    assert event.actor == team.reviewer and event.at.tzinfo is not None
    assert json.loads(event.detail) == {"comment": "Checked against the sources."}
    revised = revise(review, done, team.author)
    assert revised.approved_by is None and revised.status is Status.DRAFT


def test_roles_are_checked_by_the_store(review: Review, team: Team) -> None:
    a = create_article(review, team.author)
    with pytest.raises(PermissionDenied, match="author or an editor"):
        review.articles.transition(a.id, Action.SUBMIT, by=team.author2)
    a = review.articles.transition(a.id, Action.SUBMIT, by=team.author)
    with pytest.raises(PermissionDenied, match="needs the reviewer role"):
        review.articles.transition(a.id, Action.ASSIGN, by=team.author)
    with pytest.raises(PermissionDenied, match="only themselves"):
        review.articles.transition(a.id, Action.ASSIGN, by=team.reviewer, reviewer=team.reviewer2)
    a = review.articles.transition(a.id, Action.ASSIGN, by=team.reviewer)
    with pytest.raises(PermissionDenied, match="needs the reviewer role"):
        review.articles.transition(a.id, Action.APPROVE, by=team.author)
    with pytest.raises(PermissionDenied, match="needs the editor role"):
        review.articles.transition(a.id, Action.RETIRE, by=team.reviewer)
    with pytest.raises(PermissionDenied):
        revise(review, a, team.author2)
    assert review.articles.article(a.id).status is Status.UNDER_REVIEW


def test_the_author_cannot_approve_even_as_an_editor(review: Review, team: Team) -> None:
    a = create_article(review, team.editor)
    a = review.articles.transition(a.id, Action.SUBMIT, by=team.editor)
    with pytest.raises(PermissionDenied, match="author cannot review"):
        review.articles.transition(a.id, Action.ASSIGN, by=team.admin, reviewer=team.editor)
    a = review.articles.transition(a.id, Action.ASSIGN, by=team.admin, reviewer=team.reviewer)
    with pytest.raises(PermissionDenied, match="another reviewer must review"):
        review.articles.transition(a.id, Action.APPROVE, by=team.editor)


def test_request_changes_needs_a_comment_and_a_new_version_follows(
    review: Review, team: Team
) -> None:
    a = article_in(review, Status.UNDER_REVIEW, team.author, team.editor, team.reviewer)
    with pytest.raises(ReviewError, match="needs a comment"):
        review.articles.transition(a.id, Action.REQUEST_CHANGES, by=team.reviewer)
    a = review.articles.transition(
        a.id, Action.REQUEST_CHANGES, by=team.reviewer, comment="Cite the label."
    )
    a = revise(review, a, team.author, {"bottom_line": [("New text.", ["p9"])]})
    assert (a.status, a.current_version) == (Status.DRAFT, 2)
    assert review.articles.version(a.id, 1).number == 1  # the old version is kept
    assert "New text." in review.articles.version(a.id).answer_json
    a = review.articles.transition(a.id, Action.SUBMIT, by=team.author)
    assert a.status is Status.SUBMITTED and a.reviewer == team.reviewer
    actions = [e.action for e in review.articles.history(a.id)]
    assert actions == ["create", "submit", "assign", "request_changes", "revise", "submit"]


def test_stale_revision_is_a_conflict(review: Review, team: Team) -> None:
    a = create_article(review, team.author)
    review.articles.transition(a.id, Action.SUBMIT, by=team.author)
    with pytest.raises(ConcurrentUpdate, match="reload it"):
        review.articles.transition(
            a.id, Action.RETIRE, by=team.editor, expected_revision=a.revision
        )


def test_claim_comments(review: Review, team: Team) -> None:
    a = create_article(review, team.author)
    c = review.articles.comment(a.id, by=team.reviewer, body="Which guideline?", claim_index=2)
    assert (c.version, c.claim_index, c.section_key) == (1, 2, "first_line")
    whole = review.articles.comment(a.id, by=team.author, body="Thanks")
    assert whole.claim_index is None and whole.section_key is None
    with pytest.raises(ReviewError, match="claims 0 to 2"):
        review.articles.comment(a.id, by=team.reviewer, body="?", claim_index=3)
    with pytest.raises(PermissionDenied):
        review.articles.comment(a.id, by=team.author2, body="Drive-by")
    with pytest.raises(ReviewError, match="1 to"):
        review.articles.comment(a.id, by=team.reviewer, body="   ")
    assert [x.body for x in review.articles.comments(a.id)] == ["Which guideline?", "Thanks"]
    audit = [e for e in review.articles.history(a.id) if e.action == "comment"]
    assert json.loads(audit[0].detail)["section"] == "first_line"


def test_listing_and_the_freshness_index(review: Review, team: Team) -> None:
    draft = create_article(review, team.author)
    approved = article_in(review, Status.APPROVED, team.author2, team.editor, team.reviewer)
    queued = article_in(review, Status.SUBMITTED, team.author, team.editor, team.reviewer)
    listed = review.articles.articles([Status.SUBMITTED, Status.APPROVED])
    assert {a.id for a in listed} == {approved.id, queued.id}
    assert [a.id for a in review.articles.articles(author_id=team.author2.id)] == [approved.id]
    cited = review.articles.cited_passages()
    assert {c.article_id for c in cited} == {approved.id, queued.id}  # drafts are not watched
    assert draft.id not in {c.article_id for c in cited}

    assert review.articles.mark_stale({approved.id: "passage p1 was removed"}) == [approved.id]
    assert review.articles.mark_stale({approved.id: "again"}) == []  # flagged once
    stale = review.articles.article(approved.id)
    assert stale.stale and stale.public_status == "needs_re_review"
    assert stale.status is Status.APPROVED  # the status itself is kept, as stored
    assert review.articles.articles(stale=True) == [stale]
    event = review.articles.history(approved.id)[-1]
    assert event.action == "source_changed" and event.actor is None and event.who == "medcite"
    assert approved.id not in {c.article_id for c in review.articles.cited_passages()}


def test_a_stale_version_cannot_be_approved(review: Review, team: Team) -> None:
    a = article_in(review, Status.UNDER_REVIEW, team.author, team.editor, team.reviewer)
    review.articles.mark_stale({a.id: "the text of passage p2 changed"})
    with pytest.raises(ReviewConflict, match="make a new version"):
        review.articles.transition(a.id, Action.APPROVE, by=team.reviewer)
    a = review.articles.transition(a.id, Action.REQUEST_CHANGES, by=team.reviewer, comment="Redo")
    a = revise(review, a, team.author)
    assert not a.stale and a.public_status == "draft"


def test_answer_json_round_trips_unicode(review: Review, team: Team) -> None:
    spec = {"bottom_line": [("Dose 5 mg/kg — every 12 h; µg, ≥ 2 × 10⁹/L.", ["p1"])]}
    a = review.articles.create(
        by=team.author, question="Q?", audience="patient",
        answer_json=make_answer_json(spec), settings_hash="h", sources=sources(["p1"]),
    )  # fmt: skip
    assert (
        "≥ 2 × 10⁹/L"
        in json.loads(review.articles.version(a.id).answer_json)["bottom_line"][0]["text"]
    )

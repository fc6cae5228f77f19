"""The workflow as a table: every (status, action) pair, and who may take each step.

The same table is run through the store, on SQLite and PostgreSQL, in test_store.py.
"""

from __future__ import annotations

import itertools

import pytest

from medcite.articles.workflow import (
    Action,
    Actor,
    Parties,
    Role,
    Status,
    check_permission,
    next_status,
)
from medcite.errors import IllegalTransition, PermissionDenied

S, A = Status, Action
# Every allowed transition; every other (status, action) pair is forbidden.
ALLOWED: dict[tuple[Status, Action], Status] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.REVISE): S.DRAFT,
    (S.DRAFT, A.RETIRE): S.RETIRED,
    (S.SUBMITTED, A.ASSIGN): S.UNDER_REVIEW,
    (S.SUBMITTED, A.RETIRE): S.RETIRED,
    (S.UNDER_REVIEW, A.ASSIGN): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, A.APPROVE): S.APPROVED,
    (S.UNDER_REVIEW, A.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.UNDER_REVIEW, A.RETIRE): S.RETIRED,
    (S.APPROVED, A.REVISE): S.DRAFT,
    (S.APPROVED, A.RETIRE): S.RETIRED,
    (S.CHANGES_REQUESTED, A.REVISE): S.DRAFT,
    (S.CHANGES_REQUESTED, A.RETIRE): S.RETIRED,
}
TABLE = [
    pytest.param(status, action, ALLOWED.get((status, action)), id=f"{status}-{action}")
    for status, action in itertools.product(Status, Action)
]


@pytest.mark.parametrize(("status", "action", "target"), TABLE)
def test_transition_table(status: Status, action: Action, target: Status | None) -> None:
    if target is None:
        with pytest.raises(IllegalTransition, match=f"cannot {action.label}"):
            next_status(status, action)
    else:
        assert next_status(status, action) is target


def test_retired_is_final() -> None:
    for action in Action:
        with pytest.raises(IllegalTransition):
            next_status(Status.RETIRED, action)


AUTHOR, OTHER_AUTHOR, REVIEWER, OTHER_REVIEWER, EDITOR, ADMIN = 1, 2, 3, 4, 5, 6
PARTIES = Parties(author_id=AUTHOR, version_creator_id=AUTHOR, reviewer_id=REVIEWER)
ACTORS = {
    "author": Actor(AUTHOR, Role.AUTHOR),
    "other_author": Actor(OTHER_AUTHOR, Role.AUTHOR),
    "assigned_reviewer": Actor(REVIEWER, Role.REVIEWER),
    "other_reviewer": Actor(OTHER_REVIEWER, Role.REVIEWER),
    "editor": Actor(EDITOR, Role.EDITOR),
    "admin": Actor(ADMIN, Role.ADMIN),
}
# Who may take each step on an article written by AUTHOR and assigned to REVIEWER.
MAY: dict[Action, set[str]] = {
    A.SUBMIT: {"author", "editor", "admin"},
    A.REVISE: {"author", "editor", "admin"},
    # a reviewer assigns only themselves, and not over another reviewer
    A.ASSIGN: {"assigned_reviewer", "editor", "admin"},
    A.APPROVE: {"assigned_reviewer", "editor", "admin"},
    A.REQUEST_CHANGES: {"assigned_reviewer", "editor", "admin"},
    A.RETIRE: {"editor", "admin"},
}
ROLE_TABLE = [
    pytest.param(action, name, name in MAY[action], id=f"{action}-{name}")
    for action in Action
    for name in ACTORS
]


@pytest.mark.parametrize(("action", "who", "allowed"), ROLE_TABLE)
def test_role_table(action: Action, who: str, allowed: bool) -> None:
    actor = ACTORS[who]
    if allowed:
        check_permission(actor, action, PARTIES)
    else:
        with pytest.raises(PermissionDenied):
            check_permission(actor, action, PARTIES)


@pytest.mark.parametrize("action", [A.APPROVE, A.REQUEST_CHANGES])
def test_no_one_reviews_their_own_article_or_version(action: Action) -> None:
    editor_author = Actor(EDITOR, Role.EDITOR)
    own = Parties(author_id=EDITOR, version_creator_id=EDITOR, reviewer_id=None)
    with pytest.raises(PermissionDenied, match="another reviewer"):
        check_permission(editor_author, action, own)
    revised_by_admin = Parties(author_id=AUTHOR, version_creator_id=ADMIN, reviewer_id=None)
    with pytest.raises(PermissionDenied, match="another reviewer"):
        check_permission(ACTORS["admin"], action, revised_by_admin)


def test_assign_rules() -> None:
    unassigned = Parties(author_id=AUTHOR, version_creator_id=AUTHOR, reviewer_id=None)
    check_permission(ACTORS["other_reviewer"], A.ASSIGN, unassigned)  # takes the review
    with pytest.raises(PermissionDenied, match="only themselves"):
        check_permission(
            ACTORS["other_reviewer"], A.ASSIGN, unassigned, ACTORS["assigned_reviewer"]
        )
    check_permission(ACTORS["editor"], A.ASSIGN, unassigned, ACTORS["other_reviewer"])
    with pytest.raises(PermissionDenied, match="reviewer role"):
        check_permission(ACTORS["editor"], A.ASSIGN, unassigned, ACTORS["other_author"])
    with pytest.raises(PermissionDenied, match="author cannot review"):
        check_permission(ACTORS["editor"], A.ASSIGN, unassigned, Actor(AUTHOR, Role.REVIEWER))

"""Two reviewers approve the same version at the same moment: exactly one wins.

Each thread has its own session (and connection); both read the article's revision first,
as two open review pages would, then approve with it. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from medcite.articles.records import User
from medcite.articles.service import Review
from medcite.articles.workflow import Action, Status
from medcite.errors import ConcurrentUpdate, ReviewConflict

from .conftest import Team
from .support import article_in


def _race(
    review: Review, article_id: str, reviewers: list[User], revision: int | None
) -> list[object]:
    barrier = threading.Barrier(len(reviewers))

    def approve(user: User) -> object:
        barrier.wait()
        try:
            return review.articles.transition(
                article_id, Action.APPROVE, by=user, comment=f"ok by {user.username}",
                expected_revision=revision,
            )  # fmt: skip
        except ReviewConflict as exc:
            return exc

    with ThreadPoolExecutor(len(reviewers)) as pool:
        return list(pool.map(approve, reviewers))


def test_concurrent_approvals_one_wins_one_conflicts(review: Review, team: Team) -> None:
    for _ in range(3):  # a few rounds: the winner may differ, the outcome may not
        a = article_in(review, Status.UNDER_REVIEW, team.author, team.editor, team.reviewer)
        results = _race(review, a.id, [team.reviewer, team.editor], a.revision)
        wins = [r for r in results if not isinstance(r, Exception)]
        losses = [r for r in results if isinstance(r, Exception)]
        assert len(wins) == 1 and len(losses) == 1
        assert isinstance(losses[0], ConcurrentUpdate)
        assert "someone changed this article" in str(losses[0])
        final = review.articles.article(a.id)
        assert final.status is Status.APPROVED and final.revision == a.revision + 1
        approvals = [e for e in review.articles.history(a.id) if e.action == "approve"]
        assert len(approvals) == 1 and final.approved_by == approvals[0].actor


def test_concurrent_approvals_without_a_known_revision_still_conflict(
    review: Review, team: Team
) -> None:
    a = article_in(review, Status.UNDER_REVIEW, team.author, team.editor, team.reviewer)
    results = _race(review, a.id, [team.reviewer, team.editor], None)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, ReviewConflict) for r in results) == 1
    assert len([e for e in review.articles.history(a.id) if e.action == "approve"]) == 1

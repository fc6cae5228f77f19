"""Users, roles, API tokens and web sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from medcite.articles import auth
from medcite.articles.models import SessionRow, TokenRow
from medcite.articles.service import Review
from medcite.articles.workflow import Role
from medcite.errors import AuthenticationRequired, NotFound, PermissionDenied, ReviewError

from .conftest import PASSWORD, Team


def test_bootstrap_only_an_admin_and_only_while_there_are_no_users(review: Review) -> None:
    with pytest.raises(ReviewError, match="first user must be an admin"):
        review.accounts.add_user("alice", Role.AUTHOR)
    admin = review.accounts.add_user("Ada", Role.ADMIN, password=PASSWORD)
    assert admin.username == "ada" and admin.display_name == "ada" and admin.has_password
    with pytest.raises(PermissionDenied, match="only an admin"):
        review.accounts.add_user("mallory", Role.ADMIN)
    author = review.accounts.add_user("alice", Role.AUTHOR, by=admin)
    with pytest.raises(PermissionDenied, match="only an admin"):
        review.accounts.add_user("bob", Role.AUTHOR, by=author)
    with pytest.raises(ReviewError, match="taken"):
        review.accounts.add_user("alice", Role.REVIEWER, by=admin)
    with pytest.raises(ReviewError, match="username"):
        review.accounts.add_user("no spaces", Role.REVIEWER, by=admin)
    with pytest.raises(ReviewError, match="at least"):
        review.accounts.add_user("bob", Role.REVIEWER, password="short", by=admin)
    assert review.accounts.count() == 2
    assert [u.username for u in review.accounts.users()] == ["ada", "alice"]


def test_passwords_are_argon2_and_checked(review: Review, team: Team) -> None:
    assert review.accounts.check_password("ada", PASSWORD) == team.admin
    assert review.accounts.check_password(" ADA ", PASSWORD) == team.admin
    for name, password in (("ada", "wrong password"), ("nobody", PASSWORD), ("alice", PASSWORD)):
        with pytest.raises(AuthenticationRequired, match="wrong username or password"):
            review.accounts.check_password(name, password)  # alice has no password at all
    with review.db.read() as s:
        from medcite.articles.models import UserRow

        stored = s.get(UserRow, team.admin.id)
        assert stored is not None and stored.password_hash
        assert (
            stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
        )


def test_tokens_are_shown_once_hashed_at_rest_and_name_their_user(
    review: Review, team: Team
) -> None:
    issued = review.accounts.issue_token(team.reviewer, "laptop", by=team.reviewer)
    assert issued.secret.startswith(auth.TOKEN_PREFIX) and len(issued.secret) > 40
    assert review.accounts.user_for_token(issued.secret) == team.reviewer
    with review.db.read() as s:
        row = s.get(TokenRow, issued.id)
        assert row is not None and row.token_hash == auth.token_hash(issued.secret)
        assert issued.secret not in row.token_hash
    with pytest.raises(PermissionDenied, match="only an admin"):
        review.accounts.issue_token(team.editor, "x", by=team.reviewer)
    by_admin = review.accounts.issue_token(team.editor, "ci", by=team.admin)
    assert review.accounts.user_for_token(by_admin.secret) == team.editor
    for bad in (None, "", issued.secret + "x", "mct_guess"):
        with pytest.raises(AuthenticationRequired):
            review.accounts.user_for_token(bad)
    with pytest.raises(PermissionDenied):
        review.accounts.revoke_tokens(team.reviewer, by=team.author)
    assert review.accounts.revoke_tokens(team.reviewer, by=team.reviewer) == 1
    with pytest.raises(AuthenticationRequired):
        review.accounts.user_for_token(issued.secret)


def test_sessions_expire_and_end(review: Review, team: Team) -> None:
    cookie, session = review.accounts.start_session(team.reviewer, hours=1)
    found = review.accounts.session(cookie)
    assert found is not None and found.user == team.reviewer
    assert found.csrf_token == session.csrf_token and len(session.csrf_token) >= 32
    assert (
        review.accounts.session("not-a-session") is None and review.accounts.session(None) is None
    )
    review.accounts.end_session(cookie)
    assert review.accounts.session(cookie) is None
    old, _ = review.accounts.start_session(team.reviewer, hours=1)
    with review.db.write() as s:
        row = s.get(SessionRow, auth.token_hash(old))
        assert row is not None
        row.expires_at = datetime(2020, 1, 1, tzinfo=UTC)
    assert review.accounts.session(old) is None
    with pytest.raises(NotFound):
        review.accounts.by_username("nobody")

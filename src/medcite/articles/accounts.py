"""People: users with a role, API tokens (hashed at rest, expiring, revocable) and web sessions
(CSRF token each); sign-ins throttled by account and address (`throttle.py`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medcite.articles import auth
from medcite.articles.db import Database
from medcite.articles.models import SessionRow, TokenRow, UserRow
from medcite.articles.records import IssuedToken, TokenInfo, User, WebSession
from medcite.articles.throttle import SignInThrottle, account_key, address_key
from medcite.articles.workflow import Role
from medcite.errors import AuthenticationRequired, NotFound, PermissionDenied, ReviewError

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_BAD_TOKEN = "the API token is not valid (revoked, mistyped, or for another database)"


class Accounts:
    """Users, tokens and sessions over the review database."""

    def __init__(self, db: Database, *, token_days: float = 90.0) -> None:
        self.db = db
        self.token_days = token_days
        self.throttle = SignInThrottle(db)

    # -- users ---------------------------------------------------------------------------

    def count(self) -> int:
        with self.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(UserRow)) or 0)

    def add_user(
        self,
        username: str,
        role: Role,
        *,
        display_name: str | None = None,
        password: str | None = None,
        by: User | None = None,
    ) -> User:
        """A new user. `by` must be an admin, unless there are no users yet (bootstrap)."""
        username = username.strip().lower()
        if not USERNAME.fullmatch(username):
            raise ReviewError(
                "a username is 2-64 characters: lowercase letters, digits, '.', '_' or '-'"
            )
        if password is not None and (problem := auth.password_problem(password)):
            raise ReviewError(problem)
        with self.db.write() as s:
            existing = s.scalar(select(func.count()).select_from(UserRow)) or 0
            if existing and (by is None or not by.role.includes(Role.ADMIN)):
                raise PermissionDenied("only an admin may add users (use an admin's --token)")
            if not existing and role is not Role.ADMIN:
                raise ReviewError("the first user must be an admin: add them with --role admin")
            row = UserRow(
                username=username,
                display_name=display_name or username,
                role=role.value,
                password_hash=auth.hash_password(password) if password else None,
                created_at=_now(),
            )
            s.add(row)
            try:
                s.flush()
            except IntegrityError:
                raise ReviewError(f"the username {username!r} is taken") from None
            return user_record(row)

    def user(self, user_id: int) -> User:
        with self.db.read() as s:
            row = s.get(UserRow, user_id)
            if row is None:
                raise NotFound(f"no user with id {user_id}")
            return user_record(row)

    def by_username(self, username: str) -> User:
        with self.db.read() as s:
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                raise NotFound(f"no user named {username!r}; `medcite users add` creates one")
            return user_record(row)

    def users(self) -> list[User]:
        with self.db.read() as s:
            return [user_record(r) for r in s.scalars(select(UserRow).order_by(UserRow.username))]

    def check_password(self, username: str, password: str, *, address: str | None = None) -> User:
        """The user whose password this is, or AuthenticationRequired (same message either
        way). Throttled: SignInThrottled, before any hashing, while the account or the
        `address` it comes from is locked after too many failures."""
        keys = [account_key(username)] + ([address_key(address)] if address else [])
        self.throttle.check(keys)
        with self.db.read() as s:
            row = s.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
        stored = row.password_hash if row else None
        if not auth.verify_password(stored, password) or row is None:
            self.throttle.failed(keys)
            raise AuthenticationRequired("wrong username or password")
        self.throttle.succeeded(username)
        return user_record(row)

    # -- API tokens ----------------------------------------------------------------------

    def issue_token(self, user: User, name: str, *, by: User) -> IssuedToken:
        """A new API token for `user` (by themselves or an admin); the secret is shown once."""
        if by.id != user.id and not by.role.includes(Role.ADMIN):
            raise PermissionDenied("only an admin may issue a token for another user")
        secret = auth.new_api_token()
        with self.db.write() as s:
            now = _now()
            row = TokenRow(
                user_id=user.id,
                name=name[:100] or "token",
                token_hash=auth.token_hash(secret),
                created_at=now,
                expires_at=now + timedelta(days=self.token_days),
            )
            s.add(row)
            s.flush()
            return IssuedToken(row.id, user.id, row.name, secret, row.created_at)

    def user_for_token(self, token: str | None) -> User:
        """The user an API token belongs to, or AuthenticationRequired."""
        if not token:
            raise AuthenticationRequired(
                "this needs an API token: pass --token or set MEDCITE_TOKEN "
                "(`medcite users token NAME` issues one)"
            )
        with self.db.read() as s:
            found = s.execute(
                select(UserRow, TokenRow)
                .join(TokenRow, TokenRow.user_id == UserRow.id)
                .where(TokenRow.token_hash == auth.token_hash(token.strip()))
                .where(TokenRow.revoked_at.is_(None))
            ).first()
        if found is None:
            raise AuthenticationRequired(_BAD_TOKEN)
        expires = self._expiry(found[1])
        if expires <= _now():
            raise AuthenticationRequired(
                f"the API token expired on {expires:%Y-%m-%d}: issue a new one "
                "(`medcite users token NAME`)"
            )
        return user_record(found[0])

    def _expiry(self, row: TokenRow) -> datetime:
        return row.expires_at or row.created_at + timedelta(days=self.token_days)

    def tokens(self, user: User, *, by: User) -> list[TokenInfo]:
        """A user's API tokens (yours, or anyone's for an admin), newest first."""
        _may_manage_tokens(user, by)
        with self.db.read() as s:
            rows = s.scalars(
                select(TokenRow).where(TokenRow.user_id == user.id).order_by(TokenRow.id.desc())
            )
            return [
                TokenInfo(r.id, r.name, r.created_at, self._expiry(r), r.revoked_at) for r in rows
            ]

    def revoke_tokens(self, user: User, *, by: User, token_id: int | None = None) -> int:
        """Revoke one of a user's tokens (`token_id`) or all of them; returns how many."""
        _may_manage_tokens(user, by)
        chosen = [TokenRow.user_id == user.id, TokenRow.revoked_at.is_(None)]
        if token_id is not None:
            chosen.append(TokenRow.id == token_id)
        with self.db.write() as s:
            result = s.execute(update(TokenRow).where(*chosen).values(revoked_at=_now()))
            return int(getattr(result, "rowcount", 0))

    # -- web sessions --------------------------------------------------------------------

    def start_session(self, user: User, hours: float) -> tuple[str, WebSession]:
        """A new session for `user`: the cookie value (shown once) and the session."""
        token = auth.new_session_token()
        now = _now()
        row = SessionRow(
            token_hash=auth.token_hash(token),
            user_id=user.id,
            csrf_token=auth.new_csrf_token(),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        with self.db.write() as s:
            s.execute(delete(SessionRow).where(SessionRow.expires_at < now))
            s.add(row)
        return token, WebSession(user, row.csrf_token, row.expires_at)

    def session(self, token: str | None) -> WebSession | None:
        """The live session a cookie names, or None."""
        if not token:
            return None
        with self.db.read() as s:
            found = s.execute(
                select(SessionRow, UserRow)
                .join(UserRow, UserRow.id == SessionRow.user_id)
                .where(SessionRow.token_hash == auth.token_hash(token))
            ).first()
        if found is None or found[0].expires_at <= _now():
            return None
        return WebSession(user_record(found[1]), found[0].csrf_token, found[0].expires_at)

    def end_session(self, token: str) -> None:
        with self.db.write() as s:
            s.execute(delete(SessionRow).where(SessionRow.token_hash == auth.token_hash(token)))


def _may_manage_tokens(user: User, by: User) -> None:
    if by.id != user.id and not by.role.includes(Role.ADMIN):
        raise PermissionDenied("only an admin may see or revoke another user's tokens")


def user_record(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        created_at=row.created_at,
        has_password=row.password_hash is not None,
    )


def users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = session.scalars(select(UserRow).where(UserRow.id.in_(sorted(ids))))
    return {r.id: user_record(r) for r in rows}


def _now() -> datetime:
    return datetime.now(UTC)

"""Failed sign-ins, counted in the review database by account and by address.

After a few free failures a key is locked with exponential backoff (1 s, 2 s, 4 s … up to
15 min); while locked, a sign-in is refused before any password is hashed. Counts live in
the database, so every server process (and the CLI) sees the same ones, and a successful
sign-in clears its account's count (never its address's: an attacker's own account must not
reset the count of the address it guesses from). A key's failures are forgotten a day after
the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from medcite.articles.db import Database
from medcite.articles.models import SignInFailureRow
from medcite.errors import SignInThrottled


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures are free for an account and for an address, then the backoff."""

    free_account: int = 5
    free_address: int = 30  # many people may sign in from one address (a hospital's NAT)
    base_s: float = 1.0
    max_s: float = 900.0
    forget_after: timedelta = timedelta(days=1)


def account_key(username: str) -> str:
    return "account:" + username.strip().lower()[:150]


def address_key(address: str) -> str:
    return "address:" + address[:150]


class SignInThrottle:
    """Refuses sign-ins for locked keys and records failures, across processes."""

    def __init__(self, db: Database, policy: ThrottlePolicy | None = None) -> None:
        self.db = db
        self.policy = policy or ThrottlePolicy()

    def check(self, keys: Sequence[str]) -> None:
        """SignInThrottled when any key is locked now."""
        now = _now()
        with self.db.read() as s:
            until = s.scalars(
                select(SignInFailureRow.locked_until).where(
                    SignInFailureRow.key.in_(list(keys)), SignInFailureRow.locked_until > now
                )
            ).all()
        if until:
            raise SignInThrottled((max(t for t in until if t) - now).total_seconds())

    def failed(self, keys: Sequence[str]) -> None:
        """Count one failure for each key, locking those past their free failures."""
        now = _now()
        with self.db.write() as s:
            for key in keys:
                lock = self.backoff(key, self._count_failure(s, key, now))
                if lock:
                    s.execute(
                        update(SignInFailureRow)
                        .where(SignInFailureRow.key == key)
                        .values(locked_until=now + timedelta(seconds=lock))
                    )

    def _count_failure(self, s: Session, key: str, now: datetime) -> int:
        """One more failure for `key`, in one statement (an upsert: concurrent processes
        never lose a count); a count whose last failure is old enough starts again."""
        insert = sqlite_insert if self.db.is_sqlite else postgres_insert
        row = SignInFailureRow
        stale = row.last_failure_at < now - self.policy.forget_after
        statement = insert(row).values(key=key, failures=1, last_failure_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[row.key],
            set_={
                "failures": case((stale, 1), else_=row.failures + 1),
                "last_failure_at": now,
            },
        )
        s.execute(statement)
        return int(s.scalar(select(row.failures).where(row.key == key)) or 0)

    def succeeded(self, username: str) -> None:
        """The account's count starts again."""
        with self.db.write() as s:
            s.execute(delete(SignInFailureRow).where(SignInFailureRow.key == account_key(username)))

    def backoff(self, key: str, failures: int) -> float:
        """Seconds a key is locked for after its `failures`-th failure (0: not locked)."""
        free = self.policy.free_address if key.startswith("address:") else self.policy.free_account
        if failures <= free:
            return 0.0
        return float(min(self.policy.max_s, self.policy.base_s * 2 ** (failures - free - 1)))


def _now() -> datetime:
    return datetime.now(UTC)

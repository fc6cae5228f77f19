"""Sign-in abuse: failures throttled by account and address with backoff, in the database
(so across processes); password hashing bounded; API tokens that expire and can be revoked."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from medcite.articles import auth
from medcite.articles.accounts import Accounts
from medcite.articles.db import Database
from medcite.articles.models import SignInFailureRow, TokenRow
from medcite.articles.service import Review
from medcite.articles.throttle import ThrottlePolicy, account_key
from medcite.errors import AuthenticationRequired, ServerBusy, SignInThrottled

from .conftest import PASSWORD, Team

WRONG = "not the password at all"


def _fail(accounts: Accounts, username: str, address: str | None = None, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationRequired, match="wrong username or password"):
            accounts.check_password(username, WRONG, address=address)


def test_an_account_is_locked_after_its_free_failures_even_for_the_right_password(
    review: Review, team: Team
) -> None:
    accounts = review.accounts
    _fail(accounts, "ada", times=ThrottlePolicy().free_account + 1)
    with pytest.raises(SignInThrottled, match="try again in") as locked:
        accounts.check_password("ada", PASSWORD)
    assert 1 <= locked.value.retry_after_s <= 2


def test_the_lock_doubles_with_each_failure_and_is_capped(review: Review) -> None:
    throttle = review.accounts.throttle
    free = throttle.policy.free_account
    waits = [throttle.backoff("account:x", free + n) for n in range(1, 14)]
    assert waits[:4] == [1.0, 2.0, 4.0, 8.0] and waits[-1] == throttle.policy.max_s
    assert throttle.backoff("account:x", free) == 0.0
    assert throttle.backoff("address:1.2.3.4", free + 1) == 0.0  # an address is freer


def test_a_locked_sign_in_spends_no_password_hash(
    review: Review, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail(review.accounts, "ada", times=ThrottlePolicy().free_account + 1)
    hashed: list[int] = []
    original = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda *a: hashed.append(1) or original(*a))
    with pytest.raises(SignInThrottled):
        review.accounts.check_password("ada", PASSWORD)
    assert hashed == []


def test_success_clears_the_account_once_its_lock_has_passed(review: Review, team: Team) -> None:
    _fail(review.accounts, "ada", times=ThrottlePolicy().free_account + 1)
    with review.db.write() as s:  # the lock has run out
        s.execute(update(SignInFailureRow).values(locked_until=datetime.now(UTC)))
    assert review.accounts.check_password("ada", PASSWORD) == team.admin
    with review.db.read() as s:
        assert s.get(SignInFailureRow, account_key("ada")) is None


def test_an_address_guessing_many_accounts_is_locked(review: Review, team: Team) -> None:
    accounts = review.accounts
    address = "203.0.113.9"
    for n in range(ThrottlePolicy().free_address + 1):
        _fail(accounts, f"guess{n}", address=address)  # one failure per account: none locked
    with pytest.raises(SignInThrottled):
        accounts.check_password("ada", PASSWORD, address=address)
    assert accounts.check_password("ada", PASSWORD, address="198.51.100.7") == team.admin


def test_counts_are_shared_by_every_process_using_the_database(
    review: Review, team: Team, db_url: str
) -> None:
    other = Database(db_url)  # as another server process would open it
    try:
        _fail(Accounts(other), "ada", times=ThrottlePolicy().free_account + 1)
    finally:
        other.close()
    with pytest.raises(SignInThrottled):
        review.accounts.check_password("ada", PASSWORD)


def test_old_failures_are_forgotten(review: Review, team: Team) -> None:
    _fail(review.accounts, "ada", times=ThrottlePolicy().free_account)
    with review.db.write() as s:
        long_ago = datetime.now(UTC) - timedelta(days=2)
        s.execute(update(SignInFailureRow).values(last_failure_at=long_ago))
    _fail(review.accounts, "ada")  # counts as the first again: not locked
    assert review.accounts.check_password("ada", PASSWORD) == team.admin


def test_password_hashing_is_bounded_and_a_burst_waits_then_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(auth, "_TURN_WAIT_S", 0.2)
    auth.limit_hashing(1)
    release = threading.Event()
    running = threading.Event()
    real = auth._hasher

    class SlowHasher:
        def verify(self, stored: str, password: str) -> bool:
            running.set()
            release.wait(5)
            return bool(real.verify(stored, password))

    monkeypatch.setattr(auth, "_hasher", SlowHasher())
    first = threading.Thread(target=auth.verify_password, args=(None, WRONG))
    first.start()
    try:
        assert running.wait(5)
        started = time.monotonic()
        with pytest.raises(ServerBusy, match="busy"):
            auth.verify_password(None, WRONG)  # the only turn is taken
        assert time.monotonic() - started < 2
    finally:
        release.set()
        first.join()
        auth.limit_hashing(2)


def test_tokens_expire(review: Review, team: Team) -> None:
    issued = review.accounts.issue_token(team.reviewer, "laptop", by=team.reviewer)
    (listed,) = review.accounts.tokens(team.reviewer, by=team.reviewer)
    assert listed.expires_at - listed.created_at == timedelta(days=90)
    with review.db.write() as s:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        s.execute(update(TokenRow).values(expires_at=yesterday))
    with pytest.raises(AuthenticationRequired, match="expired on"):
        review.accounts.user_for_token(issued.secret)


def test_a_token_issued_before_expiry_dates_expires_from_its_issue_date(
    review: Review, team: Team
) -> None:
    issued = review.accounts.issue_token(team.reviewer, "old", by=team.reviewer)
    with review.db.write() as s:
        s.execute(
            update(TokenRow).values(
                expires_at=None, created_at=datetime.now(UTC) - timedelta(days=91)
            )
        )
    with pytest.raises(AuthenticationRequired, match="expired"):
        review.accounts.user_for_token(issued.secret)


def test_one_token_is_revoked_by_id_and_the_others_keep_working(review: Review, team: Team) -> None:
    laptop = review.accounts.issue_token(team.reviewer, "laptop", by=team.reviewer)
    ci = review.accounts.issue_token(team.reviewer, "ci", by=team.admin)
    assert review.accounts.revoke_tokens(team.reviewer, by=team.admin, token_id=laptop.id) == 1
    with pytest.raises(AuthenticationRequired):
        review.accounts.user_for_token(laptop.secret)
    assert review.accounts.user_for_token(ci.secret) == team.reviewer
    listed = {t.id: t for t in review.accounts.tokens(team.reviewer, by=team.reviewer)}
    assert listed[laptop.id].revoked_at is not None and listed[ci.id].revoked_at is None

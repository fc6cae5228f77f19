"""Secrets: argon2 password hashes, random API and session tokens hashed at rest, CSRF tokens.

API and session tokens are 256 random bits, so a plain SHA-256 of them is a safe way to store
them (no salt or slow hash is needed against guessing); passwords are not, so argon2id.

Each argon2 computation takes 64 MiB, so a burst of sign-ins would take memory without
bound: at most `review.max_concurrent_hashes` run at once per process (`limit_hashing`), and
a request that cannot get a turn within `_TURN_WAIT_S` is refused (ServerBusy, HTTP 503).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from medcite.errors import ServerBusy

TOKEN_PREFIX = "mct_"  # so a leaked token is recognisable in logs and by secret scanners
MIN_PASSWORD_CHARS = 10

_hasher = PasswordHasher()
# Verified against when the user does not exist, so that both cases take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
_TURN_WAIT_S = 10.0
_turns = threading.BoundedSemaphore(2)


def limit_hashing(at_once: int) -> None:
    """At most `at_once` argon2 computations at a time in this process."""
    global _turns
    _turns = threading.BoundedSemaphore(max(1, at_once))


@contextmanager
def _turn() -> Iterator[None]:
    turns = _turns
    if not turns.acquire(timeout=_TURN_WAIT_S):
        raise ServerBusy("the server is busy checking other sign-ins; try again in a moment")
    try:
        yield
    finally:
        turns.release()


def hash_password(password: str) -> str:
    with _turn():
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; always spends one argon2 verification."""
    with _turn():
        try:
            matches = _hasher.verify(stored_hash or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False
    return matches and stored_hash is not None


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"a password needs at least {MIN_PASSWORD_CHARS} characters"
    return None


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted secret with the expected one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())

"""What the article store hands to the rest of medcite: frozen dataclasses, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medcite.articles.workflow import Actor, Parties, Role, Status

NEEDS_RE_REVIEW = "needs_re_review"
_STATUS_WORDS = {
    Status.DRAFT: "Draft — not submitted for review",
    Status.SUBMITTED: "Submitted for review — not yet reviewed",
    Status.UNDER_REVIEW: "Under review — not yet approved",
    Status.CHANGES_REQUESTED: "Changes requested by the reviewer — not approved",
    Status.APPROVED: "Approved",
}


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    created_at: datetime
    has_password: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.role)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An API token as issued: `secret` is shown once and only its hash is stored."""

    id: int
    user_id: int
    name: str
    secret: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token as listed (never its secret): when it was issued, expires, was revoked."""

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: the user and the form token tied to the session."""

    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CitedSource:
    """A passage a version cites, as it was when the version was made."""

    passage_id: str
    document_id: str
    document_version: str
    text_hash: str


@dataclass(frozen=True, slots=True)
class Version:
    """An immutable snapshot: the answer's public JSON, its settings hash, its sources."""

    article_id: str
    number: int
    created_at: datetime
    created_by: User
    answer_json: str
    settings_hash: str
    sources: tuple[CitedSource, ...]


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    question: str
    audience: str
    status: Status
    revision: int  # bumped by every change: the optimistic-concurrency counter
    current_version: int
    author: User
    reviewer: User | None
    version_creator: User
    created_at: datetime
    updated_at: datetime
    approved_by: User | None = None
    approved_at: datetime | None = None
    approval_comment: str | None = None
    stale_since: datetime | None = None
    stale_reason: str | None = None
    source_answer_id: str | None = None

    @property
    def stale(self) -> bool:
        return self.stale_since is not None

    @property
    def public_status(self) -> str:
        """The status shown to readers: `needs_re_review` when a cited source changed."""
        if self.stale and self.status is not Status.RETIRED:
            return NEEDS_RE_REVIEW
        return self.status.value

    @property
    def status_line(self) -> str:
        """The status in words, exactly as stored; only a fresh approval reads as approved."""
        if self.status is Status.RETIRED:
            return "Retired — no longer maintained"
        if self.stale_since is not None:
            return f"Needs re-review: a cited source changed on {self.stale_since:%Y-%m-%d}"
        if self.status is Status.APPROVED and self.approved_by and self.approved_at:
            return f"Approved by {self.approved_by.display_name} on {self.approved_at:%Y-%m-%d}"
        if self.status is Status.UNDER_REVIEW and self.reviewer:
            return f"Under review by {self.reviewer.display_name} — not yet approved"
        return _STATUS_WORDS[self.status]

    @property
    def parties(self) -> Parties:
        return Parties(
            self.author.id, self.version_creator.id, self.reviewer.id if self.reviewer else None
        )


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One recorded change: who (None for medcite itself), when, what, and the details."""

    id: int
    article_id: str
    at: datetime
    actor: User | None
    action: str
    from_status: Status | None
    to_status: Status | None
    version: int
    detail: str

    @property
    def who(self) -> str:
        return self.actor.display_name if self.actor else "medcite"


@dataclass(frozen=True, slots=True)
class Comment:
    """A review comment on a version: on one claim (index and section) or on the whole."""

    id: int
    article_id: str
    version: int
    author: User
    at: datetime
    body: str
    claim_index: int | None = None
    section_key: str | None = None


@dataclass(frozen=True, slots=True)
class CitedPassage:
    """A passage cited by an article's current version, for the freshness check."""

    article_id: str
    passage_id: str
    text_hash: str
    document_version: str

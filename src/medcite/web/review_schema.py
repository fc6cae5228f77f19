"""The review API's JSON shapes: requests in (`ArticleCreate`, `TransitionRequest`,
`CommentCreate`), records out (`ArticlePublic` and its parts)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from medcite.articles.records import Article, AuditEvent, Comment, User, Version
from medcite.articles.store import MAX_COMMENT_CHARS
from medcite.articles.workflow import Action, Role, Status
from medcite.schema import AnswerPublic


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ArticleCreate(_In):
    answer_id: str = Field(
        min_length=1, max_length=128, description="A saved answer (`POST /api/ask` returns its id)."
    )


class TransitionRequest(_In):
    action: Action = Field(
        description="submit | assign | approve | request_changes | revise | retire"
    )
    expected_revision: int | None = Field(
        default=None,
        ge=1,
        description="The article's `revision` you acted on; a different current revision "
        "is a 409 conflict (someone else changed it first).",
    )
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS)
    reviewer: str | None = Field(
        default=None, max_length=64, description="For assign: the reviewer's username."
    )


class CommentCreate(_In):
    body: str = Field(min_length=1, max_length=MAX_COMMENT_CHARS, pattern=r"\S")
    version: int | None = Field(default=None, ge=1, description="Default: the current version.")
    claim_index: int | None = Field(
        default=None, ge=0, description="A claim of that version, bottom line first."
    )


class UserPublic(_Out):
    username: str
    display_name: str
    role: Role


class CommentPublic(_Out):
    id: int
    version: int
    author: UserPublic
    at: dt.datetime
    body: str
    claim_index: int | None
    section_key: str | None


class AuditEventPublic(_Out):
    at: dt.datetime
    who: str = Field(description="The user's name, or `medcite` for automatic checks.")
    action: str
    from_status: Status | None
    to_status: Status | None
    version: int
    detail: dict[str, Any]


class CitedSourcePublic(_Out):
    passage_id: str
    document_id: str
    document_version: str
    text_hash: str = Field(description="SHA-256 of the passage text the version cites.")


class ArticleSummary(_Out):
    id: str
    url: str
    question: str
    status: Status = Field(description="The workflow status, as stored.")
    review_status: str = Field(description="The status readers see: needs_re_review if stale.")
    status_line: str
    revision: int
    current_version: int
    author: UserPublic
    reviewer: UserPublic | None
    updated_at: dt.datetime


class ArticlePublic(ArticleSummary):
    audience: str
    created_at: dt.datetime
    approved_by: UserPublic | None
    approved_at: dt.datetime | None
    approval_comment: str | None
    stale_since: dt.datetime | None
    stale_reason: str | None
    answer: AnswerPublic = Field(description="The current version; review_status as above.")
    sources: list[CitedSourcePublic]
    comments: list[CommentPublic]
    history: list[AuditEventPublic] = Field(description="The audit trail, oldest first.")


class ArticleList(_Out):
    data: list[ArticleSummary]
    count: int


def user_public(u: User | None) -> UserPublic | None:
    return UserPublic(username=u.username, display_name=u.display_name, role=u.role) if u else None


def _user(u: User) -> UserPublic:
    return UserPublic(username=u.username, display_name=u.display_name, role=u.role)


def summary_fields(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "url": f"/articles/{a.id}",
        "question": a.question,
        "status": a.status,
        "review_status": a.public_status,
        "status_line": a.status_line,
        "revision": a.revision,
        "current_version": a.current_version,
        "author": _user(a.author),
        "reviewer": user_public(a.reviewer),
        "updated_at": a.updated_at,
    }


def article_summary(a: Article) -> ArticleSummary:
    return ArticleSummary(**summary_fields(a))


def comment_public(c: Comment) -> CommentPublic:
    return CommentPublic(
        id=c.id,
        version=c.version,
        author=_user(c.author),
        at=c.at,
        body=c.body,
        claim_index=c.claim_index,
        section_key=c.section_key,
    )


def article_public(
    a: Article,
    version: Version,
    answer: AnswerPublic,
    comments: list[Comment],
    history: list[AuditEvent],
) -> ArticlePublic:
    return ArticlePublic(
        **summary_fields(a),
        audience=a.audience,
        created_at=a.created_at,
        approved_by=user_public(a.approved_by),
        approved_at=a.approved_at,
        approval_comment=a.approval_comment,
        stale_since=a.stale_since,
        stale_reason=a.stale_reason,
        answer=answer,
        sources=[
            CitedSourcePublic(
                passage_id=s.passage_id,
                document_id=s.document_id,
                document_version=s.document_version,
                text_hash=s.text_hash,
            )
            for s in version.sources
        ],
        comments=[comment_public(c) for c in comments],
        history=[
            AuditEventPublic(
                at=e.at,
                who=e.who,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                version=e.version,
                detail=json.loads(e.detail),
            )
            for e in history
        ],
    )

"""Rows and records: what every change writes besides the article (a version with its
citations, an audit event) and how ORM rows become the frozen records callers get."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from medcite.articles.models import ArticleRow, AuditRow, CitationRow, VersionRow
from medcite.articles.records import Article, AuditEvent, CitedSource, User
from medcite.articles.workflow import Action, Status
from medcite.errors import ReviewError


def values_for(
    action: Action, target: Status, by: User, reviewer: User | None, comment: str | None
) -> dict[str, object]:
    values: dict[str, object] = {"status": target.value}
    if action is Action.ASSIGN:
        values["reviewer_id"] = (reviewer or by).id
    if target is Status.APPROVED:
        values.update(approved_by_id=by.id, approved_at=datetime.now(UTC), approval_comment=comment)
    else:
        values.update(approved_by_id=None, approved_at=None, approval_comment=None)
    return values


def add_version(
    s: Session,
    article_id: str,
    number: int,
    by: User,
    answer_json: str,
    settings_hash: str,
    sources: Sequence[CitedSource],
    now: datetime,
) -> None:
    s.add(
        VersionRow(
            article_id=article_id,
            number=number,
            created_at=now,
            created_by_id=by.id,
            answer_json=answer_json,
            settings_hash=settings_hash,
        )
    )
    unique = {c.passage_id: c for c in sources}
    s.add_all(
        CitationRow(
            article_id=article_id,
            version=number,
            passage_id=c.passage_id,
            document_id=c.document_id,
            document_version=c.document_version,
            text_hash=c.text_hash,
        )
        for c in unique.values()
    )


def audit(
    s: Session,
    article_id: str,
    by: User | None,
    action: str,
    from_status: Status | None,
    to_status: Status | None,
    version: int,
    detail: Mapping[str, object],
) -> None:
    s.add(
        AuditRow(
            article_id=article_id,
            at=datetime.now(UTC),
            actor_id=by.id if by else None,
            action=action,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value if to_status else None,
            version=version,
            detail=json.dumps(dict(detail), sort_keys=True),
        )
    )


def claim_section(answer_json: str, claim_index: int | None) -> str | None:
    """The section key of claim `claim_index` (bottom line first, then sections), or an error."""
    if claim_index is None:
        return None
    answer = json.loads(answer_json)
    keys = ["bottom_line"] * len(answer.get("bottom_line", []))
    for section in answer.get("sections", []):
        keys += [str(section["key"])] * len(section.get("claims", []))
    if not 0 <= claim_index < len(keys):
        raise ReviewError(f"this version has claims 0 to {len(keys) - 1}, not {claim_index}")
    return keys[claim_index]


def article_record(r: ArticleRow, users: Mapping[int, User], creator_id: int) -> Article:
    return Article(
        id=r.id,
        question=r.question,
        audience=r.audience,
        status=Status(r.status),
        revision=r.revision,
        current_version=r.current_version,
        author=users[r.author_id],
        reviewer=users[r.reviewer_id] if r.reviewer_id is not None else None,
        version_creator=users[creator_id],
        created_at=r.created_at,
        updated_at=r.updated_at,
        approved_by=users[r.approved_by_id] if r.approved_by_id is not None else None,
        approved_at=r.approved_at,
        approval_comment=r.approval_comment,
        stale_since=r.stale_since,
        stale_reason=r.stale_reason,
        source_answer_id=r.source_answer_id,
    )


def event_record(r: AuditRow, users: Mapping[int, User]) -> AuditEvent:
    return AuditEvent(
        id=r.id,
        article_id=r.article_id,
        at=r.at,
        actor=users[r.actor_id] if r.actor_id is not None else None,
        action=r.action,
        from_status=Status(r.from_status) if r.from_status else None,
        to_status=Status(r.to_status) if r.to_status else None,
        version=r.version,
        detail=r.detail,
    )

"""Articles: immutable versions, workflow transitions, comments and the audit trail.

Every change bumps the article's `revision` in an UPDATE whose WHERE clause names the revision
the caller read (optimistic concurrency): of two reviewers acting on the same version, one
wins and the other gets ConcurrentUpdate. Every change writes an audit event in the same
transaction. Callers get frozen records (`records.py`), never ORM rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from medcite.articles.accounts import users_by_id
from medcite.articles.db import Database
from medcite.articles.models import ArticleRow, AuditRow, CitationRow, CommentRow, VersionRow
from medcite.articles.records import (
    Article,
    AuditEvent,
    CitedPassage,
    CitedSource,
    Comment,
    User,
    Version,
)
from medcite.articles.rows import (
    add_version,
    article_record,
    audit,
    claim_section,
    event_record,
    values_for,
)
from medcite.articles.workflow import (
    Action,
    Status,
    check_permission,
    may_comment,
    next_status,
)
from medcite.errors import (
    ConcurrentUpdate,
    NotFound,
    PermissionDenied,
    ReviewConflict,
    ReviewError,
)

MAX_COMMENT_CHARS = 4000
# Articles whose current version is checked against re-ingested sources.
FRESHNESS_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.APPROVED)


class ArticleStore:
    """The repository of articles over the review database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reads ---------------------------------------------------------------------------

    def article(self, article_id: str) -> Article:
        with self.db.read() as s:
            return self._records(s, [_row(s, article_id)])[0]

    def articles(
        self,
        statuses: Iterable[Status] | None = None,
        *,
        author_id: int | None = None,
        stale: bool | None = None,
        limit: int = 200,
    ) -> list[Article]:
        """Articles, most recently changed first, filtered by status, author and freshness."""
        query = select(ArticleRow).order_by(ArticleRow.updated_at.desc()).limit(limit)
        if statuses is not None:
            query = query.where(ArticleRow.status.in_([s.value for s in statuses]))
        if author_id is not None:
            query = query.where(ArticleRow.author_id == author_id)
        if stale is not None:
            column = ArticleRow.stale_since
            query = query.where(column.is_not(None) if stale else column.is_(None))
        with self.db.read() as s:
            return self._records(s, list(s.scalars(query)))

    def version(self, article_id: str, number: int | None = None) -> Version:
        """A version of the article (its current one by default)."""
        with self.db.read() as s:
            if number is None:
                number = _row(s, article_id).current_version
            row = s.get(VersionRow, (article_id, number))
            if row is None:
                raise NotFound(f"article {article_id} has no version {number}")
            citations = s.scalars(
                select(CitationRow)
                .where(CitationRow.article_id == article_id, CitationRow.version == number)
                .order_by(CitationRow.passage_id)
            )
            sources = tuple(
                CitedSource(c.passage_id, c.document_id, c.document_version, c.text_hash)
                for c in citations
            )
            creator = users_by_id(s, {row.created_by_id})[row.created_by_id]
            return Version(
                article_id,
                number,
                row.created_at,
                creator,
                row.answer_json,
                row.settings_hash,
                sources,
            )

    def history(self, article_id: str) -> list[AuditEvent]:
        """The audit trail, oldest first."""
        with self.db.read() as s:
            rows = list(
                s.scalars(
                    select(AuditRow).where(AuditRow.article_id == article_id).order_by(AuditRow.id)
                )
            )
            users = users_by_id(s, {r.actor_id for r in rows if r.actor_id is not None})
        return [event_record(r, users) for r in rows]

    def comments(self, article_id: str) -> list[Comment]:
        with self.db.read() as s:
            rows = list(
                s.scalars(
                    select(CommentRow)
                    .where(CommentRow.article_id == article_id)
                    .order_by(CommentRow.id)
                )
            )
            users = users_by_id(s, {r.author_id for r in rows})
        return [
            Comment(
                r.id,
                r.article_id,
                r.version,
                users[r.author_id],
                r.at,
                r.body,
                r.claim_index,
                r.section_key,
            )
            for r in rows
        ]

    # -- changes -------------------------------------------------------------------------

    def create(
        self,
        *,
        by: User,
        question: str,
        audience: str,
        answer_json: str,
        settings_hash: str,
        sources: Sequence[CitedSource],
        source_answer_id: str | None = None,
    ) -> Article:
        """A new draft article whose version 1 is the given answer."""
        now = _now()
        row = ArticleRow(
            id=secrets.token_hex(9),  # never starts with "-": a command-line argument
            question=question,
            audience=audience,
            status=Status.DRAFT.value,
            revision=1,
            current_version=1,
            author_id=by.id,
            created_at=now,
            updated_at=now,
            source_answer_id=source_answer_id,
        )
        with self.db.write() as s:
            s.add(row)
            s.flush()
            add_version(s, row.id, 1, by, answer_json, settings_hash, sources, now)
            audit(s, row.id, by, "create", None, Status.DRAFT, 1, {"sources": len(sources)})
            return self._records(s, [row])[0]

    def transition(
        self,
        article_id: str,
        action: Action,
        *,
        by: User,
        expected_revision: int | None = None,
        comment: str | None = None,
        reviewer: User | None = None,
    ) -> Article:
        """Take one workflow step (not `revise`: see `revise`)."""
        if action is Action.REVISE:
            raise ReviewError("a revision needs a new answer: use ArticleStore.revise")
        comment = (comment or "").strip() or None
        if action is Action.REQUEST_CHANGES and not comment:
            raise ReviewError("say what should change: requesting changes needs a comment")
        with self.db.write() as s:
            row, article = self._checked(s, article_id, by, action, expected_revision, reviewer)
            target = next_status(article.status, action)
            if action is Action.APPROVE and article.stale:
                raise ReviewConflict(
                    "a source this version cites changed after it was written: make a new "
                    "version from the current sources before approving"
                )
            values = values_for(action, target, by, reviewer, comment)
            _bump(s, row, values)
            detail: dict[str, Any] = {"comment": comment} if comment else {}
            if action is Action.ASSIGN:
                detail["reviewer"] = (reviewer or by).username
            audit(s, row.id, by, action.value, article.status, target, row.current_version, detail)
            return self._records(s, [row])[0]

    def revise(
        self,
        article_id: str,
        *,
        by: User,
        answer_json: str,
        settings_hash: str,
        sources: Sequence[CitedSource],
        expected_revision: int | None = None,
    ) -> Article:
        """A new version (a draft again): the answer re-made, e.g. from changed sources."""
        with self.db.write() as s:
            row, article = self._checked(s, article_id, by, Action.REVISE, expected_revision)
            target = next_status(article.status, Action.REVISE)
            number = row.current_version + 1
            now = _now()
            add_version(s, row.id, number, by, answer_json, settings_hash, sources, now)
            values = values_for(Action.REVISE, target, by, None, None)
            _bump(s, row, {**values, "current_version": number, "stale_since": None})
            detail = {"version": [number - 1, number], "sources": len(sources)}
            audit(s, row.id, by, "revise", article.status, target, number, detail)
            return self._records(s, [row])[0]

    def comment(
        self,
        article_id: str,
        *,
        by: User,
        body: str,
        version: int | None = None,
        claim_index: int | None = None,
    ) -> Comment:
        """A review comment on a version, on one claim (index into the version's claims)."""
        body = body.strip()
        if not body or len(body) > MAX_COMMENT_CHARS:
            raise ReviewError(f"a comment has 1 to {MAX_COMMENT_CHARS} characters")
        with self.db.write() as s:
            row, article = self._checked(s, article_id, by, None, None)
            if not may_comment(by.actor, article.parties):
                raise PermissionDenied("only reviewers, or the article's author, may comment")
            number = row.current_version if version is None else version
            snapshot = s.get(VersionRow, (article_id, number))
            if snapshot is None:
                raise NotFound(f"article {article_id} has no version {number}")
            section = claim_section(snapshot.answer_json, claim_index)
            now = _now()
            comment = CommentRow(
                article_id=article_id,
                version=number,
                author_id=by.id,
                at=now,
                body=body,
                claim_index=claim_index,
                section_key=section,
            )
            s.add(comment)
            _bump(s, row, {})
            detail = {"claim": claim_index, "section": section, "comment": body}
            audit(s, row.id, by, "comment", None, None, number, detail)
            s.flush()
            return Comment(comment.id, article_id, number, by, now, body, claim_index, section)

    # -- freshness -----------------------------------------------------------------------

    def cited_passages(self) -> list[CitedPassage]:
        """Passages cited by the current versions of articles still to be kept fresh."""
        query = (
            select(CitationRow)
            .join(
                ArticleRow,
                (ArticleRow.id == CitationRow.article_id)
                & (ArticleRow.current_version == CitationRow.version),
            )
            .where(ArticleRow.status.in_([s.value for s in FRESHNESS_STATUSES]))
            .where(ArticleRow.stale_since.is_(None))
        )
        with self.db.read() as s:
            return [
                CitedPassage(c.article_id, c.passage_id, c.text_hash, c.document_version)
                for c in s.scalars(query)
            ]

    def mark_stale(self, reasons: Mapping[str, str]) -> list[str]:
        """Flag articles as needing re-review (article id -> what changed); returns the flagged."""
        flagged = []
        now = _now()
        for article_id, reason in sorted(reasons.items()):
            with self.db.write() as s:
                row = _row(s, article_id)
                if row.stale_since is not None:
                    continue
                _bump(s, row, {"stale_since": now, "stale_reason": reason})
                status = Status(row.status)
                detail = {"reason": reason}
                audit(
                    s, row.id, None, "source_changed", status, status, row.current_version, detail
                )
                flagged.append(article_id)
        return flagged

    # -- helpers -------------------------------------------------------------------------

    def _checked(
        self,
        s: Session,
        article_id: str,
        by: User,
        action: Action | None,
        expected_revision: int | None,
        reviewer: User | None = None,
    ) -> tuple[ArticleRow, Article]:
        """The row and record, once `by` may take `action` and the revision is the one read."""
        row = _row(s, article_id)
        article = self._records(s, [row])[0]
        if action is not None:
            check_permission(
                by.actor, action, article.parties, reviewer.actor if reviewer else None
            )
        if expected_revision is not None and row.revision != expected_revision:
            raise ConcurrentUpdate(_conflict_message(row.status))
        return row, article

    def _records(self, s: Session, rows: list[ArticleRow]) -> list[Article]:
        ids = {r.author_id for r in rows}
        ids |= {i for r in rows for i in (r.reviewer_id, r.approved_by_id) if i is not None}
        rows_of_versions = s.execute(
            select(VersionRow.article_id, VersionRow.created_by_id).where(
                VersionRow.article_id.in_([r.id for r in rows]),
                VersionRow.number == ArticleRow.current_version,
                ArticleRow.id == VersionRow.article_id,
            )
        )
        creators = {article_id: creator for article_id, creator in rows_of_versions}
        users = users_by_id(s, ids | set(creators.values()))
        return [article_record(r, users, creators[r.id]) for r in rows]


def _row(s: Session, article_id: str) -> ArticleRow:
    row = s.get(ArticleRow, article_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no article with id {article_id}; `medcite review list` lists them")
    return row


def _bump(s: Session, row: ArticleRow, values: Mapping[str, object]) -> None:
    """UPDATE ... WHERE revision = <the revision read>: zero rows means someone else won."""
    read = row.revision
    result = s.execute(
        update(ArticleRow)
        .where(ArticleRow.id == row.id, ArticleRow.revision == read)
        .values(revision=read + 1, updated_at=_now(), **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise ConcurrentUpdate(_conflict_message(None))
    s.refresh(row)


def _conflict_message(status: str | None) -> str:
    now = f" (it is now {status})" if status else ""
    return (
        f"someone changed this article after you opened it{now}; "
        "reload it, check what changed, and try again"
    )


def _now() -> datetime:
    return datetime.now(UTC)

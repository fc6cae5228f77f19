"""Articles, versions and their cited passages, users, tokens, sessions, audit, comments.

Revision ID: 0001
Revises:
Create Date: 2026-05-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from medcite.articles.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _users() -> None:
    op.create_table(
        "review_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "review_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("review_users.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_review_tokens_user_id", "review_tokens", ["user_id"])
    op.create_table(
        "review_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("review_users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])


def _articles() -> None:
    users = "review_users.id"
    op.create_table(
        "articles",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey(users), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey(users), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), sa.ForeignKey(users), nullable=True),
        sa.Column("approved_at", UtcDateTime(), nullable=True),
        sa.Column("approval_comment", sa.Text(), nullable=True),
        sa.Column("stale_since", UtcDateTime(), nullable=True),
        sa.Column("stale_reason", sa.Text(), nullable=True),
        sa.Column("source_answer_id", sa.String(64), nullable=True),
    )
    op.create_index("articles_status", "articles", ["status", "updated_at"])
    op.create_table(
        "article_versions",
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey(users), nullable=False),
        sa.Column("answer_json", sa.Text(), nullable=False),
        sa.Column("settings_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "article_citations",
        sa.Column("article_id", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("passage_id", sa.String(64), primary_key=True),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("document_version", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
    )
    op.create_index("article_citations_passage", "article_citations", ["passage_id"])


def _history() -> None:
    users = "review_users.id"
    op.create_table(
        "article_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey(users), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(24), nullable=True),
        sa.Column("to_status", sa.String(24), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_article_audit_article_id", "article_audit", ["article_id"])
    op.create_table(
        "article_comments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey(users), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("claim_index", sa.Integer(), nullable=True),
        sa.Column("section_key", sa.String(64), nullable=True),
    )
    op.create_index("ix_article_comments_article_id", "article_comments", ["article_id"])


def upgrade() -> None:
    _users()
    _articles()
    _history()


def downgrade() -> None:
    for table in (
        "article_comments",
        "article_audit",
        "article_citations",
        "article_versions",
        "articles",
        "review_sessions",
        "review_tokens",
        "review_users",
    ):
        op.drop_table(table)

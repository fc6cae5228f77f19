"""`medcite review ...` and `medcite users ...`: editorial review from the command line.

Commands act as the user an API token names (`--token` or MEDCITE_TOKEN); the only exception
is `users add` for the first admin, while no users exist. Needs the extra `medcite[review]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table
from rich.text import Text

from medcite.articles import open_review, review_available, review_database_exists
from medcite.articles.workflow import Action, Role, Status
from medcite.cli_common import cli_errors, out, settings_for
from medcite.index import Library

if TYPE_CHECKING:
    from medcite.articles.records import User
    from medcite.articles.service import Review

review_app = typer.Typer(
    help="Editorial review: list, show and move articles through the workflow "
    "(draft → submitted → under review → approved | changes requested; retired).",
    no_args_is_help=True,
)
users_app = typer.Typer(help="People who write and review articles, and their API tokens.")

TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="MEDCITE_TOKEN",
        help="Your API token (or set MEDCITE_TOKEN).",
        show_default=False,
    ),
]
ArticleId = Annotated[str, typer.Argument(help="An article id (`medcite review list`).")]
CommentOption = Annotated[str | None, typer.Option(help="A comment recorded in the audit trail.")]


@contextmanager
def _opened(ctx: typer.Context) -> Iterator[Review]:
    """The review database; library errors become one line and exit status 1."""
    with cli_errors():
        review = open_review(settings_for(ctx))
        try:
            yield review
        finally:
            review.close()


@contextmanager
def _session(ctx: typer.Context, token: str | None) -> Iterator[tuple[Review, User]]:
    """The review database and the user the API token names."""
    with _opened(ctx) as review:
        yield review, review.accounts.user_for_token(token)


# -- review ------------------------------------------------------------------------------


@review_app.command("list")
def list_articles(
    ctx: typer.Context,
    status: Annotated[
        list[Status] | None, typer.Option(help="Only these statuses (repeatable).")
    ] = None,
    stale: Annotated[
        bool, typer.Option("--stale", help="Only articles that need re-review.")
    ] = False,
    token: TokenOption = None,
) -> None:
    """Articles, most recently changed first (authors see their own)."""
    with _session(ctx, token) as (review, user):
        mine = None if user.role.includes(Role.REVIEWER) else user.id
        articles = review.articles.articles(status, author_id=mine, stale=True if stale else None)
    table = Table("version", "question", "author", "reviewer", "updated")
    table.columns.insert(0, Column("status", no_wrap=True))
    table.columns.insert(0, Column("id", no_wrap=True))
    for a in articles:
        table.add_row(
            a.id, a.public_status, str(a.current_version), Text(a.question[:60]),
            a.author.username, a.reviewer.username if a.reviewer else "-",
            a.updated_at.strftime("%Y-%m-%d %H:%M"),
        )  # fmt: skip
    out.print(table)
    out.print(f"{len(articles)} articles")


@review_app.command()
def show(
    ctx: typer.Context,
    article_id: ArticleId,
    version: Annotated[
        int | None, typer.Option(min=1, help="A version (default: current).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the version's answer JSON.")
    ] = False,
    token: TokenOption = None,
) -> None:
    """An article: its status, version, cited sources, comments and audit trail."""
    from medcite.articles.service import shown_answer

    with _session(ctx, token) as (review, _):
        article = review.articles.article(article_id)
        shown = review.articles.version(article_id, version)
        history = review.articles.history(article_id)
        comments = review.articles.comments(article_id)
    if as_json:
        print(shown_answer(article, shown).model_dump_json(indent=2))
        return
    out.print(Text(article.question, style="bold"), highlight=False)
    out.print(Text(article.status_line), highlight=False)
    by = escape(shown.created_by.display_name)
    out.print(
        f"version {shown.number} of {article.current_version} · by {by} on "
        f"{shown.created_at:%Y-%m-%d} · settings {shown.settings_hash} · "
        f"revision {article.revision}",
        highlight=False,
    )
    for s in shown.sources:
        out.print(f"  cites {s.passage_id} (document {s.document_id} version {s.document_version})")
    for c in comments:
        on = f"claim {c.claim_index} ({c.section_key})" if c.claim_index is not None else "article"
        out.print(
            Text(f"  comment v{c.version} {on} by {c.author.display_name}: {c.body}"),
            highlight=False,
        )
    table = Table("when", "who", "action", "status", "version", "detail", title="audit trail")
    for e in history:
        change = f"{e.from_status or '-'} → {e.to_status or '-'}" if e.to_status else ""
        table.add_row(
            f"{e.at:%Y-%m-%d %H:%M:%S}", Text(e.who), e.action, change, str(e.version),
            Text(e.detail),
        )  # fmt: skip
    out.print(table)


def _move(
    ctx: typer.Context,
    article_id: str,
    action: Action,
    token: str | None,
    *,
    comment: str | None = None,
    reviewer_name: str | None = None,
) -> None:
    with _session(ctx, token) as (review, user):
        reviewer = review.accounts.by_username(reviewer_name) if reviewer_name else None
        article = review.articles.transition(
            article_id, action, by=user, reviewer=reviewer, comment=comment
        )
    out.print(Text(f"{article.id}: {article.status_line}"), highlight=False)


@review_app.command()
def submit(ctx: typer.Context, article_id: ArticleId, token: TokenOption = None) -> None:
    """Submit a draft for review (its author, or an editor)."""
    _move(ctx, article_id, Action.SUBMIT, token)


@review_app.command()
def assign(
    ctx: typer.Context,
    article_id: ArticleId,
    reviewer: Annotated[str | None, typer.Option(help="Username (default: yourself).")] = None,
    token: TokenOption = None,
) -> None:
    """Start the review of a submitted article: take it yourself, or (editors) assign it."""
    _move(ctx, article_id, Action.ASSIGN, token, reviewer_name=reviewer)


@review_app.command()
def approve(
    ctx: typer.Context,
    article_id: ArticleId,
    comment: CommentOption = None,
    token: TokenOption = None,
) -> None:
    """Approve the article's current version (its reviewer, or an editor; never its author)."""
    _move(ctx, article_id, Action.APPROVE, token, comment=comment)


@review_app.command("request-changes")
def request_changes(
    ctx: typer.Context,
    article_id: ArticleId,
    comment: Annotated[str, typer.Option(help="What should change (required).")],
    token: TokenOption = None,
) -> None:
    """Send the article back to its author with a comment."""
    _move(ctx, article_id, Action.REQUEST_CHANGES, token, comment=comment)


@review_app.command()
def retire(
    ctx: typer.Context,
    article_id: ArticleId,
    comment: CommentOption = None,
    token: TokenOption = None,
) -> None:
    """Retire an article for good (editors)."""
    _move(ctx, article_id, Action.RETIRE, token, comment=comment)


@review_app.command("check-freshness")
def check_freshness_command(ctx: typer.Context) -> None:
    """Flag articles citing passages that re-ingestion changed or removed (ingest does this)."""
    with cli_errors():
        library = Library(settings_for(ctx))
        flagged = _check(library, always=True)
        library.close()
    out.print(f"{len(flagged)} articles newly flagged as needing re-review")


def check_articles_after_ingest(library: Library) -> None:
    """After `medcite ingest`: flag the articles whose cited passages changed, if any exist."""
    _check(library, always=False)


def _check(library: Library, *, always: bool) -> list[str]:
    settings = library.settings
    if not always and not (review_available() and review_database_exists(settings)):
        return []
    review = open_review(settings)
    try:
        flagged = review.check_freshness(library)
    finally:
        review.close()
    for article_id in flagged:
        out.print(f"needs re-review: article {article_id} cites a passage that changed")
    return flagged


# -- users -------------------------------------------------------------------------------


@users_app.command("add")
def add_user(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Login name: lowercase letters, digits, . _ -")],
    role: Annotated[Role, typer.Option(help="author, reviewer, editor or admin.")],
    name: Annotated[
        str | None, typer.Option(help="Name shown on approvals, e.g. 'Dr A. Smith'.")
    ] = None,
    password: Annotated[
        bool, typer.Option("--password/--no-password", help="Ask for a web sign-in password.")
    ] = True,
    issue_token: Annotated[
        bool, typer.Option("--issue-token", help="Also issue an API token, shown once.")
    ] = False,
    token: TokenOption = None,
) -> None:
    """Add a user (admins; the first admin needs no token while no users exist)."""
    with _opened(ctx) as review:
        by = review.accounts.user_for_token(token) if review.accounts.count() else None
        secret = _ask_password("Password") if password else None
        user = review.accounts.add_user(username, role, display_name=name, password=secret, by=by)
        out.print(
            Text(f"added {user.username} ({user.display_name}) as {user.role.value}"),
            highlight=False,
        )
        if issue_token:
            _print_token(review, user, user)


@users_app.command("token")
def issue_token_command(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose token: yours, or (admins) anyone's.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "cli",
    token: TokenOption = None,
) -> None:
    """Issue an API token (shown once). Without --token, asks for USERNAME's password."""
    with _opened(ctx) as review:
        if token:
            by = review.accounts.user_for_token(token)
        else:
            by = review.accounts.check_password(username, _ask_password("Password", confirm=False))
        _print_token(review, review.accounts.by_username(username), by, label)


@users_app.command("tokens")
def list_tokens(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose tokens: yours, or (admins) anyone's.")],
    token: TokenOption = None,
) -> None:
    """A user's API tokens: id, label, issued, expires, revoked (never the secret)."""
    with _session(ctx, token) as (review, by):
        found = review.accounts.tokens(review.accounts.by_username(username), by=by)
    table = Table("id", "label", "issued", "expires", "revoked")
    for t in found:
        revoked = f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "-"
        dates = (f"{t.created_at:%Y-%m-%d}", f"{t.expires_at:%Y-%m-%d}", revoked)
        table.add_row(str(t.id), Text(t.name), *dates)
    out.print(table)


@users_app.command("revoke-token")
def revoke_token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose token: yours, or (admins) anyone's.")],
    token_id: Annotated[
        int | None,
        typer.Option("--id", help="The token's id (`medcite users tokens NAME`); default: all."),
    ] = None,
    token: TokenOption = None,
) -> None:
    """Revoke one of a user's API tokens, or all of them: they stop working at once."""
    with _session(ctx, token) as (review, by):
        user = review.accounts.by_username(username)
        revoked = review.accounts.revoke_tokens(user, by=by, token_id=token_id)
    which = f"token {token_id}" if token_id is not None else "tokens"
    out.print(f"revoked {revoked} {which} of {user.username}", highlight=False)


@users_app.command("list")
def list_users(ctx: typer.Context, token: TokenOption = None) -> None:
    """Everyone who can sign in, with their role."""
    with _session(ctx, token) as (review, _):
        users = review.accounts.users()
    table = Table("username", "name", "role", "password", "since")
    for u in users:
        password = "yes" if u.has_password else "no"
        table.add_row(
            u.username, Text(u.display_name), u.role.value, password, f"{u.created_at:%Y-%m-%d}"
        )
    out.print(table)


def _ask_password(prompt: str, *, confirm: bool = True) -> str:
    value: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return value


def _print_token(review: Review, user: User, by: User, label: str = "cli") -> None:
    issued = review.accounts.issue_token(user, label, by=by)
    out.print(f"API token for {user.username} (shown once; keep it secret):", highlight=False)
    print(issued.secret)

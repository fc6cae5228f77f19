"""Commands that look after the data directory: check (and repair) it, back it up, restore
it, forget stored questions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from medcite.cli_common import cli_errors, err, out, settings_for
from medcite.errors import MedciteError
from medcite.index.conversations import Conversations
from medcite.index.store import Store
from medcite.maintenance.backup import Copied, backup, restore
from medcite.maintenance.check import CheckReport
from medcite.maintenance.check import check as run_check


def _waiting(message: str) -> None:
    err.print(f"{escape(message)}…", highlight=False)


def check(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Rebuild what is derived from the store (the lexical index; the vectors are "
            "requeued for `medcite embed`) and make the files private.",
        ),
    ] = False,
) -> None:
    """Check that the store, the lexical index and the vectors agree, that the databases are
    sound and that the data directory is private. Exit status 1 when something is wrong."""
    with cli_errors():
        report = run_check(settings_for(ctx), repair=repair, on_wait=_waiting)
    _print_check(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_check(report: CheckReport) -> None:
    table = Table("part", "state", "detail", title="medcite check")
    for f in report.findings:
        state = "ok" if f.ok else "repaired" if f.repaired else "PROBLEM"
        style = "green" if f.ok else "yellow" if f.repaired else "red"
        table.add_row(f.part, Text(state, style=style), Text(f.detail))
    out.print(table)
    out.print("all sound" if report.ok else "problems remain: see above", highlight=False)


def backup_command(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="A new (or empty) folder for the backup.")],
) -> None:
    """Back up the data directory while it is in use: the store and the review database
    (SQLite online backup), and the lexical index and vectors, consistent with them."""
    with cli_errors():
        copied = backup(settings_for(ctx), dest, on_wait=_waiting)
    _print_copied("backed up", copied)


def restore_command(
    ctx: typer.Context,
    src: Annotated[Path, typer.Argument(help="A folder written by `medcite backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a data directory that holds data.")
    ] = False,
) -> None:
    """Restore a backup into the data directory, then check it."""
    with cli_errors():
        copied = restore(settings_for(ctx), src, force=force, on_wait=_waiting)
    _print_copied("restored", copied)
    if copied.check is not None:
        _print_check(copied.check)
        if not copied.check.ok:
            raise typer.Exit(1)


def _print_copied(verb: str, copied: Copied) -> None:
    out.print(
        f"{verb} {copied.documents} documents, {copied.passages} passages "
        f"({', '.join(copied.parts)}) in {copied.seconds:.1f} s: {copied.folder}",
        highlight=False,
    )


def forget(
    ctx: typer.Context,
    everything: Annotated[
        bool, typer.Option("--all", help="Delete every stored question and conversation.")
    ] = False,
    older_than: Annotated[
        float | None,
        typer.Option(min=0, help="Delete conversations whose last turn is older than DAYS."),
    ] = None,
    conversation: Annotated[
        str | None, typer.Option(help="Delete one conversation (its id, as in /c/ID).")
    ] = None,
) -> None:
    """Delete stored questions, their answers and conversations (the web app's; articles
    saved for review are kept). Deleted rows are overwritten in the database file.

    The web app also deletes conversations older than web.retention_days (30) by itself.
    """
    chosen = sum([everything, older_than is not None, conversation is not None])
    with cli_errors():
        if chosen != 1:
            raise MedciteError("say what to forget: --all, --older-than DAYS or --conversation ID")
        store = Store(settings_for(ctx).data_dir / "medcite.sqlite3")
        try:
            before = None
            if older_than is not None:
                before = datetime.now(UTC) - timedelta(days=older_than)
            done = Conversations(store).forget(before=before, conversation_id=conversation)
        finally:
            store.close()
    out.print(
        f"forgot {done.conversations} conversations and {done.answers} stored answers",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(check)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command()(forget)

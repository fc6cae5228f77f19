"""Commands that look after the data directory: forget stored questions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from medcite.cli_common import cli_errors, out, settings_for
from medcite.errors import MedciteError
from medcite.index.conversations import Conversations
from medcite.index.store import Store


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
    app.command()(forget)

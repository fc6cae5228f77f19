"""What every `medcite` command shares: the consoles, settings from the global options, a
progress bar, and library errors turned into one clear line and exit status 1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from medcite.errors import MedciteError
from medcite.settings import Settings, load_settings

out = Console()
err = Console(stderr=True)


def settings_for(ctx: typer.Context, **overrides: Any) -> Settings:
    """Settings from the global --home and --config options (kept in the root context),
    with a command's own overrides (e.g. `ask --writer`)."""
    opts = ctx.obj or {}
    if opts.get("home"):
        overrides["home"] = opts["home"]
    return load_settings(opts.get("config"), **overrides)


@contextmanager
def cli_errors() -> Iterator[None]:
    """Library errors become one clear line and exit status 1."""
    try:
        yield
    except MedciteError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None


@contextmanager
def progress_reporter() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar, as the `progress(what, done, total)` callback long jobs take."""
    with progress_bar() as bar:
        task = bar.add_task("preparing", total=None)
        yield lambda what, done, total: bar.update(
            task, description=what, completed=done, total=total
        )


@contextmanager
def progress_bar(*extra: ProgressColumn) -> Iterator[Progress]:
    """A transient progress bar on stderr: description, bar, done/total, time elapsed, and
    any `extra` columns (e.g. time remaining)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        *extra,
    )
    with Progress(*columns, console=err, transient=True) as bar:
        yield bar

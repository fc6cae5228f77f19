"""`medcite eval ...`: evaluation commands over the sets in `eval.data_dir`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from medcite.engine import Engine
from medcite.errors import MedciteError
from medcite.eval.faithfulness import evaluate, json_report, load_questions, markdown_table
from medcite.settings import Settings, load_settings

eval_app = typer.Typer(
    help="Measure medcite on evaluation sets (read from eval.data_dir).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
err = Console(stderr=True)


class Dataset(StrEnum):
    BIOASQ = "bioasq"
    MEDIQA = "mediqa"


def _settings(ctx: typer.Context) -> Settings:
    opts = ctx.obj or {}
    overrides = {"home": opts["home"]} if opts.get("home") else {}
    return load_settings(opts.get("config"), **overrides)


@eval_app.command()
def faithfulness(
    ctx: typer.Context,
    dataset: Annotated[Dataset, typer.Option(help="Which question set to ask.")] = (Dataset.BIOASQ),
    limit: Annotated[int | None, typer.Option(min=1, help="Ask only the first N.")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", metavar="OUT", help="Also write the figures here.")
    ] = None,
) -> None:
    """Ask the set's questions against the current index; report verified, flagged and
    removed claims, unresolvable citations, unverified numbers and perturbation catch rates.

    Exits 1 when an invariant fails (a citation that does not resolve, an unverified number
    in strict mode, a number/unit/interval/citation perturbation not caught).
    """
    try:
        settings = _settings(ctx)
        questions = load_questions(dataset.value, settings.eval_dir, limit)
        engine = Engine(settings)
        columns = (TextColumn("asking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("asking", total=len(questions))
            report = evaluate(
                engine, questions, dataset.value, lambda n: bar.update(task, completed=n)
            )
        engine.close()
    except MedciteError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    print(markdown_table(report))
    if json_out is not None:
        json_out.write_text(json.dumps(json_report(report), indent=2) + "\n", encoding="utf-8")
    if not report.passed:
        err.print("[bold red]faithfulness invariants failed[/] (see the table)")
        raise typer.Exit(1)

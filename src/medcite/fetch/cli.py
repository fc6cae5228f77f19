"""`medcite fetch pubmed|pmc|dailymed`: fetch records into the data directory, then ingest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from medcite.cli_common import cli_errors, err, out, settings_for
from medcite.fetch.http import Http
from medcite.fetch.jobs import FetchResult, fetch_dailymed, fetch_pmc, fetch_pubmed
from medcite.index import Library
from medcite.settings import Settings

Job = Callable[[Settings, Http], FetchResult]

fetch_app = typer.Typer(
    help="Fetch PubMed citations, PMC articles or DailyMed labels over the network (needs "
    "medcite[fetch]) into <home>/fetched/, then ingest them. Re-running resumes.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@fetch_app.command()
def pubmed(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A PubMed query, as typed on pubmed.gov.")],
    max_records: Annotated[
        int, typer.Option("--max", min=1, max=100_000, help="Citations to fetch at most.")
    ] = 200,
    since: Annotated[
        str | None, typer.Option(help="Published on or after this date (YYYY[-MM[-DD]]).")
    ] = None,
) -> None:
    """Search PubMed (E-utilities esearch) and fetch the citations (efetch), then ingest."""
    _run(ctx, lambda s, h: fetch_pubmed(s, h, query, max_records=max_records, since=since))


@fetch_app.command()
def pmc(
    ctx: typer.Context,
    pmcids: Annotated[list[str], typer.Argument(help="PMC ids (PMC1234567 or 1234567).")],
) -> None:
    """Fetch open-access full text from PubMed Central (JATS XML), then ingest."""
    _run(ctx, lambda s, h: fetch_pmc(s, h, pmcids))


@fetch_app.command()
def dailymed(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(help="DailyMed set ids, or drug names.")],
    per_name: Annotated[int, typer.Option(min=1, max=100, help="Labels per drug name.")] = 5,
) -> None:
    """Fetch drug labels (SPL XML) from DailyMed by set id or drug name, then ingest."""
    _run(ctx, lambda s, h: fetch_dailymed(s, h, names, per_name=per_name))


def _run(ctx: typer.Context, job: Job) -> None:
    from medcite.ingest.pipeline import ingest  # the readers: not for other commands

    with cli_errors():
        settings = settings_for(ctx)
        http = Http(settings.fetch)
        try:
            result = job(settings, http)
        finally:
            http.close()
        _report(result)
        library = Library(settings)
        report = ingest([result.folder], library)
        library.close()
    added = sum(o.documents for o in report.outcomes if o.status in ("added", "updated"))
    out.print(
        f"ingested {result.folder}: {added} documents added or updated, {report.passages} "
        f"passages written, {report.count('failed')} files failed",
        highlight=False,
    )
    for outcome in report.outcomes:
        if outcome.status == "failed":
            err.print(f"failed: {outcome.detail}", highlight=False, soft_wrap=True)
    if result.failed or report.count("failed"):
        raise typer.Exit(1)


def _report(result: FetchResult) -> None:
    out.print(
        f"fetched {len(result.written)} files ({len(result.present)} already there) for "
        f"{result.found} records into {result.folder}",
        highlight=False,
    )
    for problem in result.failed:
        err.print(f"not fetched: {problem}", highlight=False)

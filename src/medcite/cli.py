"""The `medcite` command line: ingest, ask, sources, show, demo, serve, review, users,
models."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from medcite.articles.cli import check_articles_after_ingest, review_app, users_app
from medcite.chat import ChatSession, run_chat
from medcite.cli_common import cli_errors as _errors
from medcite.cli_common import err, out, progress_bar
from medcite.cli_common import settings_for as _settings
from medcite.cli_data import register as register_data_commands
from medcite.datadir import private_umask
from medcite.engine import Engine
from medcite.errors import ConfigError, MedciteError, MissingExtra
from medcite.eval.cli import eval_app
from medcite.fetch.cli import fetch_app
from medcite.index import Library
from medcite.index.store import Store
from medcite.llm.models_cli import models_app
from medcite.render import markdown
from medcite.schema import AnswerPublic, to_public
from medcite.settings import MAX_WORKERS, SECRET_FIELDS
from medcite.text import legible
from medcite.types import Answer, Audience, DocKind
from medcite.understand import prepare_vocabularies

if TYPE_CHECKING:  # the readers load only for a command that ingests
    from medcite.ingest.pipeline import IngestEvent, IngestReport

_SHOWN_RECORDS = 10  # skipped records listed per file; the rest are counted
_MAX_STDIN = 1 << 20  # a question read from stdin: more than enough (the limit is 2,000)

app = typer.Typer(
    help="medcite answers clinical questions from your own indexed sources, offline, and "
    "quotes the passage behind every statement.\n\nStart with `medcite demo`, or "
    '`medcite ingest PATH` then `medcite ask "QUESTION"`.',
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(eval_app, name="eval")
app.add_typer(fetch_app, name="fetch")


@app.callback()
def _global(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option(help="Data directory (default ~/.medcite or $MEDCITE_HOME).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="TOML settings file (default ./medcite.toml).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    private_umask()  # what medcite writes may hold questions: owner only
    ctx.obj = {"home": home, "config": config}


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    kind: Annotated[
        DocKind | None,
        typer.Option(help="Label every document with this kind instead of detecting it."),
    ] = None,
    embed: Annotated[
        bool, typer.Option("--embed", help="Also embed the new passages for dense retrieval.")
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="Text encoding of files that declare none (e.g. cp1252); default UTF-8. "
            "A byte-order mark or the file's own declaration always wins."
        ),
    ] = None,
) -> None:
    """Index files: MedQuAD JSONL, PubMed XML (.xml, .xml.gz), PMC JATS, FDA SPL XML and
    DailyMed zips, guideline summary folders, text, Markdown, HTML, PDF.

    Re-ingesting an unchanged file does nothing; a changed file replaces its old passages.
    Each file is one transaction: a crash never leaves a file half-written.
    """
    overrides = {"ingest": {"encoding": encoding}} if encoding else {}
    with _errors():
        library = Library(_settings(ctx, **overrides))
        report = _ingest_with_progress(paths, library, kind)
    _print_report(report)
    if embed:
        with _errors():
            _embed_with_progress(library)
    with _errors():
        check_articles_after_ingest(library)
    if report.count("failed"):
        raise typer.Exit(1)


@app.command()
def embed(ctx: typer.Context) -> None:
    """Embed the passages not embedded yet, for dense retrieval (needs medcite[dense]).

    Vectors are cached by content hash, so re-running after an interruption, or for a
    corpus another data directory already embedded, only computes what is new.
    """
    with _errors():
        settings = _settings(ctx)
        if settings.retrieval.embedder == "none":
            raise ConfigError(
                "retrieval.embedder is none; set it to minilm or minilm-int8 to embed passages"
            )
        library = Library(settings)
        if library.dense_index is None:
            raise MissingExtra("`medcite embed`", "dense")
        kept, space = library.store.vector_space(), library.dense_index.space
        if kept is not None and kept != space:
            out.print(
                f"the library's vectors were made by {kept.describe()}: embedding it again "
                f"with {space.describe()} (vectors embedded before are reused from the cache)",
                highlight=False,
            )
        _embed_with_progress(library)
        library.close()


def _embed_with_progress(library: Library) -> None:
    started = time.perf_counter()
    with progress_bar(TimeRemainingColumn()) as bar:
        task = bar.add_task("embedding passages", total=None)
        docs = library.sync_vectors(
            lambda done, total: bar.update(task, completed=done, total=total)
        )
    dense = library.dense_index
    size = dense.vectors.size() if dense else 0
    out.print(
        f"embedded {docs} documents in {time.perf_counter() - started:.1f} s · "
        f"{size} passages in the vector index",
        highlight=False,
    )


def _ingest_with_progress(
    paths: list[Path], library: Library, kind: DocKind | None
) -> IngestReport:
    from medcite.ingest.pipeline import ingest as run_ingest

    with progress_bar() as bar:
        task = bar.add_task("ingesting", total=None)

        def on_event(e: IngestEvent) -> None:
            if e.stage == "start":
                bar.update(task, description=f"reading {e.path.name}", completed=0, total=None)
            elif e.stage == "read":
                bar.update(task, completed=e.done, total=e.total or None)
            elif e.stage == "write":
                bar.update(task, description=f"indexing {e.path.name}")

        def on_wait(message: str) -> None:
            bar.update(task, description="waiting for another writer")
            err.print(f"{escape(message)}…", highlight=False)

        report = run_ingest(paths, library, kind=kind, progress=on_event, on_wait=on_wait)
        bar.update(task, description="preparing the vocabularies")
        prepare_vocabularies()
        return report


def _print_report(report: IngestReport) -> None:
    table = Table("status", "file", "documents", "passages", "detail", title="ingest summary")
    styles = {"failed": "red", "added": "green", "updated": "yellow"}
    for o in report.outcomes:
        bad = f"{len(o.skipped_records)} bad records skipped" if o.skipped_records else ""
        table.add_row(
            Text(o.status, style=styles.get(o.status, "")),
            Text(legible(str(o.path))),
            str(o.documents),
            str(o.passages),
            Text("; ".join(d for d in (o.detail, bad) if d)),
        )
    out.print(table)
    for o in report.outcomes:
        if o.status == "failed":  # in full: the table may have cut the reason short
            err.print(f"[red]failed:[/] {escape(o.detail)}", highlight=False, soft_wrap=True)
        for problem in o.skipped_records[:_SHOWN_RECORDS]:
            err.print(f"[yellow]record skipped:[/] {escape(str(problem))}", highlight=False)
        if len(o.skipped_records) > _SHOWN_RECORDS:
            more = len(o.skipped_records) - _SHOWN_RECORDS
            err.print(f"[yellow]… and {more} more records skipped in {escape(o.path.name)}[/]")
    records = f", {report.skipped_records} bad records skipped" if report.skipped_records else ""
    out.print(
        f"added {report.count('added')}, updated {report.count('updated')}, unchanged "
        f"{report.count('unchanged')}, skipped {report.count('skipped')}, failed "
        f"{report.count('failed')}{records} · {report.passages} passages written in "
        f"{report.seconds:.1f} s",
        highlight=False,
    )


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help='The question, or "-" to read it from stdin.')],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (schema: `medcite schema`).")
    ] = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print raw Markdown.")] = False,
    k: Annotated[int | None, typer.Option(min=1, max=500, help="Passages to retrieve.")] = None,
    audience: Annotated[Audience, typer.Option(help="Who the answer is for.")] = (
        Audience.CLINICIAN
    ),
    writer: Annotated[
        str | None,
        typer.Option(
            help="Who writes the answer: extractive (no model), openai (an OpenAI-compatible "
            "endpoint: llm.base_url, llm.model), local (a GGUF model in process: llm.model from "
            "`medcite models list`, or llm.model_path). Overrides llm.backend."
        ),
    ] = None,
    conversation: Annotated[
        str | None,
        typer.Option(
            help="Continue a stored conversation (an id from `medcite chat`, the web app or "
            "the API; `new` starts one): the question is read as a follow-up and saved."
        ),
    ] = None,
) -> None:
    """Answer a question from the indexed sources, citing a passage for every statement.

    Whatever writes the answer, every statement is checked against the passage it cites.
    """
    if question == "-":  # bytes that are not UTF-8 become U+FFFD, never a traceback
        question = sys.stdin.buffer.read(_MAX_STDIN).decode("utf-8", "replace")
    question = legible(question)  # not UTF-8 on the command line: surrogates, replaced
    overrides = {"llm": {"backend": _backend(writer)}} if writer else {}
    with _errors():
        engine = Engine(_settings(ctx, **overrides))
        if conversation is not None:
            session = ChatSession(engine, audience, conversation)
            answer = session.ask(question)
            err.print(f"conversation {session.conversation_id}", highlight=False)
        else:
            drafts: list[Answer] = []

            def show(draft: Answer) -> None:
                drafts.append(draft)
                _print_draft(draft)

            # on a terminal, the extractive answer is read while a model writes
            terminal = out.is_terminal and not (as_json or as_markdown)
            answer = _ask_with_status(engine, question, audience, k, show if terminal else None)
    if as_json:
        print(to_public(answer).model_dump_json(indent=2))
    elif as_markdown:
        print(markdown(answer), end="")
    elif conversation is None and drafts and answer.writer.startswith("extractive"):
        err.print(f"The draft above stands: {answer.writer}.", highlight=False)
    else:
        if conversation is None and drafts:
            out.rule(f"the answer written by {answer.writer}; it replaces the draft above")
        _print_markdown(markdown(answer))


def _print_draft(draft: Answer) -> None:
    out.rule("draft: the extractive answer, shown while the model writes")
    _print_markdown(markdown(draft))


def _print_markdown(text: str) -> None:
    from rich.markdown import Markdown  # a tenth of a second: not for --json

    out.print(Markdown(text))


def _backend(writer: str) -> str:
    return "none" if writer == "extractive" else writer


def _ask_with_status(
    engine: Engine,
    question: str,
    audience: Audience,
    k: int | None,
    show_draft: Callable[[Answer], None] | None = None,
) -> Answer:
    """Ask, showing how much of a streamed LLM reply has arrived; with `show_draft`, the
    extractive answer is shown before the model writes."""
    if engine.llm is None:
        return engine.ask(question, audience=audience, k=k)
    name, received = engine.llm.name, 0
    with err.status(f"{name} is writing…") as status:

        def on_draft(draft: Answer) -> None:
            assert show_draft is not None
            status.stop()
            show_draft(draft)
            status.start()

        def on_text(piece: str) -> None:
            nonlocal received
            received += len(piece)
            status.update(f"{name} is writing… {received} characters")

        return engine.ask(
            question,
            audience=audience,
            k=k,
            on_text=on_text if engine.settings.llm.stream else None,
            on_draft=on_draft if show_draft is not None else None,
        )


@app.command()
def chat(
    ctx: typer.Context,
    audience: Annotated[Audience, typer.Option(help="Who the answers are for.")] = (
        Audience.CLINICIAN
    ),
    conversation: Annotated[
        str | None, typer.Option(help="Continue a stored conversation by its id.")
    ] = None,
) -> None:
    """Ask in turns: each question is read in the context of the earlier ones (the patient
    and the subject carry over). /new, /sources, /show N, /help, /quit."""
    with contextlib.suppress(ImportError):  # line editing and history for input()
        import readline  # noqa: F401
    with _errors():
        engine = Engine(_settings(ctx))
        session = ChatSession(engine, audience, conversation)
    run_chat(
        session,
        input,
        _print_markdown,
        lambda: _print_sources(engine.library.store),
    )
    engine.close()


@app.command()
def sources(ctx: typer.Context) -> None:
    """What is indexed: documents and passages by kind and source, and the files read."""
    with _errors():
        store = Store(_settings(ctx).data_dir / "medcite.sqlite3")
    _print_sources(store)


def _print_sources(store: Store) -> None:
    totals = store.totals_by_kind()
    rows = store.counts_by_kind()
    files = store.sources()
    kinds = Table("kind", "documents", "passages", title="indexed documents by kind")
    for kind, n_docs, n_passages in totals:
        kinds.add_row(DocKind(kind).label, str(n_docs), str(n_passages))
    out.print(kinds)
    table = Table("kind", "source", "documents", "passages", title="indexed sources")
    for kind, source, n_docs, n_passages in rows:
        table.add_row(DocKind(kind).label, Text(source), str(n_docs), str(n_passages))
    out.print(table)
    files_table = Table("file", "reader", "documents", "passages", "ingested", title="files")
    for f in files:
        files_table.add_row(
            Text(f.path), f.reader, str(f.n_documents), str(f.n_passages), f.ingested_at
        )
    out.print(files_table)


@app.command()
def show(
    ctx: typer.Context,
    passage_id: Annotated[str, typer.Argument(help="A passage id from an answer's references.")],
    context: Annotated[int, typer.Option(min=0, help="Characters of context each side.")] = 600,
) -> None:
    """Show a passage highlighted in its cleaned document, with its offsets."""
    with _errors():
        store = Store(_settings(ctx).data_dir / "medcite.sqlite3")
        passage = store.passage(passage_id)
        text = store.document_text(passage.document.id)
    d = passage.document
    when = d.date.isoformat() if d.date else "date unknown"
    out.print(Text(d.title, style="bold"), highlight=False)
    out.print(Text(f"{d.source} · {d.kind.label} · {when}" + (f" · {d.url}" if d.url else "")))
    out.print(
        Text(
            f"passage {passage.id} · section {passage.section or '-'} · {passage.kind.value} · "
            f"characters {passage.start}–{passage.end} of {len(text)}"
        ),
        highlight=False,
    )
    lo, hi = max(0, passage.start - context), min(len(text), passage.end + context)
    body = Text("…" if lo else "")
    body.append(text[lo : passage.start])
    body.append(text[passage.start : passage.end], style="bold black on yellow")
    body.append(text[passage.end : hi])
    body.append("…" if hi < len(text) else "")
    out.print(body)


@app.command()
def demo(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Option(help="Question to answer after ingesting.")] = (
        None
    ),
    embed: Annotated[
        bool,
        typer.Option(
            "--embed", help="Also embed the corpus for hybrid retrieval (slow: see README)."
        ),
    ] = False,
) -> None:
    """Ingest the default corpus (settings: corpus.sources) and answer the sample question."""
    with _errors():
        settings = _settings(ctx)
        library = Library(settings)
        outcomes = []
        for source in settings.corpus.resolved():
            if not source.path.exists():
                raise MedciteError(
                    f"corpus source not found: {source.path} (set corpus.root or "
                    "MEDCITE_CORPUS__ROOT to the folder holding the shared data)"
                )
            report = _ingest_with_progress([source.path], library, source.kind)
            outcomes.append(report)
        for report in outcomes:
            _print_report(report)
        if embed:
            _embed_with_progress(library)
        library.close()
        answer = Engine(settings).ask(question or settings.corpus.sample_question)
    _print_markdown(markdown(answer))


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default web.host: 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default web.port: 8000).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_WORKERS,
            help="Worker processes answering at once (default web.workers: 1); about one per "
            "CPU core. Each worker holds its own engine (memory grows with N) over the same "
            "library; sign-ins and sessions are shared through the database, and a local "
            "model is loaded once, by the parent process.",
        ),
    ] = None,
) -> None:
    """Serve the web app and the JSON API (needs: pip install 'medcite[web]'); with
    `--workers N`, N processes answer at once."""
    with _errors():
        settings = _settings(ctx)
        from medcite.web import serve as run_server

        run_server(
            settings,
            host or settings.web.host,
            port or settings.web.port,
            workers=workers or settings.web.workers,
        )


@app.command()
def schema() -> None:
    """Print the JSON schema of `medcite ask --json` output."""
    print(json.dumps(AnswerPublic.model_json_schema(), indent=2))


@app.command()
def config(ctx: typer.Context) -> None:
    """Print the effective settings (defaults < TOML < MEDCITE_* environment < options)."""
    with _errors():
        settings = _settings(ctx)
    print(settings.model_dump_json(indent=2, exclude=SECRET_FIELDS))
    key = "set (hidden)" if settings.llm.api_key else "not set"
    out.print(f"llm.api_key: {key}", highlight=False)
    out.print(f"settings hash: {settings.fingerprint()}", highlight=False)


app.add_typer(review_app, name="review")
app.add_typer(users_app, name="users")
app.add_typer(models_app, name="models")
register_data_commands(app)


def main() -> None:
    # Arguments that are not UTF-8 reach Python as lone surrogates, which nothing can print,
    # store or log: they are read as U+FFFD instead (a question is answered, a path is not
    # found, by name), never a traceback.
    sys.argv[1:] = [legible(arg) for arg in sys.argv[1:]]
    app()

"""`medcite eval ...`: quality measurements on the gold sets (see `medcite.eval`): retrieval
against gold judgments, answers against BioASQ's ideal answers, and their faithfulness."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from medcite.cli_common import cli_errors, err, out, progress_bar, progress_reporter, settings_for
from medcite.engine import Engine
from medcite.eval.faithfulness import evaluate, json_report, load_questions, markdown_table
from medcite.eval.ideal import IdealReport
from medcite.eval.retrieval import Report, evaluate_bioasq, lexical_only

eval_app = typer.Typer(
    help="Measure medcite against gold judgments (answer keys, BioASQ, MEDIQA; read from "
    "eval.data_dir) and refit its fitted models on training data only.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Dataset(StrEnum):
    BIOASQ = "bioasq"
    MEDIQA = "mediqa"


class LibraryOption(StrEnum):
    KEY = "key"
    DEFAULT = "default"


class SplitOption(StrEnum):
    TEST = "test"
    TRAIN = "train"
    ALL = "all"


@eval_app.command()
def retrieval(
    ctx: typer.Context,
    dataset: Annotated[Dataset, typer.Option(help="Which gold set.")] = Dataset.BIOASQ,
    limit: Annotated[int | None, typer.Option(min=1, help="Evaluate the first N questions.")] = (
        None
    ),
    split: Annotated[
        SplitOption,
        typer.Option(
            help="Held-out test split, train, or all. BioASQ: 30 % of the questions by hash; "
            "MEDIQA: test is the validation file (every file but the LiveQA and Alexa "
            "training files)."
        ),
    ] = SplitOption.TEST,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the results as JSON here.")
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the table as Markdown (for the README).")
    ] = False,
    distractors: Annotated[
        bool,
        typer.Option(
            help="BioASQ: index MedQuAD beside the pool as distractors (harder), or the pool "
            "alone (how the issue's BM25 baseline was measured)."
        ),
    ] = True,
    dense: Annotated[
        bool,
        typer.Option(
            help="Include the dense rows (embeds the evaluation library once: about an hour "
            "for BioASQ on two cores); --no-dense measures the lexical rows only."
        ),
    ] = True,
) -> None:
    """Ablation table of retrieval configurations: quality and latency (p50/p95)."""
    with cli_errors():
        settings = settings_for(ctx) if dense else lexical_only(settings_for(ctx))
        with progress_reporter() as on_progress:
            if dataset == Dataset.BIOASQ:
                report = evaluate_bioasq(
                    settings,
                    split=split.value,
                    limit=limit,
                    progress=on_progress,
                    distractors=distractors,
                )
            else:
                from medcite.eval.mediqa import evaluate_mediqa

                report = evaluate_mediqa(
                    settings, split=split.value, limit=limit, progress=on_progress
                )
    if markdown:
        print(to_markdown(report))
    else:
        out.print(report_table(report))
    if json_out:
        json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        err.print(f"wrote {json_out}", highlight=False)


def _cells(report: Report, digits: int = 3) -> tuple[list[str], list[list[str]]]:
    timed = any(r.p50_ms is not None for r in report.rows)
    header = ["configuration", *report.metrics, *(["p50 ms", "p95 ms"] if timed else [])]
    body = []
    for row in report.rows:
        values = (f"{row.metrics.get(m, 0.0):.{digits}f}" for m in report.metrics)
        cells = [row.configuration, *values]
        if timed:
            cells += [_ms(row.p50_ms), _ms(row.p95_ms)]
        body.append(cells)
    return header, body


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def report_table(report: Report, digits: int = 3) -> Table:
    header, body = _cells(report, digits)
    table = Table(title=f"{report.dataset}: {report.description}")
    table.add_column(header[0], no_wrap=True)
    for name in header[1:]:
        table.add_column(name, justify="right")
    for cells in body:
        table.add_row(*cells)
    return table


def to_markdown(report: Report, digits: int = 3) -> str:
    """The report as a Markdown table with its description above it."""
    header, body = _cells(report, digits)
    lines = [f"{report.dataset}: {report.description}", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines)


@eval_app.command()
def ideal(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option(min=1, help="Ask only the first N questions.")] = (
        None
    ),
    split: Annotated[
        SplitOption, typer.Option(help="BioASQ questions: held-out test split, train, or all.")
    ] = SplitOption.TEST,
    json_out: Annotated[
        Path | None, typer.Option("--json", metavar="OUT", help="Also write the results here.")
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the table as Markdown (for the README).")
    ] = False,
) -> None:
    """Bottom lines against BioASQ's ideal answers: ROUGE-2 and ROUGE-SU4 F1 (beside a
    first-two-sentences-of-the-top-BM25-passage baseline), abstentions, yes/no verdicts."""
    from medcite.eval.ideal import evaluate_ideal

    with cli_errors():
        settings = settings_for(ctx)
        with progress_reporter() as progress:
            report = evaluate_ideal(
                settings,
                split=split.value,
                limit=limit,
                progress=progress,
            )
    header, body = _ideal_cells(report)
    if markdown:
        lines = [report.description, "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join("---" for _ in header) + "|")
        print("\n".join([*lines, *("| " + " | ".join(cells) + " |" for cells in body)]))
    else:
        table = Table(title=f"BioASQ ideal answers: {report.description}")
        for n, name in enumerate(header):
            table.add_column(name, justify="left" if n == 0 else "right", no_wrap=n == 0)
        for cells in body:
            table.add_row(*cells)
        out.print(table)
    for line in _verdict_lines(report):
        out.print(line, highlight=False)
    if json_out:
        json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        err.print(f"wrote {json_out}", highlight=False)


def _ideal_cells(report: IdealReport) -> tuple[list[str], list[list[str]]]:
    from medcite.eval.ideal import BASELINE, SYSTEM

    header = ["answer", "ROUGE-2 F1", "SU4 F1", "abstained", "p50 ms"]
    s = report.summary()
    r2, su4, b2, bsu4 = (
        s[k] for k in ("ROUGE-2 F1", "ROUGE-SU4 F1", "baseline ROUGE-2 F1", "baseline ROUGE-SU4 F1")
    )
    body = [
        [SYSTEM, f"{r2:.4f}", f"{su4:.4f}", f"{report.abstention_rate:.1%}", _ms(report.p50_ms)],
        [BASELINE, f"{b2:.4f}", f"{bsu4:.4f}", "–", "–"],
        ["ratio medcite / baseline", _ratio(r2, b2), _ratio(su4, bsu4), "–", "–"],
    ]
    return header, body


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def _verdict_lines(report: IdealReport) -> list[str]:
    n = len(report.yes_no)
    return [
        f"yes/no questions: {n}; a yes/no stated on {report.stated_share:.1%}, accuracy where "
        f"stated {report.verdict_accuracy:.3f} (always-yes: {report.always_yes_accuracy:.3f}); "
        f"verdicts on other questions: {report.verdicts_elsewhere}",
    ]


@eval_app.command()
def faithfulness(
    ctx: typer.Context,
    dataset: Annotated[Dataset, typer.Option(help="Which question set to ask.")] = (Dataset.BIOASQ),
    limit: Annotated[int | None, typer.Option(min=1, help="Ask only the first N.")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", metavar="OUT", help="Also write the figures here.")
    ] = None,
    writer: Annotated[
        str | None,
        typer.Option(help="Who writes the answers: extractive, openai, local (llm.backend)."),
    ] = None,
) -> None:
    """Ask the set's questions against the current index; report verified, flagged and
    removed claims, unresolvable citations, unverified numbers and perturbation catch rates.

    Exits 1 when an invariant fails (a citation that does not resolve, an unverified number
    in strict mode, a number/unit/interval/citation perturbation not caught).
    """
    with cli_errors():
        settings = settings_for(ctx, **_writer_override(writer))
        questions = load_questions(dataset.value, settings.eval_dir, limit)
        engine = Engine(settings)
        with progress_bar() as bar:
            task = bar.add_task("asking", total=len(questions))
            report = evaluate(
                engine, questions, dataset.value, lambda n: bar.update(task, completed=n)
            )
        engine.close()
    print(markdown_table(report))
    if json_out is not None:
        json_out.write_text(json.dumps(json_report(report), indent=2) + "\n", encoding="utf-8")
    if not report.passed:
        err.print("[bold red]faithfulness invariants failed[/] (see the table)")
        raise typer.Exit(1)


@eval_app.command()
def answers(
    ctx: typer.Context,
    key: Annotated[
        Path | None,
        typer.Option(
            help="Answer key (JSONL, the shared key's format); default: eval.data_dir/"
            "answer-key/questions.jsonl."
        ),
    ] = None,
    perturb: Annotated[
        bool,
        typer.Option(
            help="Also re-ask each answerable item with a polite preamble, lay words and a "
            "unit inserted (none may abstain)."
        ),
    ] = True,
    verbose: Annotated[
        bool, typer.Option("--details", help="Print every question's line, not only failures.")
    ] = False,
    json_out: Annotated[
        Path | None, typer.Option("--json", metavar="OUT", help="Also write the results here.")
    ] = None,
    library: Annotated[
        LibraryOption,
        typer.Option(
            help="Which library the key is asked on: key (the shared key's three sources) or "
            "default (the default corpus, corpus.sources)."
        ),
    ] = LibraryOption.KEY,
    writer: Annotated[
        str | None,
        typer.Option(
            help="Who writes the answers: extractive, openai, local (overrides llm.backend); "
            "a model's fallbacks to the extractive writer are counted against it."
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Ask only the first N items of the key.")
    ] = None,
) -> None:
    """Score an answer key: questions and checks passed, by category and per question.

    By default the key is asked on its own library of exactly the sources it was built from
    (MedQuAD, the FDA labels, the seed case report), built once under <home>/eval/answer-key;
    --library default asks it on the default corpus, built once under
    <home>/eval/default-corpus.
    """
    from medcite.eval.answers import DEFAULT_KEY, evaluate_answers, summary_lines

    with cli_errors():
        settings = settings_for(ctx, **_writer_override(writer))
        path = key or settings.eval_dir / DEFAULT_KEY
        with progress_reporter() as progress:
            report = evaluate_answers(
                settings,
                path,
                perturb=perturb,
                progress=progress,
                library="default" if library == LibraryOption.DEFAULT else "key",
                limit=limit,
            )
    table = Table(title=f"answer key {report.key}")
    for name in ("category", "questions passed", "checks passed"):
        table.add_column(name, justify="left" if name == "category" else "right")
    for category, (qp, q, cp, c) in sorted(report.by_category().items()):
        table.add_row(category, f"{qp} / {q}", f"{cp} / {c}")
    n = len(report.results)
    share = report.checks_passed / report.checks if report.checks else 0.0
    table.add_row(
        "all", f"{report.questions_passed} / {n}", f"{report.checks_passed} / {report.checks}"
    )
    out.print(table)
    out.print(f"checks passed: {share:.1%}", highlight=False)
    if perturb:
        out.print(
            f"perturbed questions that abstained: {report.perturbed_abstained} / "
            f"{report.perturbed}",
            highlight=False,
        )
    if "kept_context" in (figures := report.extra):
        out.print(
            f"follow-ups: {figures['kept_context']} / {figures['answerable_follow_ups']} kept "
            f"their carried context; false abstentions {figures['false_abstentions']} / "
            f"{figures['answerable_follow_ups']}; abstained when required "
            f"{figures['abstained_when_required']} / {figures['required_abstentions']}",
            highlight=False,
        )
    if written := report.extra.get("writer"):
        out.print(
            f"writers {', '.join(written['writers'])}: {written['model_written']} answers "
            f"written by a model ({written['model_written_passed']} passed), "
            f"{written['fallbacks']} fallbacks; {written['claims_removed']} claims removed by "
            f"the verifier; of {written['model_claims']} claims models proposed, "
            f"{written['model_claims_verified'] or 0:.0%} verified; "
            f"{written['p50_s']:.2f} / {written['p95_s']:.2f} s per answer "
            f"(p50 / p95); peak RSS {written['peak_rss_mb']} MB",
            highlight=False,
        )
    shown = report.results if verbose else [r for r in report.results if not r.passed]
    for line in summary_lines(report, shown):
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        err.print(f"wrote {json_out}", highlight=False)


def _writer_override(writer: str | None) -> dict[str, Any]:
    """Settings overrides for `--writer` (extractive = no model)."""
    if writer is None:
        return {}
    return {"llm": {"backend": "none" if writer == "extractive" else writer}}


# The fitting commands (fit-reranker, cv-reranker, fit-scorer, fit-verdict,
# fit-pubmed-kinds) register on
# eval_app in their own module.
from medcite.eval import fit_cli as _fit_cli  # noqa: E402

__all__ = ["_fit_cli", "eval_app"]

"""`medcite eval fit-…`: refit the fitted models (reranker, evidence scorer, yes/no verdict,
PubMed kinds) on training data only, and cross-validate the reranker's recipe. Registered
on `eval_app`."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from medcite.cli_common import cli_errors, err, out, progress_reporter, settings_for
from medcite.errors import MissingExtra
from medcite.eval.cli import eval_app, report_table, to_markdown
from medcite.eval.retrieval import Report, Row


def _need_numpy(feature: str) -> None:
    """Fitting runs in numpy, which only an extra installs: say which, instead of failing."""
    if importlib.util.find_spec("numpy") is None:
        with cli_errors():
            raise MissingExtra(feature, "eval")


@eval_app.command("fit-reranker")
def fit_reranker_command(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Fit on the first N training questions.")
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Where to write the weights (default: in-tree).")
    ] = None,
    dense: Annotated[
        bool,
        typer.Option(
            help="Refit the hybrid weight set too (needs the embedded evaluation library); "
            "--no-dense refits the lexical set and keeps the hybrid one."
        ),
    ] = True,
) -> None:
    """Refit the linear reranker on the training data: BioASQ's train split and MEDIQA's
    training files (never a held-out split)."""
    _need_numpy("fitting the reranker")
    from medcite.eval.fit import fit_reranker
    from medcite.retrieve.rerank import WEIGHTS_FILE

    target = out_path or WEIGHTS_FILE
    with cli_errors():
        settings = settings_for(ctx)
        with progress_reporter() as progress:
            fitted = fit_reranker(
                settings,
                out=target,
                limit=limit,
                dense=dense,
                progress=progress,
            )
    if not dense:
        out.print("hybrid model kept as it was (not refitted without --dense)", highlight=False)
    for name in ("hybrid", "lexical") if dense else ("lexical",):
        inputs = sorted(fitted[name]["inputs"], key=lambda i: -abs(i["weight"]))[:6]
        strongest = ", ".join(f"{i['name']} {i['weight']:+.2f}" for i in inputs)
        out.print(f"{name} model, strongest inputs: {strongest}", highlight=False)
    out.print(f"wrote {target}", highlight=False)


@eval_app.command("cv-reranker")
def cv_reranker_command(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Use the first N training questions of each set.")
    ] = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 5,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
) -> None:
    """Cross-validate the lexical reranker's recipe on the training questions (BioASQ train
    split, MEDIQA training files): the chosen features and MEDIQA weight beside each
    feature left out or added and other weights. Nothing is embedded."""
    _need_numpy("cross-validating the reranker")
    from medcite.eval.crossval import CV_METRICS, selection_table

    with cli_errors():
        settings = settings_for(ctx)
        with progress_reporter() as progress:
            rows = selection_table(settings, limit=limit, folds=folds, progress=progress)
    body = [Row(name, metrics) for name, metrics in rows]
    report = Report(
        "cv-reranker",
        f"{folds}-fold cross-validation, training questions only",
        CV_METRICS,
        tuple(body),
        0,
        settings.fingerprint(),
    )
    if markdown:
        print(to_markdown(report, digits=4))
    else:
        out.print(report_table(report, digits=4))


@eval_app.command("fit-scorer")
def fit_scorer_command(
    ctx: typer.Context,
    bioasq_limit: Annotated[
        int | None, typer.Option(min=1, help="Use the first N BioASQ training questions.")
    ] = None,
    medquad: Annotated[
        int, typer.Option(min=0, help="MedQuAD training questions (answer-key foci left out).")
    ] = 1500,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Where to write the weights (default: in-tree).")
    ] = None,
) -> None:
    """Refit the evidence scorer (which sentences answer) on training data only: the BioASQ
    train split and MedQuAD answers by question type; features chosen by cross-validation."""
    _need_numpy("fitting the evidence scorer")
    from medcite.answer.scorer import WEIGHTS_FILE
    from medcite.eval.fit_scorer import fit_scorer

    target = out_path or WEIGHTS_FILE
    with cli_errors():
        settings = settings_for(ctx)
        with progress_reporter() as progress:
            fitted = fit_scorer(
                settings,
                out=target,
                bioasq_limit=bioasq_limit,
                medquad_questions=medquad,
                progress=progress,
            )
    out.print(
        f"features: {', '.join(fitted.features)}\ncross-validated precision at 1 "
        f"{fitted.cv_precision:.3f}, MRR {fitted.cv_mrr:.3f} over {fitted.questions}",
        highlight=False,
    )
    out.print(f"wrote {target}", highlight=False)


@eval_app.command("fit-verdict")
def fit_verdict_command(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Fit on the first N training yes/no questions.")
    ] = None,
    target: Annotated[
        float,
        typer.Option(
            min=0.5, max=1.0, help="Cross-validated accuracy the stated verdicts must reach."
        ),
    ] = 0.87,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Where to write the model (default: in-tree).")
    ] = None,
) -> None:
    """Refit the yes/no verdict model on the BioASQ training split (never the test split)."""
    _need_numpy("fitting the verdict model")
    from medcite.answer.verdict import WEIGHTS_FILE
    from medcite.eval.verdict_fit import fit_verdict

    target_path = out_path or WEIGHTS_FILE
    with cli_errors():
        settings = settings_for(ctx)
        with progress_reporter() as progress:
            fitted = fit_verdict(
                settings,
                out=target_path,
                limit=limit,
                target=target,
                progress=progress,
            )
    model, cv = fitted["model"], fitted["cross_validated"]
    inputs = ", ".join(f"{i['name']} {i['weight']:+.2f}" for i in model["inputs"])
    out.print(f"features: {inputs}", highlight=False)
    out.print(
        f"thresholds: no <= {model['low']}, yes >= {model['high']}; cross-validated: stated "
        f"{cv['stated_share']:.1%} of answered questions, accuracy {cv['accuracy_where_stated']}",
        highlight=False,
    )
    out.print(f"wrote {target_path}", highlight=False)


@eval_app.command("fit-pubmed-kinds")
def fit_pubmed_kinds_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="PubMed XML files (default: the shared ones under corpus.root)."),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures as JSON here.")
    ] = None,
) -> None:
    """Refit the kind model for PubMed citations typed only "Journal Article" (held-back
    accuracy on typed citations; features and settings chosen by cross-validation)."""
    _need_numpy("fitting the PubMed kind model")
    from medcite.eval.pubmed_kinds import fit_kind_model, shared_pubmed_files

    with cli_errors():
        chosen = files or shared_pubmed_files(settings_for(ctx))
        with err.status("reading citations and cross-validating…"):
            fit = fit_kind_model(chosen)
    summary = fit.held_out["summary"]
    out.print(
        f"features {', '.join(fit.groups)} · L2 {fit.l2:g} · balance {fit.balance:g} · "
        f"threshold {fit.threshold:g}\nheld-back typed citations ({summary['n']}): accuracy "
        f"{summary['accuracy']:.3f}, macro-F1 {summary['macro_f1']:.3f}; above the threshold "
        f"{summary['confident_accuracy']:.3f} on {summary['coverage']:.0%} of them",
        highlight=False,
    )
    if json_out:
        json_out.write_text(json.dumps(asdict(fit), indent=2) + "\n", encoding="utf-8")

"""Fit the yes/no verdict model on the BioASQ training split (never the held-out test split).

Every training question BioASQ types as yes/no is asked with the Engine on the evaluation
library; the evidence is its answer's claims, bottom line first (abstentions are left out:
they never get a verdict). Features are chosen by greedy forward selection on five-fold
cross-validated log-loss; the thresholds (`low`, `high`) are the widest that keep the
out-of-fold accuracy of the stated verdicts at `target` or above. The model, with its
provenance, is written to `medcite/answer/verdict.json`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from medcite.answer.verdict import FEATURES, WEIGHTS_FILE, VerdictModel, features
from medcite.eval.datasets import load_bioasq
from medcite.eval.fit import fit_logistic
from medcite.eval.ideal import open_eval_engine
from medcite.eval.retrieval import EvalProgress
from medcite.settings import Settings

Matrix = npt.NDArray[np.float64]
FOLDS = 5
L2 = 1e-2
MIN_GAIN = 1e-3  # forward selection stops when CV log-loss improves by less


@dataclass(frozen=True, slots=True)
class Examples:
    """Feature rows (one per answered question) and labels (1 = yes)."""

    x: Matrix
    y: Matrix
    names: tuple[str, ...]


def fit_verdict(
    settings: Settings,
    *,
    out: Path = WEIGHTS_FILE,
    limit: int | None = None,
    target: float = 0.85,
    progress: EvalProgress | None = None,
) -> dict[str, Any]:
    """Collect the training examples, choose features and thresholds, write `out`."""
    examples, asked, retrieval = collect_examples(settings, limit=limit, progress=progress)
    fitted = fit_examples(examples, target)
    fitted["fitted_on"] = _provenance(asked, len(examples.y), retrieval, target)
    out.write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    return fitted


def collect_examples(
    settings: Settings, *, limit: int | None = None, progress: EvalProgress | None = None
) -> tuple[Examples, int, str]:
    """Features and labels of the answered training yes/no questions, how many were asked,
    and the retrieval that answered them."""
    data = load_bioasq(settings.eval_dir / "bioasq")
    questions = [q for q in data.select("train") if q.yes_no is not None][:limit]
    engine, retrieval = open_eval_engine(settings, progress)
    rows, labels = [], []
    try:
        for n, q in enumerate(questions, start=1):
            answer = engine.ask(q.body)
            if not answer.abstained:
                rows.append(features(q.body, [c.text for c in answer.claims]))
                labels.append(float(q.yes_no == "yes"))
            if progress:
                progress("asking", n, len(questions))
    finally:
        engine.close()
    names = tuple(FEATURES)
    x = np.array([[r[n] for n in names] for r in rows], dtype=np.float64)
    return (
        Examples(x.reshape(len(rows), len(names)), np.array(labels), names),
        len(questions),
        retrieval,
    )


def fit_examples(examples: Examples, target: float) -> dict[str, Any]:
    """Selected features, thresholds from out-of-fold probabilities, and the final model."""
    chosen, path = forward_selection(examples)
    x = _columns(examples, chosen)
    held_out = out_of_fold(x, examples.y)
    low, high = thresholds(held_out, examples.y, target)
    mean, scale, w = fit_logistic(x, examples.y, L2)
    model = VerdictModel(
        chosen,
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        tuple(round(float(v), 6) for v in w[:-1]),
        round(float(w[-1]), 6),
        round(low, 4),
        round(high, 4),
    )
    return {
        "model": model.to_json(),
        "selection": path,
        "cross_validated": _coverage(held_out, examples.y, low, high),
    }


def forward_selection(examples: Examples) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """Add the feature that lowers CV log-loss most, while it lowers it by MIN_GAIN."""
    chosen: list[str] = []
    best = _log_loss(np.full(len(examples.y), examples.y.mean()), examples.y)
    path: list[dict[str, Any]] = [{"added": None, "cv_log_loss": round(best, 4)}]
    while len(chosen) < len(examples.names):
        trials = {
            name: _log_loss(
                out_of_fold(_columns(examples, (*chosen, name)), examples.y), examples.y
            )
            for name in examples.names
            if name not in chosen
        }
        name, loss = min(trials.items(), key=lambda kv: kv[1])
        if best - loss < MIN_GAIN:
            break
        chosen.append(name)
        best = loss
        path.append({"added": name, "cv_log_loss": round(loss, 4)})
    return tuple(chosen), path


def out_of_fold(x: Matrix, y: Matrix, folds: int = FOLDS) -> Matrix:
    """P(yes) of each row from a model fitted without its fold (folds by row order)."""
    fold = np.arange(len(y)) % folds
    held = np.zeros(len(y))
    for k in range(folds):
        train, test = fold != k, fold == k
        mean, scale, w = fit_logistic(x[train], y[train], L2)
        z = (x[test] - mean) / scale @ w[:-1] + w[-1]
        held[test] = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return held


def thresholds(p: Matrix, y: Matrix, target: float) -> tuple[float, float]:
    """(low, high) stating the most verdicts with accuracy >= target (no verdict if none)."""
    cuts = np.unique(np.concatenate([p, [0.0, 1.0]]))
    best, chosen = -1, (0.0, 1.0 + 1e-9)
    for high in cuts[cuts >= 0.5]:
        for low in cuts[cuts < 0.5]:
            stated = (p >= high) | (p <= low)
            right = ((p >= high) & (y == 1)) | ((p <= low) & (y == 0))
            count = int(stated.sum())
            if count > best and count and right.sum() / count >= target:
                best, chosen = count, (float(low), float(high))
    return chosen


def _coverage(p: Matrix, y: Matrix, low: float, high: float) -> dict[str, float]:
    stated = (p >= high) | (p <= low)
    right = ((p >= high) & (y == 1)) | ((p <= low) & (y == 0))
    return {
        "stated_share": round(float(stated.mean()), 4),
        "accuracy_where_stated": round(float(right.sum() / max(1, stated.sum())), 4),
        "stated_no": int((p <= low).sum()),
    }


def _columns(examples: Examples, names: Sequence[str]) -> Matrix:
    return examples.x[:, [examples.names.index(n) for n in names]]


def _log_loss(p: Matrix, y: Matrix) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def _provenance(questions: int, answered: int, retrieval: str, target: float) -> dict[str, Any]:
    return {
        "dataset": "BioASQ Task B yes/no questions (train split: sha256(id) % 100 >= 30)",
        "questions": questions,
        "answered": answered,
        "retrieval": retrieval,
        "target_accuracy": target,
        "date": datetime.now(UTC).date().isoformat(),
        "labels": "1 when BioASQ's exact answer is yes",
    }

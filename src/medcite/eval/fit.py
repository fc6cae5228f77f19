"""Fit the linear reranker on the BioASQ training split (never on the held-out test split).

Candidates are the fused top passages of each training question (expansion on, no rerank);
a passage is positive when its PubMed record is judged relevant. The model is a logistic
regression over standardised features, fitted by Newton's method in numpy, once with the
dense features and once without, and written to `medcite/retrieve/reranker.json`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from medcite.errors import MissingExtra
from medcite.eval.datasets import load_bioasq
from medcite.eval.retrieval import EvalProgress, open_eval_library
from medcite.index import Library
from medcite.retrieve.pipeline import RetrievalPlan, add_document_scores, fused_hits
from medcite.retrieve.rerank import (
    DENSE_FEATURES,
    LEXICAL_FEATURES,
    WEIGHTS_FILE,
    LinearModel,
    expand,
    features,
)
from medcite.settings import Settings
from medcite.types import Query
from medcite.understand.query import understand

Matrix = npt.NDArray[np.float64]
HYBRID = RetrievalPlan(expansion=True, reranker="none")


def fit_reranker(
    settings: Settings,
    *,
    out: Path = WEIGHTS_FILE,
    limit: int | None = None,
    l2: float = 1e-3,
    progress: EvalProgress | None = None,
) -> dict[str, Any]:
    """Fit both weight sets on the training split and write them to `out`."""
    data = load_bioasq(settings.eval_dir / "bioasq")
    library = open_eval_library(settings, data, progress)
    try:
        questions = [q for q in data.select("train", limit) if q.pmids]
        queries = [
            understand(q.body, library.lexical.doc_freq, library.lexical.size()) for q in questions
        ]
        labels = [q.pmids for q in questions]
        models: dict[str, Any] = {"fitted_on": _provenance(len(questions), data.folder)}
        for name, plan, names in (
            ("hybrid", HYBRID, LEXICAL_FEATURES + DENSE_FEATURES),
            ("lexical", replace(HYBRID, dense=False), LEXICAL_FEATURES),
        ):
            if plan.dense and (library.dense is None or not library.dense.vectors.size()):
                raise MissingExtra(
                    "fitting the hybrid reranker (an embedded evaluation library)", "dense"
                )
            x, y = _examples(queries, labels, library, plan, names, data.snippet_pmid, progress)
            models[name] = _fit(x, y, names, l2).to_json()
        out.write_text(json.dumps(models, indent=2) + "\n", encoding="utf-8")
        return models
    finally:
        library.close()


def _examples(
    queries: Sequence[Query],
    labels: Sequence[frozenset[str]],
    library: Library,
    plan: RetrievalPlan,
    names: tuple[str, ...],
    snippet_pmid: dict[str, str],
    progress: EvalProgress | None,
) -> tuple[Matrix, Matrix]:
    rows: list[list[float]] = []
    targets: list[float] = []
    for n, (query, relevant) in enumerate(zip(queries, labels, strict=True), start=1):
        hits, vector = fused_hits(query, library, plan)
        hits = add_document_scores(query, hits, plan, library, vector)[: plan.rerank_depth]
        rows += expand(features(query, hits), names)
        for hit in hits:
            ids = hit.passage.document.extra.get("snippet_ids", "").split()
            pmid = snippet_pmid.get(ids[0], "") if ids else ""
            targets.append(float(pmid in relevant))
        if progress and n % 50 == 0:
            progress(f"features ({'dense' if plan.dense else 'lexical'})", n, len(queries))
    return np.array(rows, dtype=np.float64), np.array(targets, dtype=np.float64)


def _fit(x: Matrix, y: Matrix, names: tuple[str, ...], l2: float, steps: int = 50) -> LinearModel:
    """Logistic regression on standardised features by Newton's method (L2 on the weights)."""
    mean, scale, w = fit_logistic(x, y, l2, steps)
    return LinearModel(
        names,
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        tuple(round(float(v), 6) for v in w[:-1]),
        round(float(w[-1]), 6),
    )


def fit_logistic(x: Matrix, y: Matrix, l2: float, steps: int = 50) -> tuple[Matrix, Matrix, Matrix]:
    """Mean, scale and weights (bias last) of a logistic regression on standardised features,
    fitted by Newton's method with an L2 penalty on the weights (not the bias)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    penalty = l2 * np.eye(z.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) / len(y) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z / len(y) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return mean, scale, w


def _provenance(n_questions: int, folder: Path) -> dict[str, Any]:
    return {
        "dataset": "BioASQ Task B (train split: sha256(question id) % 100 >= 30)",
        "questions": n_questions,
        "folder": folder.name,
        "date": datetime.now(UTC).date().isoformat(),
        "labels": "passage positive when its PubMed record is judged relevant",
    }

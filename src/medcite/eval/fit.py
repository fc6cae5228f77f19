"""Fit the linear reranker on training data only (never on a held-out split).

Training questions: the BioASQ train split (candidates are the fused top passages of each
question, expansion on, no rerank; a passage is positive when its PubMed record is judged
relevant) and, for the lexical weight set, the MEDIQA training files (LiveQA, Alexa: each
question's candidate answers; positive when the experts scored it 3 or 4). The model is a
logistic regression over standardised features, fitted by Newton's method in numpy, and
written to `medcite/retrieve/reranker.json`. MEDIQA's consumer questions carry a fixed share
of the weight (`Recipe.mediqa_weight`), chosen with the features by cross-validation on the
training questions (`medcite eval cv-reranker`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from medcite.errors import MissingExtra
from medcite.eval.datasets import Bioasq, MediqaQuestion, load_bioasq, load_mediqa, select_mediqa
from medcite.eval.mediqa import (
    CORRECT,
    candidate_hits,
    candidate_passages,
    mediqa_dir,
    mediqa_query,
    with_answer_evidence,
)
from medcite.eval.retrieval import EvalProgress, eval_query, lexical_only, open_eval_library
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
from medcite.types import Hit, Query

Matrix = npt.NDArray[np.float64]
HYBRID = RetrievalPlan(expansion=True, reranker="none")
# the lexical inputs of the BioASQ-only model, which the hybrid weight set keeps
SHIPPED_LEXICAL = LEXICAL_FEATURES[: LEXICAL_FEATURES.index("doc_bm25") + 1]


@dataclass(frozen=True, slots=True)
class Recipe:
    """How one weight set is fitted: its candidates, its features, MEDIQA's share."""

    plan: RetrievalPlan
    features: tuple[str, ...]
    mediqa_weight: float  # MEDIQA training rows' total weight relative to BioASQ's (0: none)


RECIPES = {
    # Not re-selected since MEDIQA joined: that needs the embedded evaluation library.
    "hybrid": Recipe(HYBRID, SHIPPED_LEXICAL + DENSE_FEATURES, 0.0),
    # lexical_rrf (10 / (10 + rank)) left out: its scale follows the number of candidates
    # (8 MEDIQA answers, 200 BioASQ passages); question_bm25, aspect and subject_coverage
    # added (see `medcite eval cv-reranker`).
    "lexical": Recipe(
        replace(HYBRID, dense=False),
        (
            *(n for n in SHIPPED_LEXICAL if n != "lexical_rrf"),
            "question_bm25",
            "aspect",
            "subject_coverage",
        ),
        0.2,
    ),
}


@dataclass(frozen=True, slots=True)
class TrainingQuestion:
    """One training question's candidates, in fused order, with what they are worth."""

    dataset: str  # "bioasq" or "mediqa"
    id: str
    rows: tuple[dict[str, float], ...]  # `features()` of each candidate
    keys: tuple[str, ...]  # what each candidate is judged as (BioASQ: its PMID)
    gains: dict[str, float]  # judged keys -> gain (BioASQ 1; MEDIQA expert score - 1)

    def labels(self) -> list[float]:
        """1 for a positive candidate: a relevant PubMed record, a MEDIQA answer scored 3-4."""
        least = 1.0 if self.dataset == "bioasq" else CORRECT - 1
        return [float(self.gains.get(k, 0.0) >= least) for k in self.keys]


def fit_reranker(
    settings: Settings,
    *,
    out: Path = WEIGHTS_FILE,
    limit: int | None = None,
    l2: float = 1e-3,
    dense: bool = True,
    progress: EvalProgress | None = None,
) -> dict[str, Any]:
    """Fit the weight sets on the training questions and write them to `out`; without
    `dense` only the lexical set is refitted and the hybrid one is kept from `out`."""
    data = load_bioasq(settings.eval_dir / "bioasq")
    library = open_eval_library(settings if dense else lexical_only(settings), data, progress)
    try:
        kept = out if out.is_file() else WEIGHTS_FILE
        models: dict[str, Any] = {} if dense else {"hybrid": _kept_hybrid(kept)}
        for name in ("hybrid", "lexical") if dense else ("lexical",):
            recipe = RECIPES[name]
            questions = training_questions(settings, library, data, recipe, limit, progress)
            model = fit_model(questions, recipe.features, recipe.mediqa_weight, l2)
            models[name] = {
                "fitted_on": _provenance(questions, recipe, data.folder),
                **model.to_json(),
            }
        out.write_text(json.dumps(models, indent=2) + "\n", encoding="utf-8")
        return models
    finally:
        library.close()


def training_questions(
    settings: Settings,
    library: Library,
    data: Bioasq,
    recipe: Recipe,
    limit: int | None = None,
    progress: EvalProgress | None = None,
) -> list[TrainingQuestion]:
    """BioASQ's train split, and MEDIQA's training files when the recipe weighs them."""
    if recipe.plan.dense and (library.dense is None or not library.dense.vectors.size()):
        raise MissingExtra("fitting the hybrid reranker (an embedded evaluation library)", "dense")
    found = bioasq_questions(library, data, recipe.plan, limit, progress)
    if recipe.mediqa_weight:
        mediqa = select_mediqa(load_mediqa(mediqa_dir(settings)), "train", limit)
        found += mediqa_questions(library, mediqa, recipe.plan)
    return found


def bioasq_questions(
    library: Library,
    data: Bioasq,
    plan: RetrievalPlan,
    limit: int | None = None,
    progress: EvalProgress | None = None,
) -> list[TrainingQuestion]:
    chosen = [q for q in data.select("train", limit) if q.pmids]
    out = []
    for n, question in enumerate(chosen, start=1):
        query = eval_query(question.body, library)
        hits, vector = fused_hits(query, library, plan)
        hits = add_document_scores(query, hits, plan, library, vector)[: plan.rerank_depth]
        keys = []
        for hit in hits:
            ids = hit.passage.document.extra.get("snippet_ids", "").split()
            pmid = data.snippet_pmid.get(ids[0], "") if ids else ""
            keys.append(pmid or f"other:{hit.passage.document.id}")
        gains = dict.fromkeys(question.pmids, 1.0)
        out.append(TrainingQuestion("bioasq", question.id, _rows(query, hits), tuple(keys), gains))
        if progress and n % 50 == 0:
            progress(f"features ({'dense' if plan.dense else 'lexical'})", n, len(chosen))
    return out


def mediqa_questions(
    library: Library, questions: Sequence[MediqaQuestion], plan: RetrievalPlan
) -> list[TrainingQuestion]:
    out = []
    for question in questions:
        query = mediqa_query(question, library)
        hits = candidate_hits(query, candidate_passages(question), library, plan)
        hits = with_answer_evidence(query, hits, library)
        keys = tuple(h.passage.id for h in hits)
        gains = {a.id: float(a.score - 1) for a in question.answers}
        out.append(TrainingQuestion("mediqa", question.id, _rows(query, hits), keys, gains))
    return out


def _rows(query: Query, hits: Sequence[Hit]) -> tuple[dict[str, float], ...]:
    return tuple(features(query, hits))


def design(
    questions: Sequence[TrainingQuestion], names: Sequence[str], mediqa_weight: float
) -> tuple[Matrix, Matrix, Matrix]:
    """Model inputs, labels and row weights: BioASQ rows weigh 1 each, MEDIQA's rows share
    `mediqa_weight` times BioASQ's total (left out at 0)."""
    used = [q for q in questions if q.rows and (mediqa_weight or q.dataset != "mediqa")]
    x = np.array([r for q in used for r in expand(q.rows, names)], dtype=np.float64)
    y = np.array([v for q in used for v in q.labels()], dtype=np.float64)
    is_mediqa = np.array([q.dataset == "mediqa" for q in used for _ in q.rows], dtype=bool)
    weight = np.ones(len(y))
    if is_mediqa.any():
        weight[is_mediqa] = mediqa_weight * (~is_mediqa).sum() / is_mediqa.sum()
    return x.reshape(len(y), 2 * len(names)), y, weight


def fit_model(
    questions: Sequence[TrainingQuestion],
    names: Sequence[str],
    mediqa_weight: float,
    l2: float = 1e-3,
) -> LinearModel:
    x, y, weight = design(questions, names, mediqa_weight)
    return _fit(x, y, weight, tuple(names), l2)


def _fit(
    x: Matrix, y: Matrix, weight: Matrix, names: tuple[str, ...], l2: float, steps: int = 50
) -> LinearModel:
    mean, scale, w = fit_logistic(x, y, l2, steps, weight)
    return LinearModel(
        names,
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        tuple(round(float(v), 6) for v in w[:-1]),
        round(float(w[-1]), 6),
    )


def fit_logistic(
    x: Matrix, y: Matrix, l2: float, steps: int = 50, weight: Matrix | None = None
) -> tuple[Matrix, Matrix, Matrix]:
    """Mean, scale and weights (bias last) of a logistic regression on standardised features,
    fitted by Newton's method with an L2 penalty on the weights (not the bias); rows count
    by `weight` (equal weights: the unweighted fit)."""
    share = np.full(len(y), 1.0 / len(y)) if weight is None else weight / weight.sum()
    mean = share @ x
    scale = np.sqrt(share @ (x - mean) ** 2)
    scale[scale < 1e-12] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    penalty = l2 * np.eye(z.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (share * (p - y)) + penalty @ w
        hessian = (z * (share * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return mean, scale, w


def _kept_hybrid(path: Path) -> dict[str, Any]:
    """The hybrid set of the current weights, with the provenance it was fitted with."""
    current = json.loads(path.read_text(encoding="utf-8"))
    hybrid: dict[str, Any] = current["hybrid"]
    if "fitted_on" not in hybrid and "fitted_on" in current:  # an older file's shared note
        hybrid = {"fitted_on": current["fitted_on"], **hybrid}
    return hybrid


def _provenance(
    questions: Sequence[TrainingQuestion], recipe: Recipe, folder: Path
) -> dict[str, Any]:
    mediqa = sum(q.dataset == "mediqa" for q in questions)
    found = {
        "dataset": "BioASQ Task B (train split: sha256(question id) % 100 >= 30)",
        "questions": len(questions) - mediqa,
        "folder": folder.name,
        "date": datetime.now(UTC).date().isoformat(),
        "labels": "passage positive when its PubMed record is judged relevant",
    }
    if mediqa:
        found["mediqa"] = {
            "files": "MEDIQA 2019 task 3 training files (LiveQA, Alexa); never the validation file",
            "questions": mediqa,
            "weight": recipe.mediqa_weight,
            "labels": "answer positive when the experts scored it 3 or 4",
        }
    return found

"""Cross-validation of reranker recipes on the training questions only.

Folds are by a hash of the question id; each fold's questions are scored by a model fitted on
the other folds. BioASQ is measured as `eval retrieval` does (document nDCG@10 over the
ranked candidates' PubMed records), MEDIQA as `eval retrieval --dataset mediqa` (nDCG over
all answers, P@1 with an answer scored 3-4 as correct). This is how the lexical recipe in
`fit.RECIPES` was chosen; `medcite eval cv-reranker` prints the table again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from medcite.eval.datasets import load_bioasq
from medcite.eval.fit import (
    RECIPES,
    SHIPPED_LEXICAL,
    Recipe,
    TrainingQuestion,
    fit_model,
    training_questions,
)
from medcite.eval.mediqa import CORRECT
from medcite.eval.metrics import first_occurrences, mean_over, ndcg_at_k, precision_at_k
from medcite.eval.retrieval import EvalProgress, lexical_only, open_eval_library
from medcite.retrieve.rerank import LEXICAL_FEATURES, LinearModel, expand
from medcite.settings import Settings

CV_METRICS = ("BioASQ doc nDCG@10", "MEDIQA nDCG", "MEDIQA P@1")
MEDIQA_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)


@dataclass(frozen=True, slots=True)
class Variant:
    """A recipe's features and MEDIQA weight, named for the table."""

    name: str
    features: tuple[str, ...]
    mediqa_weight: float


def selection_table(
    settings: Settings,
    *,
    limit: int | None = None,
    folds: int = 5,
    progress: EvalProgress | None = None,
) -> list[tuple[str, dict[str, float]]]:
    """Cross-validated metrics of the lexical recipe's variants (no vectors needed)."""
    data = load_bioasq(settings.eval_dir / "bioasq")
    library = open_eval_library(lexical_only(settings), data, progress)
    try:
        with_mediqa = replace(RECIPES["lexical"], mediqa_weight=1.0)
        questions = training_questions(settings, library, data, with_mediqa, limit, progress)
    finally:
        library.close()
    rows = list(reference_orders(questions).items())
    variants = selection_variants()
    for n, variant in enumerate(variants, start=1):
        if progress:
            progress(f"cross-validating {variant.name}", n, len(variants))
        rows.append((variant.name, cross_validate(questions, variant, folds=folds)))
    return rows


def fold_of(question_id: str, folds: int) -> int:
    return int(hashlib.sha256(question_id.encode()).hexdigest()[:8], 16) % folds


def cross_validate(
    questions: Sequence[TrainingQuestion], variant: Variant, l2: float = 1e-3, folds: int = 5
) -> dict[str, float]:
    """Out-of-fold scores for every question, then the metrics of the resulting orders."""
    scores: dict[str, list[float]] = {}
    for fold in range(folds):
        train = [q for q in questions if fold_of(q.id, folds) != fold]
        model = fit_model(train, variant.features, variant.mediqa_weight, l2)
        for question in questions:
            if fold_of(question.id, folds) == fold:
                scores[question.id] = _linear(model, question)
    return order_metrics(questions, lambda q: scores[q.id])


def order_metrics(
    questions: Sequence[TrainingQuestion], score: Callable[[TrainingQuestion], Sequence[float]]
) -> dict[str, float]:
    """The CV metrics of ordering each question's candidates by `score` (ties: fused order)."""
    values: dict[str, list[tuple[float, Mapping[str, float]]]] = {m: [] for m in CV_METRICS}
    for question in questions:
        found = score(question)
        order = sorted(range(len(question.keys)), key=lambda i: (-found[i], i))
        keys = first_occurrences(question.keys[i] for i in order)
        gains = question.gains
        if question.dataset == "bioasq":
            values["BioASQ doc nDCG@10"].append((ndcg_at_k(keys, gains, 10), gains))
            continue
        correct = {k: 1.0 for k, g in gains.items() if g >= CORRECT - 1}
        values["MEDIQA nDCG"].append((ndcg_at_k(keys, gains, len(keys)), gains))
        values["MEDIQA P@1"].append((precision_at_k(keys, correct, 1), correct))
    return {m: round(mean_over(v), 4) for m, v in values.items()}


def reference_orders(questions: Sequence[TrainingQuestion]) -> dict[str, dict[str, float]]:
    """Orders without a model: the fused order (BM25 with expansion here), and BM25 of the
    question's own words (MEDIQA's "lexical (BM25)" row)."""
    return {
        "fused order (no rerank)": order_metrics(
            questions, lambda q: [-i for i in range(len(q.rows))]
        ),
        "question_bm25 alone": order_metrics(
            questions, lambda q: [r["question_bm25"] for r in q.rows]
        ),
    }


def _linear(model: LinearModel, question: TrainingQuestion) -> list[float]:
    """The model's score before the sigmoid (same order), computed in numpy."""
    if not question.rows:
        return []
    x = np.array(expand(question.rows, model.base), dtype=np.float64)
    z = (x - np.array(model.mean)) / np.array(model.scale)
    return [float(v) for v in z @ np.array(model.weights) + model.bias]


def selection_variants(recipe: Recipe = RECIPES["lexical"]) -> list[Variant]:
    """The chosen lexical recipe beside what it was chosen against: the BioASQ-only model
    as shipped before, each feature left out, each unused feature added, other weights."""
    chosen = recipe.features
    variants = [
        Variant("BioASQ only, shipped features", SHIPPED_LEXICAL, 0.0),
        Variant("chosen", chosen, recipe.mediqa_weight),
    ]
    variants += [
        Variant(f"- {n}", tuple(f for f in chosen if f != n), recipe.mediqa_weight)
        for n in chosen
        if n != "lexical_found"  # constant without dense retrieval
    ]
    variants += [
        Variant(f"+ {n}", (*chosen, n), recipe.mediqa_weight)
        for n in LEXICAL_FEATURES
        if n not in chosen
    ]
    variants += [
        Variant(f"MEDIQA weight {w:g}", chosen, w)
        for w in MEDIQA_WEIGHTS
        if w != recipe.mediqa_weight
    ]
    return variants

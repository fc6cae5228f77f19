"""Fitting and cross-validating the reranker on training questions built here."""

import numpy as np
import pytest

from medcite.eval.crossval import (
    Variant,
    cross_validate,
    fold_of,
    order_metrics,
    reference_orders,
    selection_variants,
)
from medcite.eval.fit import RECIPES, TrainingQuestion, _fit, design, fit_model


def _bioasq(qid: str, good: list[float], relevant: list[bool]) -> TrainingQuestion:
    keys = tuple(f"{qid}-{i}" for i in range(len(good)))
    rows = tuple(
        {"good": g, "noise": float(i % 2), "question_bm25": 1.0 - i / 10}
        for i, g in enumerate(good)
    )
    gains = {k: 1.0 for k, r in zip(keys, relevant, strict=True) if r}
    return TrainingQuestion("bioasq", qid, rows, keys, gains)


def _mediqa(qid: str, scores: list[int]) -> TrainingQuestion:
    keys = tuple(f"{qid}-{i}" for i in range(len(scores)))
    rows = tuple(
        {"good": float(s >= 3), "noise": float(i % 2), "question_bm25": 1.0 - i / 10}
        for i, s in enumerate(scores)
    )
    gains = {k: s - 1.0 for k, s in zip(keys, scores, strict=True)}
    return TrainingQuestion("mediqa", qid, rows, keys, gains)


def _questions() -> list[TrainingQuestion]:
    bioasq = [
        _bioasq(f"b{n}", [0.0, 0.0, 1.0, 0.0], [False, False, True, False]) for n in range(20)
    ]
    mediqa = [_mediqa(f"m{n}", [2, 1, 4, 3]) for n in range(10)]
    return bioasq + mediqa


def test_labels_follow_each_datasets_judgments() -> None:
    assert _mediqa("m", [1, 2, 3, 4]).labels() == [0.0, 0.0, 1.0, 1.0]
    assert _bioasq("b", [0, 1], [False, True]).labels() == [0.0, 1.0]


def test_mediqa_rows_carry_their_share_of_the_weight() -> None:
    questions = _questions()
    x, y, weight = design(questions, ("good",), 0.5)
    assert x.shape == (20 * 4 + 10 * 4, 2) and len(y) == len(weight) == x.shape[0]
    assert weight[:80].sum() == 80.0 and weight[80:].sum() == pytest.approx(40.0)
    x0, _, weight0 = design(questions, ("good",), 0.0)  # MEDIQA left out
    assert x0.shape[0] == 80 and set(weight0) == {1.0}


def test_scaling_every_weight_changes_nothing() -> None:
    questions = _questions()
    x, y, weight = design(questions, ("good", "noise"), 0.0)
    assert _fit(x, y, weight, ("good", "noise"), 1e-3) == _fit(
        x, y, 3 * weight, ("good", "noise"), 1e-3
    )


def test_cross_validation_scores_out_of_fold_orders() -> None:
    questions = _questions()
    assert {fold_of(q.id, 5) for q in questions} == set(range(5))
    found = cross_validate(questions, Variant("good", ("good",), 0.2))
    assert found == {"BioASQ doc nDCG@10": 1.0, "MEDIQA nDCG": 1.0, "MEDIQA P@1": 1.0}
    fused = reference_orders(questions)["fused order (no rerank)"]
    assert fused["BioASQ doc nDCG@10"] == pytest.approx(0.5) and fused["MEDIQA P@1"] == 0.0
    flipped = order_metrics(questions, lambda q: [-r["good"] for r in q.rows])
    assert flipped["MEDIQA P@1"] == 0.0 and flipped["BioASQ doc nDCG@10"] < 0.5


def test_fitted_model_prefers_the_informative_feature() -> None:
    model = fit_model(_questions(), ("good", "noise"), 0.2)
    good, noise = model.weights[0], model.weights[1]
    assert good > 0 and abs(noise) < good
    assert np.all(np.array(model.scale) > 0)


def test_the_chosen_recipe_is_compared_with_each_change() -> None:
    names = [v.name for v in selection_variants()]
    chosen = RECIPES["lexical"]
    assert names[:2] == ["BioASQ only, shipped features", "chosen"]
    assert all(f"- {n}" in names for n in chosen.features if n != "lexical_found")
    assert "+ lexical_rrf" in names
    assert "MEDIQA weight 0" in names and f"MEDIQA weight {chosen.mediqa_weight:g}" not in names

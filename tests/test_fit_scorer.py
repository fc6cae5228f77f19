"""The evidence scorer's fitting: labels, sampling and cross-validated feature choice."""

from __future__ import annotations

import random

import pytest

from medcite.answer.candidates import Candidate
from medcite.eval import fit_scorer
from medcite.eval.datasets import BioasqQuestion
from medcite.types import DocKind, Document, Passage

pytest.importorskip("numpy")


def _cand(text: str, **features: float) -> Candidate:
    doc = Document("d", "t", DocKind.OTHER, "s", "o", "v")
    p = Passage("p", doc, 0, text, 0, len(text))
    base = dict.fromkeys(fit_scorer.FEATURES, 0.0)
    return Candidate(text, p, 0, len(text), 1, {**base, **features}, frozenset())


def test_gold_sentences_closest_to_the_ideal_answer_are_the_positives() -> None:
    pytest.importorskip("rouge_score")
    question = BioasqQuestion(
        "q", "Is X effective?", "yesno", frozenset(), frozenset(), ideal=("X reduced pain.",)
    )
    cands = [_cand("X reduced pain in trials."), _cand("Trials were small."), _cand("Other.")]
    labels = fit_scorer._closest_to_ideal(cands, [True, True, False], question)
    assert labels == [True, False, False]


def test_every_positive_is_kept_and_negatives_are_capped() -> None:
    cands = [_cand(f"s{i}") for i in range(100)]
    labels = [i < 3 for i in range(100)]
    kept, kept_labels = fit_scorer._sampled(cands, labels, seed=1)
    assert sum(kept_labels) == 3 and len(kept) == 3 + fit_scorer.NEGATIVES


def test_cross_validation_keeps_the_feature_that_separates_answers() -> None:
    rng = random.Random(3)
    examples = []
    for _ in range(40):
        cands, labels = [], []
        for j in range(8):
            good = j == 0
            feats = {name: rng.random() for name in fit_scorer.FEATURES}
            feats["aspect_section"] = 1.0 if good else 0.0
            cands.append(_cand("x", **feats))
            labels.append(good)
        examples.append((cands, labels))
    chosen, ablation = fit_scorer._choose(examples, None)
    assert "aspect_section" in chosen
    precision, _ = fit_scorer._cross_validate(examples, chosen)
    assert precision > 0.9 and ablation["-aspect_section"] < ablation["(all)"]

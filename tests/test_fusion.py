"""Fusion of lexical and dense rankings."""

import pytest

from medcite.retrieve.fusion import reciprocal_rank_fusion, weighted_sum_fusion


def test_rrf_by_hand() -> None:
    fused = reciprocal_rank_fusion(
        {"lexical": [("a", 9.0), ("b", 5.0)], "dense": [("b", 0.9), ("c", 0.8)]}, k=60
    )
    scores = {f.passage_id: f.score for f in fused}
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["c"] == pytest.approx(1 / 62)
    assert [f.passage_id for f in fused] == ["b", "a", "c"]
    b = fused[0]
    assert b.scores == {"lexical": 5.0, "dense": 0.9}


def test_rrf_ties_are_ordered_by_passage_id() -> None:
    fused = reciprocal_rank_fusion({"lexical": [("z", 1.0)], "dense": [("y", 1.0)]})
    assert [f.passage_id for f in fused] == ["y", "z"]


def test_weighted_sum_normalises_each_ranking() -> None:
    fused = weighted_sum_fusion(
        {"lexical": [("a", 20.0), ("b", 10.0), ("c", 0.0)], "dense": [("c", 0.9), ("a", 0.5)]},
        {"lexical": 0.4, "dense": 0.6},
    )
    scores = {f.passage_id: f.score for f in fused}
    assert scores["a"] == pytest.approx(0.4 * 1.0 + 0.6 * 0.0)
    assert scores["b"] == pytest.approx(0.4 * 0.5)
    assert scores["c"] == pytest.approx(0.4 * 0.0 + 0.6 * 1.0)
    assert [f.passage_id for f in fused] == ["c", "a", "b"]


def test_weighted_sum_of_equal_scores_and_empty_rankings() -> None:
    fused = weighted_sum_fusion({"lexical": [("a", 3.0), ("b", 3.0)], "dense": []}, {"lexical": 1})
    assert [(f.passage_id, f.score) for f in fused] == [("a", 1.0), ("b", 1.0)]
    assert weighted_sum_fusion({}, {}) == []

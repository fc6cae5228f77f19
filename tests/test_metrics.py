"""Ranking metrics against values computed by hand."""

import math

import pytest

from medcite.eval.metrics import (
    first_occurrences,
    mean_over,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    precision_at_k,
    ranking_from_scores,
    recall_at_k,
)

L2 = math.log2


def test_ndcg_binary_by_hand() -> None:
    # relevant at ranks 2 and 3 of three relevant documents
    rel = {"a": 1.0, "b": 1.0, "c": 1.0}
    dcg = 1 / L2(3) + 1 / L2(4)
    ideal = 1 + 1 / L2(3) + 1 / L2(4)
    assert ndcg_at_k(["x", "a", "b", "y"], rel, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(["a", "b", "c"], rel, 10) == pytest.approx(1.0)


def test_ndcg_graded_by_hand_and_cut_at_k() -> None:
    rel = {"a": 3.0, "b": 1.0, "c": 2.0}
    # ranking b, a, c at k=2: dcg = 1 + 3/log2(3); ideal (a, c) = 3 + 2/log2(3)
    got = ndcg_at_k(["b", "a", "c"], rel, 2)
    assert got == pytest.approx((1 + 3 / L2(3)) / (3 + 2 / L2(3)))


def test_ndcg_ideal_is_limited_to_k() -> None:
    rel = {str(i): 1.0 for i in range(20)}
    assert ndcg_at_k([str(i) for i in range(10)], rel, 10) == pytest.approx(1.0)


def test_recall_and_mrr_by_hand() -> None:
    rel = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}
    ranking = ["x", "y", "a", "z", "b"]
    assert recall_at_k(ranking, rel, 3) == pytest.approx(1 / 4)
    assert recall_at_k(ranking, rel, 100) == pytest.approx(2 / 4)
    assert mrr_at_k(ranking, rel, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(ranking, rel, 2) == 0.0


def test_zero_gain_documents_are_not_relevant() -> None:
    rel = {"a": 0.0, "b": 2.0}
    assert mrr_at_k(["a", "b"], rel, 10) == pytest.approx(1 / 2)
    assert recall_at_k(["a"], rel, 10) == 0.0
    assert precision_at_k(["a", "b"], rel, 2) == pytest.approx(0.5)
    assert precision_at_k(["b"], rel, 1, threshold=2.0) == 0.0


def test_queries_without_relevant_documents_score_zero_and_are_left_out_of_means() -> None:
    assert ndcg_at_k(["a", "b"], {}, 10) == 0.0
    assert recall_at_k(["a"], {"a": 0.0}, 10) == 0.0
    assert mrr_at_k(["a"], {}, 10) == 0.0
    values = [(1.0, {"a": 1.0}), (0.0, {}), (0.5, {"b": 1.0})]
    assert mean_over(values) == pytest.approx(0.75)
    assert mean_over([(0.0, {})]) == 0.0


def test_ties_in_scores_are_broken_by_id() -> None:
    assert ranking_from_scores({"b": 1.0, "a": 1.0, "c": 2.0}) == ["c", "a", "b"]
    # equal gains: any order of the tied relevant documents is ideal
    rel = {"a": 1.0, "b": 1.0}
    assert ndcg_at_k(["b", "a"], rel, 10) == ndcg_at_k(["a", "b"], rel, 10) == 1.0


def test_first_occurrences_turns_passages_into_documents() -> None:
    assert first_occurrences(["d1", "d2", "d1", "d3", "d2"]) == ["d1", "d2", "d3"]


def test_percentile() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == pytest.approx(25.0)
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) == 0.0

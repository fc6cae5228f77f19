"""The linear reranker: feature-driven order, the lexical fallback, the shipped weights."""

import json
from pathlib import Path

import pytest

from medcite.errors import ConfigError
from medcite.retrieve.rerank import (
    DENSE_FEATURES,
    LEXICAL_FEATURES,
    WEIGHTS_FILE,
    LinearModel,
    LinearReranker,
    expand,
    expanded_names,
    features,
    load_linear,
)
from medcite.types import Concept, DocKind, Document, Hit, Passage, Query


def _hit(
    pid: str, text: str, rank: int, *, title: str = "", section: str | None = None, **scores: float
) -> Hit:
    doc = Document(pid, title or f"title {pid}", DocKind.OTHER, "test", "test", "v1")
    return Hit(Passage(pid, doc, 0, text, 0, len(text), section), 1.0 / rank, rank, scores)


QUERY = Query(
    "ruxolitinib and cytomegalovirus",
    "definition",
    (
        Concept("ruxolitinib", ("ruxolitinib", "jakafi"), 2.0),
        Concept("cytomegalovirus", ("cytomegalovirus", "cmv"), 1.0),
    ),
)


def _model(names: tuple[str, ...], weights: tuple[float, ...]) -> LinearModel:
    """Weights on the base features; none on their gaps to the best candidate."""
    n = 2 * len(names)
    return LinearModel(names, (0.0,) * n, (1.0,) * n, weights + (0.0,) * len(names), 0.0)


def test_features_by_hand() -> None:
    hits = [
        _hit("a", "Jakafi raised the risk of CMV.", 1, lexical=10.0),
        _hit("b", "Nothing relevant here.", 2, lexical=5.0, dense=0.5),
    ]
    a, b = features(QUERY, hits)
    assert a["coverage"] == 1.0 and a["text_coverage"] == 1.0 and a["title_coverage"] == 0.0
    assert b["coverage"] == 0.0
    assert a["lexical"] == 1.0 and b["lexical"] == 0.5
    assert a["dense"] == 0.0 and a["dense_gap"] == -1.0 and b["dense_gap"] == 0.0
    assert a["lexical_rrf"] > b["lexical_rrf"] and b["dense_rrf"] > a["dense_rrf"] == 0.0
    assert set(a) == set(LEXICAL_FEATURES + DENSE_FEATURES)


def test_document_scores_become_features() -> None:
    hits = [
        _hit("a", "Ruxolitinib.", 1, lexical=2.0, doc_bm25=4.0, doc_dense_max=0.5),
        _hit("b", "CMV.", 2, lexical=1.0, doc_bm25=8.0, doc_dense_max=0.75, doc_dense_title=0.6),
        _hit("c", "Other.", 3, lexical=1.0),
    ]
    a, b, c = features(QUERY, hits)
    assert (a["doc_bm25"], b["doc_bm25"], c["doc_bm25"]) == (0.5, 1.0, 0.0)
    assert (a["doc_dense_gap"], b["doc_dense_gap"], c["doc_dense_gap"]) == (-0.25, 0.0, -1.0)
    assert b["doc_dense_title"] == 0.6 and c["doc_dense_max"] == 0.0


def test_rerank_orders_by_the_model_and_fills_the_rerank_score() -> None:
    reranker = LinearReranker(_model(("dense",), (5.0,)), _model(("coverage",), (5.0,)))
    hits = [
        _hit("a", "Nothing relevant here.", 1, lexical=9.0, dense=0.1),
        _hit("b", "Ruxolitinib and CMV.", 2, lexical=1.0, dense=0.9),
    ]
    out = reranker.rerank(QUERY, hits)
    assert [h.passage.id for h in out] == ["b", "a"]
    assert [h.rank for h in out] == [1, 2]
    assert out[0].score == out[0].scores["rerank"] > out[1].score > 0
    assert out[0].scores["lexical"] == 1.0  # earlier scores are kept


def test_without_dense_scores_the_lexical_weights_are_used() -> None:
    # The hybrid model follows BM25, the lexical one the concepts covered.
    reranker = LinearReranker(_model(("lexical",), (5.0,)), _model(("coverage",), (5.0,)))
    hits = [
        _hit("short", "Unrelated.", 1, lexical=2.0),
        _hit(
            "covers",
            "A long passage about ruxolitinib and cytomegalovirus together.",
            2,
            lexical=1.0,
        ),
    ]
    assert reranker.rerank(QUERY, hits)[0].passage.id == "covers"
    with_dense = [
        _hit("short", "Unrelated.", 1, lexical=2.0, dense=0.1),
        _hit(
            "covers", "A long passage about ruxolitinib and cytomegalovirus together.", 2, dense=0.2
        ),
    ]
    assert reranker.rerank(QUERY, with_dense)[0].passage.id == "short"


def test_shipped_weights_load_with_both_models() -> None:
    data = json.loads(WEIGHTS_FILE.read_text())
    assert set(data["lexical"]["base"]) <= set(LEXICAL_FEATURES)
    assert set(data["hybrid"]["base"]) <= set(LEXICAL_FEATURES + DENSE_FEATURES)
    assert "dense" in data["hybrid"]["base"] and "dense" not in data["lexical"]["base"]
    for name in ("hybrid", "lexical"):
        fitted_on = data[name]["fitted_on"]
        assert fitted_on["dataset"].startswith("BioASQ") and "train" in fitted_on["dataset"]
    mediqa = data["lexical"]["fitted_on"]["mediqa"]
    assert "training files" in mediqa["files"] and "never the validation" in mediqa["files"]
    assert "aspect" in data["lexical"]["base"] and "lexical_rrf" not in data["lexical"]["base"]
    reranker = load_linear()
    assert reranker.rerank(QUERY, []) == []


TREATMENT = Query(
    "How is uveitis treated? My eyes really hurt.",
    "treatment",
    (
        Concept("uveitis", ("uveitis",), 5.0),
        Concept("treated", ("treated",), 0.5, subject=0.0),
        Concept("really", ("really",), 3.0, subject=0.0),
    ),
)


def test_aspect_is_named_by_the_section_title_or_first_sentence() -> None:
    hits = [
        _hit("section", "Steroid drops are used.", 1, section="Treatment"),
        _hit("title", "Drops help.", 2, title="Treating uveitis"),
        _hit("opening", "Uveitis (Treatment): Drops help. More.", 3),
        _hit("later", "Uveitis is inflammation. Treatment uses drops.", 4),
        _hit("other", "Uveitis causes pain.", 5, section="Causes"),
    ]
    rows = features(TREATMENT, hits)
    assert [r["aspect"] for r in rows] == [1.0, 1.0, 1.0, 0.0, 0.0]
    definition = Query("What is uveitis?", "definition", TREATMENT.concepts[:1])
    assert {r["aspect"] for r in features(definition, hits)} == {0.0}  # no aspect asked


def test_subject_coverage_counts_only_the_medical_subject() -> None:
    hits = [
        _hit("subject", "Uveitis can be treated.", 1),
        _hit("chatter", "It really hurts and is treated.", 2),
    ]
    subject, chatter = features(TREATMENT, hits)
    assert subject["subject_coverage"] == 1.0 and chatter["subject_coverage"] == 0.0
    assert 0.0 < chatter["coverage"] < subject["coverage"] < 1.0


def test_question_bm25_is_relative_to_the_best_candidate() -> None:
    hits = [_hit("a", "x", 1, question_bm25=2.0), _hit("b", "y", 2, question_bm25=8.0)]
    a, b = features(TREATMENT, hits)
    assert (a["question_bm25"], b["question_bm25"]) == (0.25, 1.0)


def test_gaps_to_the_best_candidate_expand_the_inputs() -> None:
    rows = [{"a": 1.0, "b": 2.0}, {"a": 3.0, "b": 0.0}]
    assert expanded_names(("a", "b")) == ["a", "b", "a-best", "b-best"]
    assert expand(rows, ("a", "b")) == [[1.0, 2.0, -2.0, 0.0], [3.0, 0.0, 0.0, -2.0]]


def test_model_json_round_trips(tmp_path: Path) -> None:
    model = LinearModel(("a", "b"), (0.0, 0.0, 0.0, 0.0), (1.0,) * 4, (1, 2, 3, 4), -1.0)
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"hybrid": model.to_json(), "lexical": model.to_json()}))
    loaded = load_linear(path)
    assert loaded.hybrid == loaded.lexical == model


def test_broken_weights_say_how_to_refit(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text(
        '{"hybrid": {"names": ["dense"], "mean": [], "scale": [], "weights": [], "bias": 0}}'
    )
    with pytest.raises(ConfigError, match="fit-reranker"):
        load_linear(bad)
    with pytest.raises(ConfigError, match="fit-reranker"):
        load_linear(tmp_path / "missing.json")

"""Document-level evidence for the reranker: BM25 over a whole document, its cosines."""

import pytest

from medcite.index import Library
from medcite.retrieve.documents import DocumentEvidence, bm25, idf, with_document_scores
from medcite.retrieve.pipeline import RetrievalPlan, rank_passages
from medcite.types import Concept, DocKind, Document, Hit, Passage, Query
from medcite.understand.query import understand

QUERY = Query(
    "ruxolitinib and cytomegalovirus",
    "definition",
    (
        Concept("ruxolitinib", ("ruxolitinib",), 2.0),
        Concept("cytomegalovirus", ("cytomegalovirus",), 1.0),
        Concept("1700", ("1700",), 1.0, is_number=True),
    ),
)


def _doc(doc_id: str) -> Document:
    return Document(doc_id, f"title {doc_id}", DocKind.OTHER, "test", "test", "v1")


def _passage(pid: str, doc: Document, text: str, section: str | None = None) -> Passage:
    return Passage(pid, doc, 0, text, 0, len(text), section)


def test_bm25_by_hand() -> None:
    # tf 2, length 3 of mean 2: 2.0 * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 1.5)) = 8.8 / 3.65
    scores = bm25({"a": 2.0}, [["a", "a", "b"], ["b"]], [3, 1], 2.0)
    assert scores[0] == pytest.approx(8.8 / 3.65) and scores[1] == 0.0
    assert idf(10, 10) > 0 and idf(1, 10) > idf(5, 10) and idf(12, 10) == idf(10, 10)


def test_a_passage_gains_from_the_rest_of_its_document() -> None:
    x, y = _doc("x"), _doc("y")
    x1 = _passage("x1", x, "Ruxolitinib was started.")
    x2 = _passage("x2", x, "Cytomegalovirus reactivated.")
    y1 = _passage("y1", y, "Ruxolitinib was started.")
    evidence = DocumentEvidence.of_passages({"x": [x1, x2], "y": [y1]}, 40.0, {})
    hits = [Hit(y1, 1.0, 1, {"lexical": 3.0}), Hit(x1, 0.5, 2, {"lexical": 3.0})]
    out = with_document_scores(QUERY, hits, evidence, lambda term: 1, 100)
    by_id = {h.passage.id: h.scores for h in out}
    assert by_id["x1"]["doc_bm25"] > by_id["y1"]["doc_bm25"] > 0
    assert by_id["x1"]["lexical"] == 3.0  # earlier scores are kept
    assert "doc_dense_max" not in by_id["x1"]  # no vectors, no cosines


def test_question_bm25_counts_only_the_words_the_question_wrote() -> None:
    cmv = Query(
        "Is CMV a risk with ruxolitinib?",
        "definition",
        (
            Concept("cytomegalovirus", ("cmv", "cytomegalovirus"), 2.0),
            Concept("ruxolitinib", ("ruxolitinib",), 2.0),
        ),
    )
    x, y = _doc("x"), _doc("y")
    written = _passage("x1", x, "CMV after ruxolitinib.")
    synonym = _passage("y1", y, "Cytomegalovirus after ruxolitinib.")
    evidence = DocumentEvidence.of_passages({"x": [written], "y": [synonym]}, 30.0, {})
    hits = [Hit(synonym, 1.0, 1, {}), Hit(written, 0.5, 2, {})]
    out = with_document_scores(cmv, hits, evidence, lambda term: 1, 100)
    by_id = {h.passage.id: h.scores for h in out}
    assert by_id["x1"]["question_bm25"] > by_id["y1"]["question_bm25"] > 0
    assert by_id["y1"]["doc_bm25"] > 0  # the document BM25 counts every form


def test_document_cosines_and_the_title_fallback() -> None:
    x, y = _doc("x"), _doc("y")
    title = _passage("x0", x, "Title", section="title")
    x1, x2 = _passage("x1", x, "One."), _passage("x2", x, "Two.")
    y1 = _passage("y1", y, "Three.")
    similarity = {"x0": 0.5, "x1": 0.2, "x2": 0.8, "y1": 0.3}
    evidence = DocumentEvidence.of_passages({"x": [title, x1, x2], "y": [y1]}, 10.0, similarity)
    out = with_document_scores(QUERY, [Hit(x1, 1, 1, {}), Hit(y1, 1, 2, {})], evidence, len, 10)
    x_scores, y_scores = out[0].scores, out[1].scores
    assert x_scores["doc_dense_max"] == 0.8 and x_scores["doc_dense_title"] == 0.5
    assert x_scores["doc_dense_top2"] == pytest.approx(0.65)
    assert x_scores["doc_dense_mean"] == pytest.approx(0.5)
    assert y_scores["doc_dense_title"] == 0.3  # no title passage: the best one


def test_a_hit_outside_the_evidence_is_its_own_document() -> None:
    x1 = _passage("x1", _doc("x"), "Ruxolitinib and cytomegalovirus.")
    out = with_document_scores(QUERY, [Hit(x1, 1, 1, {})], DocumentEvidence({}, 30.0, {}), len, 9)
    assert out[0].scores["doc_bm25"] > 0


def test_reranking_sees_document_scores_and_plain_fusion_does_not(library: Library) -> None:
    question = "What are the symptoms of Brindle syndrome?"
    query = understand(question, library.lexical.doc_freq, library.lexical.size())
    reranked = rank_passages(query, library, RetrievalPlan(dense=False))
    assert reranked and "doc_bm25" in reranked[0].scores and "rerank" in reranked[0].scores
    plain = rank_passages(query, library, RetrievalPlan(dense=False, reranker="none"))
    assert plain and "doc_bm25" not in plain[0].scores
    assert library.store.mean_document_chars() > 0

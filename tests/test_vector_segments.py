"""The vector index grows by segments: appends rewrite nothing, replaced documents are
tombstoned and compacted away, a crash at any step leaves the old index or the new one, an
old single-file index is still read, and an interrupted embed resumes where it stopped."""

from __future__ import annotations

import importlib.util
import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from medcite.errors import StoreError
from medcite.index import Library, dense, segments
from medcite.index import vectors as vectors_module
from medcite.index.embedders import EMBEDDERS
from medcite.index.vectors import ExactIndex, HnswIndex
from medcite.ingest.pipeline import ingest
from medcite.settings import load_settings

from .conftest import MEDQUAD_RECORDS, write_medquad
from .fakes import FakeEmbedder

DIMS = 16


def _unit(n: int, seed: int) -> npt.NDArray[np.float32]:
    vectors = np.random.default_rng(seed).normal(size=(n, DIMS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _rows(n: int, start: int = 0, per_doc: int = 2) -> list[tuple[str, str]]:
    return [(f"p{i}", f"d{i // per_doc}") for i in range(start, start + n)]


def _top(index: ExactIndex | HnswIndex, query: npt.NDArray[np.float32], k: int) -> list[str]:
    return [r.passage_id for r in index.search(query, k)]


def test_appending_rewrites_no_segment_and_a_new_process_maps_them(tmp_path: Path) -> None:
    index = ExactIndex(tmp_path / "v", DIMS)
    index.replace([], _rows(100), _unit(100, 0))
    (first,) = index.snapshot.segments
    inode = (tmp_path / "v" / first.name / "vectors.npy").stat().st_ino
    index.replace([], _rows(10, start=100, per_doc=100), _unit(10, 1))
    assert [len(s) for s in index.snapshot.segments] == [100, 10]
    assert (tmp_path / "v" / first.name / "vectors.npy").stat().st_ino == inode
    reader = ExactIndex(tmp_path / "v", DIMS)
    assert reader.size() == 110
    assert all(isinstance(s.vectors, np.memmap) for s in reader.snapshot.segments)
    assert reader.snapshot.segments[0].vectors.dtype == np.float16
    assert _top(reader, _unit(10, 1)[5], 1) == ["p105"]


def test_small_segments_are_merged_so_few_remain(tmp_path: Path) -> None:
    index = ExactIndex(tmp_path / "v", DIMS)
    for step in range(16):
        index.replace([], _rows(5, start=5 * step, per_doc=5), _unit(5, step))
    assert len(index.snapshot.segments) == 1 and index.size() == 80
    keys = np.concatenate([s.keys for s in index.snapshot.segments])
    assert keys.tolist() == list(range(80))
    assert sorted(index.passage_ids()) == sorted(f"p{i}" for i in range(80))


@pytest.mark.parametrize("kernel", ["usearch", "numpy"])
def test_float16_rows_score_as_float32_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: str
) -> None:
    if kernel == "numpy":  # the path without usearch
        monkeypatch.setattr(vectors_module, "_usearch_exact", lambda: None)
    elif importlib.util.find_spec("usearch") is None:
        pytest.skip("usearch is not installed")
    vectors = _unit(200, 2)
    index = ExactIndex(tmp_path / "v", DIMS)
    index.replace([], _rows(200), vectors)
    query = _unit(1, 3)[0]
    found = index.similarities(query, ["p3", "p150", "nope"])
    assert set(found) == {"p3", "p150"}
    assert abs(found["p150"] - float(vectors[150] @ query)) < 2e-3
    exact = np.argsort(-(vectors @ query))[:10]
    assert _top(index, query, 10) == [f"p{i}" for i in exact]


def test_replaced_documents_are_tombstoned_then_compacted(tmp_path: Path) -> None:
    index = ExactIndex(tmp_path / "v", DIMS)
    vectors = _unit(100, 4)
    index.replace([], _rows(100), vectors)
    index.replace(["d0", "d1"], [("p0b", "d0")], _unit(1, 5))  # p0..p3 replaced by p0b
    assert index.size() == 97 and len(index.snapshot.deleted) == 4
    assert "p1" not in _top(index, vectors[1], 5) and "p1" not in index.passage_ids()
    assert set(index.similarities(vectors[1], ["p1", "p0b", "p9"])) == {"p0b", "p9"}
    assert not index.compact_if_needed()  # 4 of 101 rows: under the share
    index.replace([f"d{i}" for i in range(2, 20)], [], np.zeros((0, DIMS), dtype=np.float32))
    assert index.compact_if_needed()
    (segment,) = index.snapshot.segments
    assert len(segment) == index.size() == 61 and not len(index.snapshot.deleted)
    assert ExactIndex(tmp_path / "v", DIMS).snapshot.compactions == 1
    assert _top(index, vectors[50], 1) == ["p50"]
    left = {p.name for p in (tmp_path / "v").iterdir()}
    assert left == {"manifest.json", segment.name}  # nothing of the old segments is left


def test_a_crash_at_any_step_of_a_write_leaves_the_old_or_the_new_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = tmp_path / "template"
    ExactIndex(template, DIMS).replace([], _rows(40), _unit(40, 6))
    real_fsync = segments._fsync
    crashes = 0
    for step in itertools.count(1):
        path = tmp_path / f"trial-{step}"
        shutil.copytree(template, path)
        calls = itertools.count(1)

        def crash(target: Path, step: int = step, calls: Iterator[int] = calls) -> None:
            if next(calls) == step:
                raise OSError("killed")
            real_fsync(target)

        monkeypatch.setattr(segments, "_fsync", crash)
        try:
            _write_change(path)
        except StoreError:
            crashes += 1
        else:
            break
        finally:
            monkeypatch.setattr(segments, "_fsync", real_fsync)
        assert ExactIndex(path, DIMS).size() in (40, 68)  # old, or new (p2, p3 tombstoned)
        _write_change(path)  # the next writer finishes the job over the leftovers
        again = ExactIndex(path, DIMS)
        assert again.size() == 68 and not list(path.glob("*.tmp"))
        assert sorted(again.passage_ids()) == sorted(_expected_after_change())
    assert crashes > 3  # every fsync of a write was a crash point once


def _write_change(path: Path) -> None:
    """Document d1 rewritten: its 2 passages replaced by 30."""
    rows = [(f"p{i}", "d1") for i in range(40, 70)]
    ExactIndex(path, DIMS).replace(["d1"], rows, _unit(30, 7))


def _expected_after_change() -> list[str]:
    return [p for p, d in _rows(40) if d != "d1"] + [f"p{i}" for i in range(40, 70)]


def test_an_index_of_one_vectors_npz_is_read_then_moved_to_segments(tmp_path: Path) -> None:
    path = tmp_path / "v"
    path.mkdir()
    vectors = _unit(30, 8)
    meta = json.dumps({"dimensions": DIMS})
    np.savez(
        path / "vectors.npz",
        meta=np.array(meta),
        passage_ids=np.array([p for p, _ in _rows(30)], dtype="U32"),
        doc_ids=np.array([d for _, d in _rows(30)], dtype="U32"),
        matrix=vectors,
    )
    old = ExactIndex(path, DIMS)
    assert old.size() == 30 and _top(old, vectors[12], 1) == ["p12"]
    assert not (path / "manifest.json").exists()  # reading writes nothing
    old.replace(["d6"], [("p99", "d99")], _unit(1, 9))
    assert not (path / "vectors.npz").exists() and (path / "manifest.json").exists()
    new = ExactIndex(path, DIMS)
    assert new.size() == 29 and "p12" not in new.passage_ids()
    assert _top(new, vectors[20], 1) == ["p20"]


@pytest.mark.skipif(importlib.util.find_spec("usearch") is None, reason="needs usearch")
def test_the_graph_is_extended_by_the_writer_and_skips_tombstones(tmp_path: Path) -> None:
    path = tmp_path / "v"
    vectors = _unit(600, 10)
    writer = HnswIndex(path, DIMS)
    writer.replace([], _rows(500), vectors[:500])
    writer.build()
    writer.replace(["d3"], _rows(100, start=500, per_doc=100), vectors[500:])  # p6, p7 dropped
    reader = HnswIndex(path, DIMS)  # before the graph is extended: the new rows exactly
    assert _top(reader, vectors[550], 1) == ["p550"]
    assert "p7" not in _top(reader, vectors[7], 10)
    writer.build()
    (graph,) = path.glob("graph-*.usearch")
    assert graph.name == "graph-0-600.usearch"
    saved = vectors_module.usearch_index_class().restore(str(graph), view=True)
    assert len(saved) == 600  # extended: a rebuild would hold the 598 live rows only
    fresh = HnswIndex(path, DIMS)
    assert _top(fresh, vectors[550], 1) == ["p550"]
    found = _top(fresh, vectors[7], 50)
    assert "p7" not in found and len(found) == 50


def test_an_interrupted_embed_does_not_embed_finished_batches_again(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class CrashingEmbedder(FakeEmbedder):
        batches_left = 3

        def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:  # type: ignore[override]
            if CrashingEmbedder.batches_left == 0:
                raise KeyboardInterrupt  # as a kill would stop it, mid-embed
            CrashingEmbedder.batches_left -= 1
            return super().embed(texts)

    monkeypatch.setitem(EMBEDDERS, "fake", CrashingEmbedder)
    monkeypatch.setattr(dense, "EMBED_CHUNK", 8)  # two batches of the fake embedder's 4
    records = [
        dict(r, qid=f"X{i}-{r['qid']}", answer=f"{r['answer']} Cohort {i}.")
        for i in range(6)
        for r in MEDQUAD_RECORDS
    ]
    source = write_medquad(tmp_path / "many.jsonl", records)
    settings = load_settings(home=tmp_path / "home", retrieval={"embedder": "fake"})
    lib = Library(settings)
    ingest([source, corpus], lib)
    total = lib.store.passage_count()
    FakeEmbedder.calls = 0
    with pytest.raises(KeyboardInterrupt):
        lib.sync_vectors()
    lib.close()
    first = FakeEmbedder.calls
    # three batches ran; a chunk of whole documents may end in a short one (which documents
    # share a chunk depends on their ids, which depend on the file's path)
    assert 0 < first <= 3 * CrashingEmbedder.batch_size

    again = Library(settings)
    assert again.dense_index is not None
    assert 0 < again.dense_index.vectors.size() < total  # the finished chunk is indexed
    assert again.unembedded() < len(again.store.document_ids())
    CrashingEmbedder.batches_left = 10**6
    FakeEmbedder.calls = 0
    again.sync_vectors()
    texts = {dense.embedding_text(p) for p in again.store.passages_of(again.store.document_ids())}
    assert FakeEmbedder.calls == len(texts) - first  # finished batches came from the cache
    assert again.dense is not None and again.dense.vectors.size() == total
    assert again.unembedded() == 0
    again.close()

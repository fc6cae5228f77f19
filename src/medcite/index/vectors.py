"""Dense vector search behind a small interface: exact (numpy) or HNSW (usearch).

Both search the segments of `index/segments.py`: float16 rows in memory-mapped files that
grow by appended segments, with tombstones for replaced documents and a compaction when
these pass a share of the rows. HNSW adds a graph built and extended by the writer
(`medcite embed`), never by a search. Needs the [dense] extra.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from medcite.errors import ConfigError, MissingExtra, StoreError
from medcite.index import segments
from medcite.index.dense import notice_once
from medcite.index.embedders import VectorSpace
from medcite.index.segments import Snapshot

log = logging.getLogger(__name__)
Floats = npt.NDArray[np.float32]
COMPACT_SHARE = 0.2  # tombstoned rows past this share of all rows: `medcite embed` compacts
_CHUNK = 32_768  # rows scored at once by numpy's exact search (float16 → float32 in pieces)


@dataclass(frozen=True, slots=True)
class VectorResult:
    passage_id: str
    score: float  # cosine similarity


class VectorIndex(ABC):
    """What retrieval needs from a vector backend."""

    name: ClassVar[str]

    def __init__(self, path: Path, dimensions: int, space: VectorSpace | None = None) -> None:
        self.path = path
        self.dimensions = dimensions
        self.space = space  # None: any vectors of these dimensions (tests, tools)
        self.snapshot = self._open()

    @abstractmethod
    def search(self, vector: Floats, k: int) -> list[VectorResult]:
        """The k passages most similar to a unit-length query vector."""

    def replace(
        self, doc_ids: Sequence[str], rows: Sequence[tuple[str, str]], vectors: Floats
    ) -> None:
        """Drop every entry of `doc_ids`, add (passage id, doc id) `rows` with their vectors
        (one appended segment: nothing already written is rewritten)."""
        vectors = vectors.reshape(-1, self.dimensions)
        self._write(lambda snap: segments.append(self.path, snap, doc_ids, rows, vectors))

    def compact_if_needed(self, share: float = COMPACT_SHARE) -> bool:
        """Rewrite the segments without their tombstoned rows once these pass `share`."""
        if len(self.snapshot.deleted) <= share * max(self.snapshot.rows(), 1):
            return False
        self._write(lambda snap: segments.compact(self.path, snap))
        return True

    def clear(self) -> None:
        """Drop every vector (before a library is embedded again by another embedder)."""
        self._write(lambda snap: segments.commit(self.path, snap.emptied(self._meta())))

    def size(self) -> int:
        return self.snapshot.size()

    def passage_ids(self) -> list[str]:
        """Every indexed passage (`medcite check` compares them with the store's)."""
        snap = self.snapshot
        return [p.decode() for s in snap.segments for p in s.passages[snap.live(s)]]

    def similarities(self, vector: Floats, passage_ids: Sequence[str]) -> dict[str, float]:
        """Cosine of the query with each indexed passage among `passage_ids` (a binary search
        in each segment's sorted ids: nothing is loaded whole)."""
        wanted = segments.ids_of(passage_ids)
        query = vector.astype(np.float32)
        found: dict[str, float] = {}
        snap = self.snapshot
        for segment in snap.segments:
            at, rows = segment.rows_of(wanted)
            alive = ~np.isin(rows, snap.dead_rows(segment))
            at, rows = at[alive], rows[alive]
            order = np.argsort(rows)  # mapped rows read in file order
            scores = segment.vectors[rows[order]].astype(np.float32) @ query
            found |= {passage_ids[int(at[i])]: float(s) for i, s in zip(order, scores, strict=True)}
        return found

    def _write(self, change: Callable[[Snapshot], Snapshot]) -> None:
        """Apply a change to the index as it is on disk now (another process may have written
        since this one opened it: writers hold the library's lock, readers do not)."""
        try:
            self.snapshot = change(self._open())
        except OSError as exc:
            raise StoreError(
                f"cannot write the vector index at {self.path}: {exc}; free space or fix the "
                "folder's permissions, then run `medcite embed` again"
            ) from exc

    def _open(self) -> Snapshot:
        empty = segments.empty_snapshot(self._meta())
        try:
            snap = segments.read_snapshot(self.path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("vector index at %s is unreadable (%s); emptied", self.path, exc)
            return empty
        if snap is None:
            return empty
        if not self._same_space(snap.meta):
            log.warning(
                "vector index at %s has another model's vectors (%s); emptied: "
                "`medcite embed` writes them again",
                self.path,
                snap.meta,
            )
            return snap.emptied(self._meta())
        return snap

    def _same_space(self, meta: dict[str, object]) -> bool:
        """Whether a file's vectors are this index's kind (a file written before vectors
        recorded their model names only its dimensions)."""
        if meta.get("dimensions") != self.dimensions:
            return False
        if self.space is None or "model" not in meta:
            return True
        return bool(
            meta.get("embedder") == self.space.embedder
            and meta.get("model") == self.space.model
            and meta.get("variant") == self.space.variant
        )

    def _meta(self) -> dict[str, object]:
        meta: dict[str, object] = {"dimensions": self.dimensions}
        if self.space is not None:
            meta |= {
                "embedder": self.space.embedder,
                "model": self.space.model,
                "variant": self.space.variant,
            }
        return meta


class ExactIndex(VectorIndex):
    """Brute-force cosine search: matrix-vector products over the mapped segments."""

    name = "exact"

    def search(self, vector: Floats, k: int) -> list[VectorResult]:
        return exact_search(self.snapshot, vector, k)


def exact_search(snap: Snapshot, vector: Floats, k: int, from_key: int = 0) -> list[VectorResult]:
    """The k live rows nearest `vector` among those keyed `from_key` or more."""
    query = vector.astype(np.float32)
    scores: list[Floats] = []
    ids: list[npt.NDArray[np.bytes_]] = []
    for segment in snap.segments:
        start = segment.rows_from(from_key)
        dead = snap.dead_rows(segment)
        dead = dead[dead >= start] - start
        found, rows = block_top(segment.vectors[start:], query, k + len(dead))
        keep = ~np.isin(rows, dead)
        scores.append(found[keep])
        ids.append(segment.passages[start + rows[keep]])
    if not scores:
        return []
    every = np.concatenate(scores)
    best = _top(every, k)
    passages = np.concatenate(ids)[best]
    return [VectorResult(p.decode(), float(s)) for p, s in zip(passages, every[best], strict=True)]


def block_top(
    block: npt.NDArray[np.floating[Any]], query: Floats, k: int
) -> tuple[Floats, npt.NDArray[np.intp]]:
    """(scores, rows) of the k rows of `block` nearest `query`, best first: with usearch's
    SIMD kernel when it is installed (numpy converts float16 to float32 about 10× slower
    than it multiplies: 200k rows, 34 ms against 140 ms here), else numpy in pieces."""
    k = min(k, len(block))
    if not k:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.intp)
    kernel = _usearch_exact()
    if kernel is not None:
        found = kernel(block, query, k, "ip", exact=True, threads=1)
        return (1.0 - found.distances).astype(np.float32), found.keys.astype(np.intp)
    scores = np.concatenate(
        [block[i : i + _CHUNK].astype(np.float32) @ query for i in range(0, len(block), _CHUNK)]
    )
    top = _top(scores, k)
    return scores[top], top


@cache
def _usearch_exact() -> Any:
    """usearch's brute-force search, or None without usearch."""
    if importlib.util.find_spec("usearch") is None:
        return None
    usearch_index_class()  # onnxruntime first: see there
    from usearch.index import search

    return search


def _top(scores: Floats, k: int) -> npt.NDArray[np.intp]:
    """Indices of the k highest scores, highest first."""
    k = min(k, len(scores))
    if not k:
        return np.zeros(0, dtype=np.intp)
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


SEARCH_WIDTH = 64  # usearch's default: the narrowest search
SEARCH_FACTOR = 8  # a search looks this many times as wide as the hits it returns
CONNECTIVITY = 16  # graph links per node (usearch's default)
EXPANSION_ADD = 128  # how wide a row being added looks for its links (usearch's default)
_GRAPH = re.compile(r"graph-(\d+)-(\d+)\.usearch")


class HnswIndex(VectorIndex):
    """Approximate search on a usearch HNSW graph (float16, keyed by the segments' row keys)
    built by the writer (`medcite embed`: `build` after `replace`) and extended when rows
    were only appended, never built by a search: a search maps the saved graph
    (`view=True`), searches the rows added after it exactly, and drops tombstoned rows.
    Without a graph it searches exactly and says to run `medcite embed`. The search width
    is `SEARCH_FACTOR` times the number of hits asked for.
    Chosen by `bench/bench_vectors.py` at 1M rows (20k real MiniLM vectors and mixes of
    them; 2 cores, quiet): expansion_add 128 builds in 255 s, recall@100 vs exact 0.944 /
    0.955 at width 400 / 800 (p50 2.1 / 3.6 ms; exact 111 ms); 96 builds in 262 s and
    reaches 0.948 only at width 1200; 64 (under load) stops near 0.85. A fresh process maps
    the index and answers in 0.2 s with 453 MB RSS; 10k appended rows extend the graph in 4 s.
    """

    name = "hnsw"

    def __init__(self, path: Path, dimensions: int, space: VectorSpace | None = None) -> None:
        super().__init__(path, dimensions, space)
        self._graph: Any = None
        self._graph_covers = 0  # the graph holds the rows keyed below this

    def build(self) -> None:
        """Build, or extend with the rows appended since, the graph of the current rows."""
        snap = self.snapshot
        if not snap.size():
            return
        saved = self._graph_files()
        if snap.next_key in saved:
            return
        covers = max(saved, default=0)
        index_class = usearch_index_class()
        if covers:
            graph = index_class.restore(str(saved[covers]))
        else:
            graph = index_class(
                ndim=self.dimensions,
                metric="ip",
                dtype="f16",
                connectivity=CONNECTIVITY,
                expansion_add=EXPANSION_ADD,
            )
        for keys, vectors in segments.live_chunks(snap, covers):
            graph.add(keys, vectors, threads=os.cpu_count() or 1)
        target = self.path / f"graph-{snap.compactions}-{snap.next_key}.usearch"
        tmp = self.path / f"graph.{os.getpid()}.tmp"
        graph.save(str(tmp))
        tmp.chmod(0o600)
        tmp.replace(target)
        for old in saved.values():
            old.unlink(missing_ok=True)
        self._graph, self._graph_covers = None, 0  # the next search maps the saved file

    def _graph_files(self) -> dict[int, Path]:
        """The saved graphs of this compaction, by the key they cover up to."""
        found: dict[int, Path] = {}
        for file in self.path.glob("graph-*.usearch"):
            match = _GRAPH.fullmatch(file.name)
            if match and int(match[1]) == self.snapshot.compactions:
                covers = int(match[2])
                if covers <= self.snapshot.next_key:
                    found[covers] = file
        return found

    def _saved_graph(self) -> Any:
        """The saved graph (mapped, not loaded) of the most rows, or None (nothing is built
        here)."""
        if self._graph is None:
            saved = self._graph_files()
            if saved:
                self._graph_covers = max(saved)
                self._graph = usearch_index_class().restore(
                    str(saved[self._graph_covers]), view=True
                )
        return self._graph

    def search(self, vector: Floats, k: int) -> list[VectorResult]:
        snap = self.snapshot
        if not snap.size():
            return []
        graph = self._saved_graph()
        if graph is None:
            notice_once(
                f"the HNSW graph of the vectors at {self.path} is not built: searching "
                "exactly (slower); `medcite embed` builds it"
            )
            return exact_search(snap, vector, k)
        found = self._graph_search(graph, vector, min(k, snap.size()))
        found += exact_search(snap, vector, k, from_key=self._graph_covers)
        return sorted(found, key=lambda r: -r.score)[:k]

    def _graph_search(self, graph: Any, vector: Floats, k: int) -> list[VectorResult]:
        """The graph's k nearest live rows: searched deeper while tombstones hide some."""
        count = k if not len(self.snapshot.deleted) else 2 * k
        while True:
            graph.expansion_search = max(SEARCH_WIDTH, SEARCH_FACTOR * count)
            matches = graph.search(vector.astype(np.float32), count, exact=False)
            found = self._live_results(matches.keys, matches.distances)
            if len(found) >= k or count >= len(graph):
                return found[:k]
            count *= 2

    def _live_results(self, keys: Any, distances: Any) -> list[VectorResult]:
        snap = self.snapshot
        out: list[VectorResult] = []
        for key, distance in zip(keys, distances, strict=True):
            passage = _passage_of(snap, int(key))
            if passage is not None:
                out.append(VectorResult(passage, 1.0 - float(distance)))
        return out


def _passage_of(snap: Snapshot, key: int) -> str | None:
    """The passage of a live row by key (None: tombstoned or compacted away)."""
    if len(snap.deleted):
        at = int(np.searchsorted(snap.deleted, np.uint64(key)))
        if at < len(snap.deleted) and int(snap.deleted[at]) == key:
            return None
    for segment in snap.segments:
        row = segment.rows_from(key)
        if row < len(segment) and int(segment.keys[row]) == key:
            return bytes(segment.passages[row]).decode()
    return None


def build_graph_if_needed(index: VectorIndex, backend: str, hnsw_threshold: int) -> None:
    """After a write: the graph an HNSW library searches (or an `auto` one will, once it has
    grown past the threshold: the index was opened exact while it was smaller), built or
    extended now, not in an ask."""
    if isinstance(index, HnswIndex):
        index.build()
    elif backend == "auto" and index.size() > hnsw_threshold:
        HnswIndex(index.path, index.dimensions, index.space).build()


def usearch_index_class() -> Any:
    """usearch's Index, loaded after onnxruntime when that is installed: with usearch's
    extension loaded first, creating an onnxruntime session crashes the process (usearch 2.26,
    onnxruntime 1.31, seen here), so the int8 embedder could not run beside HNSW search."""
    if importlib.util.find_spec("onnxruntime") is not None:
        import onnxruntime  # noqa: F401
    try:
        from usearch.index import Index
    except ImportError:
        raise MissingExtra("HNSW vector search (usearch)", "dense") from None
    return Index


VECTOR_BACKENDS: dict[str, Callable[[Path, int, VectorSpace | None], VectorIndex]] = {
    ExactIndex.name: ExactIndex,
    HnswIndex.name: HnswIndex,
}


def open_vectors(
    backend: str,
    path: Path,
    dimensions: int,
    hnsw_threshold: int,
    space: VectorSpace | None = None,
) -> VectorIndex:
    """The vector index at `path`; `auto` picks HNSW when it holds over `hnsw_threshold`."""
    if backend == "auto":
        exact = ExactIndex(path, dimensions, space)
        if exact.size() <= hnsw_threshold:
            return exact
        backend = HnswIndex.name
    try:
        factory = VECTOR_BACKENDS[backend]
    except KeyError:
        known = ", ".join(sorted([*VECTOR_BACKENDS, "auto"]))
        raise ConfigError(f"unknown vector backend {backend!r}; choose one of: {known}") from None
    return factory(path, dimensions, space)

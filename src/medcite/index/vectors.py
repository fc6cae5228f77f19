"""Dense vector search behind a small interface: exact (numpy) or HNSW (usearch).

Both keep the canonical data in one `vectors.npz` (passage ids, document ids, vectors, and
the embedder, model, variant and dimensions that made them), replaced atomically on every
change; HNSW builds its graph from it. Needs the [dense] extra.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from medcite.datadir import private_dir
from medcite.errors import ConfigError, MissingExtra, StoreError
from medcite.index.dense import notice_once
from medcite.index.embedders import VectorSpace

log = logging.getLogger(__name__)
Floats = npt.NDArray[np.float32]


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
        self._file = path / "vectors.npz"
        self.passage_ids, self.doc_ids, self.matrix = self._load()
        self._rows: dict[str, int] | None = None

    @abstractmethod
    def search(self, vector: Floats, k: int) -> list[VectorResult]:
        """The k passages most similar to a unit-length query vector."""

    def replace(
        self, doc_ids: Sequence[str], rows: Sequence[tuple[str, str]], vectors: Floats
    ) -> None:
        """Drop every entry of `doc_ids`, add (passage id, doc id) `rows` with their vectors."""
        drop = np.isin(self.doc_ids, np.array(list(doc_ids), dtype=self.doc_ids.dtype))
        keep = ~drop
        new_pids = np.array([p for p, _ in rows], dtype="U32")
        new_dids = np.array([d for _, d in rows], dtype="U32")
        self.passage_ids = np.concatenate([self.passage_ids[keep], new_pids])
        self.doc_ids = np.concatenate([self.doc_ids[keep], new_dids])
        self.matrix = np.vstack([self.matrix[keep], vectors.reshape(-1, self.dimensions)])
        self._rows = None
        self._save()

    def size(self) -> int:
        return len(self.passage_ids)

    def similarities(self, vector: Floats, passage_ids: Sequence[str]) -> dict[str, float]:
        """Cosine of the query with each indexed passage among `passage_ids`."""
        if self._rows is None:
            self._rows = {str(pid): i for i, pid in enumerate(self.passage_ids)}
        rows = [(pid, self._rows[pid]) for pid in passage_ids if pid in self._rows]
        if not rows:
            return {}
        scores = self.matrix[[i for _, i in rows]] @ vector.astype(np.float32)
        return {pid: float(s) for (pid, _), s in zip(rows, scores, strict=True)}

    def _load(self) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_], Floats]:
        empty = (
            np.zeros(0, dtype="U32"),
            np.zeros(0, dtype="U32"),
            np.zeros((0, self.dimensions), dtype=np.float32),
        )
        if not self._file.exists():
            return empty
        try:
            with np.load(self._file) as data:
                meta = json.loads(str(data["meta"]))
                if not self._same_space(meta):
                    log.warning(
                        "vector index at %s has another model's vectors (%s); emptied: "
                        "`medcite embed` writes them again",
                        self.path,
                        meta,
                    )
                    return empty
                return data["passage_ids"], data["doc_ids"], data["matrix"].astype(np.float32)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("vector index at %s is unreadable (%s); emptied", self.path, exc)
            return empty

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

    def clear(self) -> None:
        """Drop every vector (before a library is embedded again by another embedder)."""
        self.passage_ids = np.zeros(0, dtype="U32")
        self.doc_ids = np.zeros(0, dtype="U32")
        self.matrix = np.zeros((0, self.dimensions), dtype=np.float32)
        self._rows = None
        self._save()

    def _save(self) -> None:
        private_dir(self.path.parent)
        private_dir(self.path)
        tmp = self.path / "vectors.tmp.npz"
        meta = json.dumps(self._meta())
        try:
            np.savez(
                tmp,
                meta=np.array(meta),
                passage_ids=self.passage_ids,
                doc_ids=self.doc_ids,
                matrix=self.matrix,
            )
            tmp.chmod(0o600)
            tmp.replace(self._file)
        except OSError as exc:
            raise StoreError(f"cannot write the vector index at {self.path}: {exc}") from exc


class ExactIndex(VectorIndex):
    """Brute-force cosine search: one matrix-vector product."""

    name = "exact"

    def search(self, vector: Floats, k: int) -> list[VectorResult]:
        return exact_search(self, vector, k)


def exact_search(index: VectorIndex, vector: Floats, k: int) -> list[VectorResult]:
    if not index.size():
        return []
    scores = index.matrix @ vector.astype(np.float32)
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [VectorResult(str(index.passage_ids[i]), float(scores[i])) for i in top]


SEARCH_WIDTH = 64  # usearch's default; a search is never narrower than the hits it returns


class HnswIndex(VectorIndex):
    """Approximate search on a usearch HNSW graph built from the stored vectors by the
    writer (`medcite embed`: `replace` builds and saves it beside them), never by a search:
    a search without the graph of the current vectors searches exactly and says to run
    `medcite embed`. The search width is at least the number of hits asked for.
    52k MiniLM vectors here: 0.7 ms a query against 3.7 ms exact, recall@100 0.90 of exact
    (width 64, before it followed the depth); 209k: 0.7 ms against 16 ms, graph built in 60 s."""

    name = "hnsw"

    def __init__(self, path: Path, dimensions: int, space: VectorSpace | None = None) -> None:
        super().__init__(path, dimensions, space)
        self._graph: Any = None

    def replace(
        self, doc_ids: Sequence[str], rows: Sequence[tuple[str, str]], vectors: Floats
    ) -> None:
        super().replace(doc_ids, rows, vectors)
        self._graph = None
        self.build()

    def clear(self) -> None:
        super().clear()
        self._graph = None

    def _graph_file(self) -> Path:
        """The saved graph, named after the vectors it was built from."""
        stat = self._file.stat()
        return self.path / f"hnsw-{stat.st_size}-{stat.st_mtime_ns}.usearch"

    def build(self) -> None:
        """Build and save the graph of the current vectors, unless it is saved already."""
        if not self.size() or self._graph_file().exists():
            return
        graph = usearch_index_class()(
            ndim=self.dimensions, metric="ip", dtype="f32", connectivity=16
        )
        graph.add(np.arange(self.size(), dtype=np.uint64), self.matrix, threads=2)
        for old in self.path.glob("hnsw-*.usearch"):
            old.unlink(missing_ok=True)
        tmp = self.path / f"hnsw.{os.getpid()}.tmp"
        graph.save(str(tmp))
        tmp.chmod(0o600)
        tmp.replace(self._graph_file())
        self._graph = graph

    def _saved_graph(self) -> Any:
        """The saved graph of the current vectors, or None (nothing is built here)."""
        if self._graph is None and self._file.exists():
            saved = self._graph_file()
            if saved.exists():
                self._graph = usearch_index_class().restore(str(saved))
        return self._graph

    def search(self, vector: Floats, k: int) -> list[VectorResult]:
        if not self.size():
            return []
        graph = self._saved_graph()
        if graph is None:
            notice_once(
                f"the HNSW graph of the vectors at {self.path} is not built: searching "
                "exactly (slower); `medcite embed` builds it"
            )
            return exact_search(self, vector, k)
        k = min(k, self.size())
        graph.expansion_search = max(SEARCH_WIDTH, k)
        found = graph.search(vector.astype(np.float32), k, exact=False)
        return [
            VectorResult(str(self.passage_ids[int(key)]), 1.0 - float(dist))
            for key, dist in zip(found.keys, found.distances, strict=True)
        ]


def build_graph_if_needed(index: VectorIndex, backend: str, hnsw_threshold: int) -> None:
    """After a write: the graph an `auto` library will search once it has grown past the
    threshold (the index was opened exact while it was smaller), built now, not in an ask."""
    if backend == "auto" and isinstance(index, ExactIndex) and index.size() > hnsw_threshold:
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

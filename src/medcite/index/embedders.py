"""Sentence embedders behind a small interface, and a content-hash cache of their vectors.

Embedders need the optional `[dense]` extra (numpy, tokenizers and the model weights); this
module imports none of it until an embedder is built.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from medcite.datadir import private_file
from medcite.errors import ConfigError, MissingExtra, StoreError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

EmbedProgress = Callable[[int, int], None]  # (done, total) texts


@dataclass(frozen=True, slots=True)
class VectorSpace:
    """Which vectors these are: the embedder that made them, its model, the variant of its
    weights and their dimensions. Vectors of two spaces are never searched together."""

    embedder: str
    model: str
    variant: str
    dimensions: int

    def describe(self) -> str:
        return f"{self.embedder} ({self.model}, {self.variant}, {self.dimensions} dimensions)"


class Embedder(ABC):
    """Turns texts into unit-length vectors; similar meaning, high dot product."""

    name: ClassVar[str]
    dimensions: ClassVar[int]
    model: ClassVar[str] = ""  # the model's name (default: the embedder's)
    variant: ClassVar[str] = "fp32"  # the weights' number format: fp32, int8, ...
    batch_size: ClassVar[int] = 32
    version: ClassVar[str] = "1"  # part of the cache key: bump when outputs change

    @classmethod
    def space(cls) -> VectorSpace:
        return VectorSpace(cls.name, cls.model or cls.name, cls.variant, cls.dimensions)

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> Floats:
        """One L2-normalised float32 row per text."""

    def embed_query(self, text: str) -> Floats:
        vectors: Floats = self.embed([text])
        row: Floats = vectors[0]
        return row

    @classmethod
    def check_available(cls) -> None:
        """Raise MissingExtra if the embedder could not be built (cheap: loads nothing)."""
        return None

    @property
    def model_id(self) -> str:
        return f"{self.name}/{self.version}/{self.dimensions}"


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2, 384 dimensions, run in numpy (see `medcite.index.minilm`)."""

    name = "minilm"
    dimensions = 384
    model = "all-MiniLM-L6-v2"
    variant = "fp32"
    batch_size = 32

    def __init__(self) -> None:
        self.check_available()
        from medcite.index.minilm import MiniLM

        self._model = MiniLM()

    @classmethod
    def check_available(cls) -> None:
        for module in ("numpy", "tokenizers"):
            if importlib.util.find_spec(module) is None:
                raise MissingExtra(f"dense retrieval ({module} is missing)", "dense")
        from medcite.index.minilm import model_dir

        model_dir()

    def embed(self, texts: Sequence[str]) -> Floats:
        return self._model.encode(list(texts))


class MiniLMInt8Embedder(Embedder):
    """all-MiniLM-L6-v2 with int8 weights, run by onnxruntime (`medcite.index.minilm_onnx`):
    several times the numpy path's throughput (`bench/bench_embedders.py`)."""

    name = "minilm-int8"
    dimensions = 384
    model = "all-MiniLM-L6-v2"
    variant = "int8"
    batch_size = 32

    def __init__(self) -> None:
        self.check_available()
        from medcite.index.minilm_onnx import MiniLMOnnx

        self._model = MiniLMOnnx()

    @classmethod
    def check_available(cls) -> None:
        for module in ("numpy", "tokenizers", "onnxruntime"):
            if importlib.util.find_spec(module) is None:
                raise MissingExtra(f"int8 ONNX embeddings ({module} is missing)", "dense")
        from medcite.index.minilm import model_dir
        from medcite.index.minilm_onnx import onnx_file

        onnx_file()
        model_dir()  # the tokenizer

    def embed(self, texts: Sequence[str]) -> Floats:
        return self._model.encode(list(texts))


EMBEDDERS: dict[str, type[Embedder]] = {
    MiniLMEmbedder.name: MiniLMEmbedder,
    MiniLMInt8Embedder.name: MiniLMInt8Embedder,
}


def embedder_class(name: str) -> type[Embedder]:
    """The embedder a setting names; MissingExtra when its dependencies are not installed."""
    try:
        cls = EMBEDDERS[name]
    except KeyError:
        known = ", ".join(sorted([*EMBEDDERS, "none"]))
        raise ConfigError(f"unknown embedder {name!r}; choose one of: {known}") from None
    cls.check_available()
    return cls


class EmbeddingCache:
    """Vectors keyed by the hash of (model, text), in a SQLite file shared by data dirs."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        private_file(path)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the embedding cache at {path}: {exc}") from exc

    def get(self, keys: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", chunk
            )
            found.update(rows.fetchall())
        return found

    def put(self, items: Sequence[tuple[str, bytes]]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?)", items)
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


def cache_key(embedder: Embedder, text: str) -> str:
    return hashlib.sha256(f"{embedder.model_id}\0{text}".encode()).hexdigest()[:32]


def embed_cached(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache,
    progress: EmbedProgress | None = None,
) -> Floats:
    """Vectors for `texts` (rows in order), computing only those the cache lacks."""
    import numpy as np

    keys = [cache_key(embedder, t) for t in texts]
    known = cache.get(sorted(set(keys)))
    missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
    # Texts of similar length share a batch, so little of it is padding.
    todo = sorted(missing.items(), key=lambda kt: len(kt[1]))
    done = len(texts) - len(todo)
    for batch in _chunks(todo, embedder.batch_size):
        vectors = embedder.embed([t for _, t in batch])
        fresh = [
            (k, v.astype(np.float32).tobytes()) for (k, _), v in zip(batch, vectors, strict=True)
        ]
        known.update(fresh)
        cache.put(fresh)
        done += len(batch)
        if progress:
            progress(done, len(texts))
    rows = [np.frombuffer(known[k], dtype=np.float32) for k in keys]
    return np.vstack(rows) if rows else np.zeros((0, embedder.dimensions), dtype=np.float32)


def _chunks(items: list[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]

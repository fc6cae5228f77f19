"""Dense retrieval's half of the library: an embedder and its vector index, kept in step
with the store through the `vector_pending` queue (drained by `Library.sync_vectors`).

Embedding is slow next to lexical indexing, so it is a separate step (`medcite embed`,
`medcite ingest --embed`); until it runs, new passages are found by lexical search only.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

from medcite.errors import MissingExtra
from medcite.index.embedders import (
    Embedder,
    EmbeddingCache,
    EmbedProgress,
    VectorSpace,
    embedder_class,
)
from medcite.settings import Settings
from medcite.types import Passage

if TYPE_CHECKING:
    from medcite.index.vectors import VectorIndex, VectorResult

log = logging.getLogger(__name__)


class DenseIndex:
    """An embedder (built on first use: loading weights takes a while) and its vectors."""

    def __init__(
        self, embedder_cls: type[Embedder], vectors: VectorIndex, cache: EmbeddingCache
    ) -> None:
        self.embedder_cls = embedder_cls
        self.vectors = vectors
        self.cache = cache
        self._embedder: Embedder | None = None

    @property
    def space(self) -> VectorSpace:
        return self.embedder_cls.space()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self.embedder_cls()
        return self._embedder

    def search(self, question: str, k: int) -> list[VectorResult]:
        if not self.vectors.size():
            return []
        return self.vectors.search(self.embedder.embed_query(question), k)

    def close(self) -> None:
        self.cache.close()


def open_dense(settings: Settings) -> DenseIndex | None:
    """The dense index the settings ask for, or None (with a notice, once) if unavailable."""
    cfg = settings.retrieval
    if cfg.embedder == "none":
        return None
    try:
        cls = embedder_class(cfg.embedder)
        from medcite.index.vectors import open_vectors
    except MissingExtra as exc:
        notice_once(f"lexical retrieval only: {exc}")
        return None
    except ImportError as exc:
        missing = MissingExtra(f"dense retrieval ({exc.name} is missing)", "dense")
        notice_once(f"lexical retrieval only: {missing}")
        return None
    path = settings.data_dir / "vectors" / cls.name
    vectors = open_vectors(
        cfg.vector_backend, path, cls.dimensions, cfg.hnsw_threshold, cls.space()
    )
    cache_path = cfg.embedding_cache or settings.data_dir / "embeddings.sqlite3"
    return DenseIndex(cls, vectors, EmbeddingCache(cache_path.expanduser()))


def embedding_text(passage: Passage) -> str:
    """What is embedded for a passage: its document's title, then its text."""
    title = passage.document.title.strip()
    if not title or passage.text.startswith(title):
        return passage.text
    return f"{title}\n{passage.text}"


def embed_passages(
    dense: DenseIndex,
    passages: list[Passage],
    progress: EmbedProgress | None,
    doc_ids: list[str],
) -> None:
    """Embed (cache first) and index `passages`, replacing the vectors of `doc_ids`."""
    from medcite.index.embedders import embed_cached

    vectors = embed_cached(
        dense.embedder, [embedding_text(p) for p in passages], dense.cache, progress
    )
    dense.vectors.replace(doc_ids, [(p.id, p.document.id) for p in passages], vectors)


def other_space_notice(kept: VectorSpace, asked: VectorSpace) -> str:
    """What to say when the settings name another embedder than the library's vectors'."""
    return (
        f"the library's vectors were made by {kept.describe()}, and retrieval.embedder is "
        f"{asked.describe()}: dense retrieval is off until `medcite embed` embeds the library "
        f"again with {asked.embedder} (vectors it embedded before are reused from the cache), "
        f"or set retrieval.embedder = {kept.embedder}"
    )


@cache
def notice_once(message: str) -> None:
    """Log a notice the first time it is given in this process."""
    log.warning(message)

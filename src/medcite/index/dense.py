"""Dense retrieval's half of the library: an embedder and its vector index, kept in step
with the store through the `vector_pending` queue (drained by `Library.sync_vectors`).

Embedding is slow next to lexical indexing, so it is a separate step (`medcite embed`,
`medcite ingest --embed`); until it runs, new passages are found by lexical search only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
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
    from medcite.index.store import Store
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


EMBED_CHUNK = 2048  # passages (whole documents) made durable together by `embed_pending`


def embed_pending(
    dense: DenseIndex, store: Store, doc_ids: list[str], progress: EmbedProgress | None
) -> None:
    """Embed (cache first) and index the passages of `doc_ids`, replacing their vectors,
    a chunk of whole documents at a time: each chunk's vectors are appended as a segment and
    its documents leave the queue, so an embed killed at any point resumes after the last
    finished chunk, and within it the cache holds every finished batch."""
    total = store.count_passages_of(doc_ids)
    done = 0
    seen: set[str] = set()
    for chunk in _whole_documents(store.passages_of(doc_ids), EMBED_CHUNK):
        chunk_docs = list(dict.fromkeys(p.document.id for p in chunk))
        embed_passages(dense, chunk, _offset(progress, done, total), chunk_docs)
        store.clear_pending_vectors(chunk_docs)
        seen.update(chunk_docs)
        done += len(chunk)
    empty = [d for d in doc_ids if d not in seen]  # deleted, or left without passages
    if empty:
        embed_passages(dense, [], None, empty)
        store.clear_pending_vectors(empty)


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


def _whole_documents(passages: Iterator[Passage], size: int) -> Iterator[list[Passage]]:
    """The passages (grouped by document) in lists of whole documents, `size` or a little
    more passages each."""
    chunk: list[Passage] = []
    for passage in passages:
        if len(chunk) >= size and passage.document.id != chunk[-1].document.id:
            yield chunk
            chunk = []
        chunk.append(passage)
    if chunk:
        yield chunk


def _offset(progress: EmbedProgress | None, done: int, total: int) -> EmbedProgress | None:
    """A chunk's progress as progress through the whole embed."""
    if progress is None:
        return None
    return lambda chunk_done, _chunk_total: progress(done + chunk_done, total)


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

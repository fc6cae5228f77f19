"""The indexed library: the SQLite store plus the lexical and vector indexes, kept consistent."""

from __future__ import annotations

import logging
from functools import cached_property

from medcite.index.dense import DenseIndex, embed_passages, notice_once, open_dense
from medcite.index.embedders import EmbedProgress
from medcite.index.lexical import LexicalIndex, open_lexical
from medcite.index.store import Store
from medcite.settings import Settings

log = logging.getLogger(__name__)


class Library:
    """Store and lexical index opened together; the store is the source of truth."""

    def __init__(self, settings: Settings) -> None:
        home = settings.data_dir
        self.settings = settings
        self.store = Store(home / "medcite.sqlite3")
        self.lexical: LexicalIndex = open_lexical(
            settings.retrieval.lexical_backend,
            home / "lexical" / settings.retrieval.lexical_backend,
            settings.retrieval.title_boost,
        )
        self.sync()

    def sync(self) -> int:
        """Bring the lexical index up to date with the store; returns documents rewritten.

        Replays the queue left by an interrupted ingest, and rebuilds from scratch when the
        index was deleted or does not match the store.
        """
        pending = self.store.pending_lexical()
        if not pending and self.lexical.size() != self.store.passage_count():
            log.warning("lexical index out of step with the store; rebuilding it")
            self.store.queue_all_for_lexical()
            pending = self.store.pending_lexical()
        if not pending:
            return 0
        self.lexical.replace(pending, self.store.passages_of(pending))
        self.store.clear_pending(pending)
        return len(pending)

    @cached_property
    def dense(self) -> DenseIndex | None:
        """Embedder and vector index, or None when dense retrieval is off or not installed."""
        found = open_dense(self.settings)
        if found is not None and self.unembedded():
            notice_once(
                f"{self.unembedded()} documents have no vectors yet, so dense retrieval does "
                "not see them: run `medcite embed`"
            )
        return found

    def sync_vectors(self, progress: EmbedProgress | None = None) -> int:
        """Embed what the `vector_pending` queue holds; returns documents rewritten.

        Rebuilds from the store when the vector index was deleted or does not match it.
        Vectors already in the embedding cache are not recomputed.
        """
        dense = self.dense
        if dense is None:
            return 0
        pending = self.store.pending_vectors()
        if not pending and dense.vectors.size() != self.store.passage_count():
            log.warning("vector index out of step with the store; rebuilding it")
            self.store.queue_all_for_vectors()
            pending = self.store.pending_vectors()
        if not pending:
            return 0
        embed_passages(dense, list(self.store.passages_of(pending)), progress, pending)
        self.store.clear_pending_vectors(pending)
        return len(pending)

    def unembedded(self) -> int:
        """Documents whose vectors are not written yet (`medcite embed` writes them)."""
        return self.store.pending_vector_count()

    def close(self) -> None:
        if "dense" in self.__dict__ and self.dense is not None:
            self.dense.close()
        self.store.close()

"""The indexed library: the SQLite store plus the lexical and vector indexes, kept consistent."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from medcite.datadir import tighten_tree
from medcite.index.dense import (
    DenseIndex,
    embed_pending,
    notice_once,
    open_dense,
    other_space_notice,
)
from medcite.index.embedders import EmbedProgress
from medcite.index.lexical import LexicalIndex, open_lexical
from medcite.index.locking import OnWait, WriterLock
from medcite.index.store import Store
from medcite.settings import Settings

log = logging.getLogger(__name__)


class Library:
    """Store and lexical index opened together; the store is the source of truth.

    Writers (ingest, embed, repair) hold the data directory's writer lock (`writing()`);
    readers never wait for it (`index/locking.py`).
    """

    def __init__(self, settings: Settings) -> None:
        home = settings.data_dir
        self.settings = settings
        self.store = Store(home / "medcite.sqlite3")
        self.lock = WriterLock(home)
        may_write = self.lock.try_acquire()
        try:
            self.lexical: LexicalIndex = open_lexical(
                settings.retrieval.lexical_backend,
                home / "lexical" / settings.retrieval.lexical_backend,
                settings.retrieval.title_boost,
                may_write=may_write,
            )
            if may_write:
                tighten_tree(self._lexical_folder)
        finally:
            if may_write:
                self.lock.release()
        self.sync()

    @property
    def _lexical_folder(self) -> Path:
        return self.settings.data_dir / "lexical"

    @contextmanager
    def writing(self, on_wait: OnWait | None = None) -> Iterator[None]:
        """Hold the writer lock (waiting up to `ingest.lock_wait_s` for another writer, and
        saying so through `on_wait`, by default a logged warning)."""
        self.lock.acquire(self.settings.ingest.lock_wait_s, on_wait or log.warning)
        try:
            yield
        finally:
            self.lock.release()

    def sync(self) -> int:
        """Bring the lexical index up to date with the store; returns documents rewritten.

        Replays the queue left by an interrupted ingest, and rebuilds from scratch when the
        index was deleted or does not match the store. Only with the writer lock: while
        another process writes, the index is searched as it is (it catches up when that
        process syncs it).
        """
        if not self.lock.try_acquire():
            log.info("another process is writing the library; searching the index as it is")
            return 0
        try:
            return self._sync_lexical()
        finally:
            self.lock.release()

    def _sync_lexical(self) -> int:
        pending = self.store.pending_lexical()
        if not pending and self.lexical.size() != self.store.passage_count():
            log.warning("lexical index out of step with the store; rebuilding it")
            self.store.queue_all_for_lexical()
            pending = self.store.pending_lexical()
        if not pending:
            return 0
        self.lexical.replace(pending, self.store.passages_of(pending))
        self.store.clear_pending(pending)
        tighten_tree(self._lexical_folder)  # new segments: private whatever the umask
        return len(pending)

    @cached_property
    def dense_index(self) -> DenseIndex | None:
        """The settings' embedder and its vector index (None: dense retrieval is off or not
        installed), whether or not the library's vectors are its."""
        return open_dense(self.settings)

    @cached_property
    def dense(self) -> DenseIndex | None:
        """What dense retrieval searches: None as well when the library's vectors were made
        by another embedder than the settings name (never compared with its queries)."""
        found = self.dense_index
        if found is None:
            return None
        kept = self.store.vector_space()
        if kept is not None and kept != found.space:
            notice_once(other_space_notice(kept, found.space))
            return None
        if self.unembedded():
            notice_once(
                f"{self.unembedded()} documents have no vectors yet, so dense retrieval does "
                "not see them: run `medcite embed`"
            )
        return found

    def sync_vectors(self, progress: EmbedProgress | None = None) -> int:
        """Embed what the `vector_pending` queue holds; returns documents rewritten.

        Rebuilds from the store when the vector index was deleted or does not match it, and
        embeds everything again when the library's vectors were made by another embedder.
        Vectors already in the embedding cache are not recomputed.
        """
        dense = self.dense_index
        if dense is None:
            return 0
        with self.writing():
            self._adopt_space(dense)
            written = self._sync_vectors(dense, progress)
        self.__dict__.pop("dense", None)  # searchable again if it was another embedder's
        return written

    def _adopt_space(self, dense: DenseIndex) -> None:
        """Make the settings' embedder the library's: a library embedded by another one is
        queued whole and its index emptied first, so the two are never mixed."""
        kept = self.store.vector_space()
        if kept == dense.space:
            return
        if kept is None:  # vectors from before embedders were recorded: this folder's own
            self.store.adopt_vector_space(dense.space, requeue=False)
            return
        log.warning(
            "the library's vectors were made by %s: embedding it again with %s",
            kept.describe(),
            dense.space.describe(),
        )
        dense.vectors.clear()
        self.store.adopt_vector_space(dense.space, requeue=True)

    def _sync_vectors(self, dense: DenseIndex, progress: EmbedProgress | None) -> int:
        pending = self.store.pending_vectors()
        if not pending and dense.vectors.size() != self.store.passage_count():
            log.warning("vector index out of step with the store; rebuilding it")
            self.store.queue_all_for_vectors()
            pending = self.store.pending_vectors()
        if not pending:
            return 0
        embed_pending(dense, self.store, pending, progress)
        from medcite.index.vectors import build_graph_if_needed

        cfg = self.settings.retrieval
        dense.vectors.compact_if_needed()
        build_graph_if_needed(dense.vectors, cfg.vector_backend, cfg.hnsw_threshold)
        return len(pending)

    def unembedded(self) -> int:
        """Documents whose vectors are not written yet (`medcite embed` writes them)."""
        return self.store.pending_vector_count()

    def close(self) -> None:
        if "dense_index" in self.__dict__ and self.dense_index is not None:
            self.dense_index.close()
        self.store.close()

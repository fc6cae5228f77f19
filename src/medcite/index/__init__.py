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
from medcite.index.store import SourceRecord, Store
from medcite.index.writes import SourceWriter
from medcite.settings import Settings
from medcite.vocabularies import use_folder

VOCABULARIES = "vocabularies"  # compact vocabulary files (`medcite.vocabularies`), in the home

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
        use_folder(home / VOCABULARIES)
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
        # Documents whose passages were staged in the lexical index from a write, not yet
        # committed there (their queue entries stay until then); `_staged_exact` is false once
        # a write's changes were too many to keep, so the queue alone says what to index.
        self._staged: set[str] = set()
        self._staged_exact = True
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
            try:
                self.lexical.release()
            finally:
                self.lock.release()

    @contextmanager
    def writing_source(
        self, source: SourceRecord, *, resumed: bool = False
    ) -> Iterator[SourceWriter]:
        """One transaction of a file in the store (`Store.writing`); once committed, what it
        changed is staged in the lexical index, which `sync` commits (no read back)."""
        with self.store.writing(source, resumed=resumed) as writer:
            yield writer
        changes = writer.changes
        if changes is None:
            self._staged_exact = False
            return
        try:
            self.lexical.stage(list(changes), [p for ps in changes.values() for p in ps])
        except BaseException:
            self._staged.clear()  # all still queued: `sync` reads them back
            raise
        self._staged.update(changes)

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
        staged = self._commit_staged()
        pending = self.store.pending_lexical()
        if not pending and self.lexical.size() != self.store.passage_count():
            log.warning("lexical index out of step with the store; rebuilding it")
            self.store.queue_all_for_lexical()
            pending = self.store.pending_lexical()
        if pending:
            self.lexical.replace(pending, self.store.passages_of(pending))
            self.store.clear_pending(pending)
        if staged or pending:
            tighten_tree(self._lexical_folder)  # new segments: private whatever the umask
        return staged + len(pending)

    def _commit_staged(self) -> int:
        """Commit what writes staged and take it off the queue (all of the queue is read back
        instead when a write's changes were not all staged)."""
        staged, exact = sorted(self._staged), self._staged_exact
        self._staged.clear()
        self._staged_exact = True
        self.lexical.commit()
        if not exact or not staged:
            return 0
        self.store.clear_pending(staged)
        return len(staged)

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
        self.lexical.discard()  # staged and not synced: still queued, indexed at the next open
        self._staged.clear()
        if "dense_index" in self.__dict__ and self.dense_index is not None:
            self.dense_index.close()
        self.store.close()

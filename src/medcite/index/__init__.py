"""The indexed library: the SQLite store plus the lexical index, kept consistent."""

from __future__ import annotations

import logging

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

    def close(self) -> None:
        self.store.close()

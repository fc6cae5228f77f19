"""Freshness: a version cites passages as they were; re-ingestion may change or remove them.

`cited_sources` records what a new version cites (passage id, document id and version, a
hash of the passage text); `check_freshness` compares the current versions' citations with
the library and flags the articles whose sources changed as needing re-review.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import Protocol

from medcite.articles.records import CitedSource
from medcite.articles.store import ArticleStore
from medcite.errors import ReviewConflict
from medcite.index import Library
from medcite.index.store import Store
from medcite.types import Passage

log = logging.getLogger(__name__)


class CitedReference(Protocol):
    """What a cited passage of a saved answer gives: its id and its text when cited."""

    @property
    def passage_id(self) -> str: ...

    @property
    def passage(self) -> str: ...


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def cited_sources(references: Sequence[CitedReference], store: Store) -> tuple[CitedSource, ...]:
    """The sources an answer cites, as stored now; refused if one changed since the answer."""
    found = store.passages([r.passage_id for r in references])
    sources = []
    for r in references:
        passage = found.get(r.passage_id)
        if passage is None or passage.text != r.passage:
            raise ReviewConflict(
                f"passage {r.passage_id} has changed or gone since this answer was written; "
                "ask the question again and save the new answer"
            )
        sources.append(_source(passage))
    return tuple(sources)


def _source(passage: Passage) -> CitedSource:
    return CitedSource(
        passage.id, passage.document.id, passage.document.version, text_hash(passage.text)
    )


def check_freshness(articles: ArticleStore, library: Library) -> list[str]:
    """Flag articles whose current version cites a passage since changed or removed.

    One query for the cited passages (indexed by passage id) and one lookup per 500 of them
    in the library; returns the ids of the articles flagged now.
    """
    cited = articles.cited_passages()
    if not cited:
        return []
    current = library.store.passages(sorted({c.passage_id for c in cited}))
    reasons: dict[str, str] = {}
    for c in cited:
        passage = current.get(c.passage_id)
        if passage is None:
            why = f"passage {c.passage_id} was removed from the library"
        elif text_hash(passage.text) != c.text_hash:
            why = f"the text of passage {c.passage_id} changed"
        else:
            continue
        reasons.setdefault(c.article_id, why)
    flagged = articles.mark_stale(reasons)
    if flagged:
        log.info("%d articles need re-review: %s", len(flagged), ", ".join(flagged))
    return flagged

"""Related questions: questions of indexed documents (MedQuAD's) near the one asked.

The question's concepts are searched in the lexical index; among the documents that carry
a question of their own (`extra["question"]`), those whose question covers the most of the
asked question's weighted concepts come first, then by retrieval rank.
"""

from __future__ import annotations

from medcite.answer.evidence import coverage, matchers
from medcite.index import Library
from medcite.retrieve.expand import question_groups
from medcite.text import normalize_ws, term_set
from medcite.types import Query

POOL = 60
MIN_TITLE_COVERAGE = 0.2


def related_questions(query: Query, library: Library, limit: int = 5) -> tuple[str, ...]:
    """Up to `limit` distinct indexed questions near the query, the asked ones excluded."""
    ms = matchers(query)
    if not ms or limit <= 0:
        return ()
    results = library.lexical.search(question_groups(query), POOL)
    passages = library.store.passages([r.passage_id for r in results])
    seen = {_key(q) for q in (query.question, *query.history)}
    ranked: list[tuple[float, int, str]] = []
    for rank, result in enumerate(results):
        passage = passages.get(result.passage_id)
        question = passage.document.extra.get("question") if passage else None
        if not question or _key(question) in seen:
            continue
        seen.add(_key(question))
        share = coverage(ms, term_set(question))
        if share >= MIN_TITLE_COVERAGE:
            ranked.append((-share, rank, question))
    ranked.sort()
    return tuple(q for _, _, q in ranked[:limit])


def _key(question: str) -> str:
    return normalize_ws(question).lower().rstrip("?. ")

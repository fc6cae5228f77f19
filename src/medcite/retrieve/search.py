"""Lexical retrieval of passages for a Query."""

from __future__ import annotations

from medcite.index import Library
from medcite.index.lexical import TermGroup
from medcite.retrieve.priors import apply_kind_priors
from medcite.text import terms
from medcite.types import Hit, Query


def term_groups(query: Query) -> list[TermGroup]:
    """One OR-group of analyzed terms per concept (numbers are left to the verifier)."""
    groups = []
    for concept in query.concepts:
        if concept.is_number:
            continue
        group_terms = sorted({t for form in concept.forms for t in terms(form)})
        if group_terms:
            groups.append(TermGroup(tuple(group_terms)))
    return groups


def retrieve(query: Query, library: Library, max_per_document: int = 6) -> list[Hit]:
    """The query's best passages, best first, at most `max_per_document` from one document."""
    results = library.lexical.search(term_groups(query), query.k * 3)
    passages = library.store.passages([r.passage_id for r in results])
    hits: list[Hit] = []
    per_doc: dict[str, int] = {}
    for r in results:
        passage = passages.get(r.passage_id)
        if passage is None:  # the index may briefly lag a concurrent ingest
            continue
        doc_id = passage.document.id
        if per_doc.get(doc_id, 0) >= max_per_document:
            continue
        per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
        hits.append(Hit(passage, r.score, len(hits) + 1, {"lexical": r.score}))
        if len(hits) == query.k:
            break
    return apply_kind_priors(hits)

"""Retrieval for answering: the ranked passages, at most a few from one document."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from medcite.index import Library
from medcite.retrieve.pipeline import RetrievalPlan, rank_passages
from medcite.retrieve.priors import apply_kind_priors
from medcite.types import Hit, Query

Order = Literal["reranked", "fused", "fused_scored"]


def retrieve(
    query: Query,
    library: Library,
    max_per_document: int = 6,
    *,
    order: Order = "reranked",
    exclude: frozenset[str] = frozenset(),
) -> list[Hit]:
    """The query's best passages, best first, at most `max_per_document` from one document,
    with the evidence-kind prior breaking near-ties (see retrieve/priors.py).

    `order`: "reranked" by the reranker; "fused" without it (a search whose words matter more
    than the reranker's document-level evidence); "fused_scored" in the fused order, each
    passage keeping the reranker's score as evidence. Passages in `exclude` (already found)
    are passed over, so a second search spends its share of a long document on passages not
    yet seen."""
    plan = RetrievalPlan.from_settings(library.settings.retrieval)
    if order == "fused":
        plan = replace(plan, reranker="none")
    ranked = rank_passages(query, library, plan)
    if order == "fused_scored":
        ranked = sorted(ranked, key=lambda h: -h.scores.get("fused", h.scores.get("lexical", 0)))
    hits: list[Hit] = []
    per_doc: dict[str, int] = {}
    for hit in ranked:
        doc_id = hit.passage.document.id
        if hit.passage.id in exclude or per_doc.get(doc_id, 0) >= max_per_document:
            continue
        per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
        hits.append(Hit(hit.passage, hit.score, len(hits) + 1, hit.scores))
        if len(hits) == query.k:
            break
    return apply_kind_priors(hits)

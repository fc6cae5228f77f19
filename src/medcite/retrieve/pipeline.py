"""Retrieval as composable stages: lexical and dense candidates -> fusion -> rerank.

`rank_passages` returns the raw ranking (evaluation uses it); `retrieve` in `search.py`
caps passages per document for answering. A stage is skipped when the plan says so, or,
for dense retrieval, when the [dense] extra or the vectors are not there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from medcite.index import Library
from medcite.index.lexical import TermGroup
from medcite.retrieve.documents import DocumentEvidence, with_document_scores
from medcite.retrieve.expand import expanded_groups, question_groups
from medcite.retrieve.fusion import Fused, Ranking, reciprocal_rank_fusion, weighted_sum_fusion
from medcite.retrieve.rerank import Reranker, open_reranker
from medcite.settings import RetrievalSettings
from medcite.types import Hit, Passage, Query

if TYPE_CHECKING:  # numpy comes with the [dense] extra only
    from medcite.index.vectors import Floats


@dataclass(frozen=True, slots=True)
class RetrievalPlan:
    """Which stages run and how; built from settings, or varied by the evaluation."""

    lexical: bool = True
    dense: bool = True
    fusion: Literal["rrf", "weighted"] = "rrf"
    expansion: bool = True
    expansion_weight: float = 0.5
    reranker: str = "linear"
    candidates: int = 100
    rrf_k: int = 60
    dense_weight: float = 0.5
    rerank_depth: int = 200

    @classmethod
    def from_settings(cls, cfg: RetrievalSettings) -> RetrievalPlan:
        return cls(
            dense=cfg.embedder != "none",
            fusion=cfg.fusion,
            expansion=cfg.expansion,
            expansion_weight=cfg.expansion_weight,
            reranker=cfg.reranker,
            candidates=cfg.candidates,
            rrf_k=cfg.rrf_k,
            dense_weight=cfg.dense_weight,
            rerank_depth=cfg.rerank_depth,
        )


def lexical_groups(query: Query, plan: RetrievalPlan) -> list[TermGroup]:
    if plan.expansion:
        return expanded_groups(query, plan.expansion_weight)
    return question_groups(query)


def rank_passages(
    query: Query, library: Library, plan: RetrievalPlan, reranker: Reranker | None = None
) -> list[Hit]:
    """Every candidate passage, best first, with each stage's score in `Hit.scores`."""
    if reranker is None and plan.reranker != "none":
        reranker = open_reranker(plan.reranker)
    hits, vector = fused_hits(query, library, plan)
    if reranker is not None:
        hits = add_document_scores(query, hits, plan, library, vector)
    return rerank_hits(query, hits, plan, reranker)


def fused_hits(
    query: Query, library: Library, plan: RetrievalPlan
) -> tuple[list[Hit], Floats | None]:
    """Lexical and dense candidates fused (no reranking), and the query vector if any."""
    depth = max(plan.candidates, query.k * 3)
    rankings: dict[str, Ranking] = {}
    if plan.lexical:
        found = library.lexical.search(lexical_groups(query, plan), depth)
        rankings["lexical"] = [(r.passage_id, r.score) for r in found]
    dense = library.dense if plan.dense else None
    similarity: dict[str, float] = {}
    vector = None
    if dense is not None and dense.vectors.size():
        vector = dense.embedder.embed_query(query.question)
        found_dense = dense.vectors.search(vector, depth)
        rankings["dense"] = [(r.passage_id, r.score) for r in found_dense]
        lexical_ids = [pid for pid, _ in rankings.get("lexical", [])]
        similarity = dense.vectors.similarities(vector, lexical_ids)
    fused = fuse(rankings, plan)
    passages = library.store.passages([f.passage_id for f in fused])
    return to_hits(fused, passages, similarity), vector


def add_document_scores(
    query: Query, hits: list[Hit], plan: RetrievalPlan, library: Library, vector: Floats | None
) -> list[Hit]:
    """The hits the reranker will see, with their documents' scores (see documents.py)."""
    head = hits[: plan.rerank_depth]
    evidence = document_evidence(library, head, vector)
    head = with_document_scores(
        query, head, evidence, library.lexical.doc_freq, library.lexical.size()
    )
    return head + hits[plan.rerank_depth :]


def document_evidence(
    library: Library, hits: Sequence[Hit], vector: Floats | None
) -> DocumentEvidence:
    """The hits' documents' term counts (kept by the store), and with a query vector the
    cosines of all their passages; nothing here grows with the library."""
    docs = list(dict.fromkeys(h.passage.document.id for h in hits))
    store = library.store
    passages: dict[str, list[tuple[str, str | None]]] = {}
    similarity: dict[str, float] = {}
    if vector is not None and library.dense is not None:
        passages = store.passage_sections(docs)
        ids = [pid for group in passages.values() for pid, _ in group]
        similarity = library.dense.vectors.similarities(vector, ids)
    terms = store.document_terms(docs)
    return DocumentEvidence(terms, store.mean_document_chars(), similarity, passages)


def fuse(rankings: Mapping[str, Ranking], plan: RetrievalPlan) -> list[Fused]:
    """One ranking from the retrievers' rankings (a single ranking passes through)."""
    if len(rankings) == 1:
        name, ranking = next(iter(rankings.items()))
        return [Fused(pid, score, {name: score}) for pid, score in ranking]
    if plan.fusion == "weighted":
        weights = {"lexical": 1.0 - plan.dense_weight, "dense": plan.dense_weight}
        return weighted_sum_fusion(rankings, weights)
    return reciprocal_rank_fusion(rankings, plan.rrf_k)


def to_hits(
    fused: Sequence[Fused], passages: Mapping[str, Passage], similarity: Mapping[str, float]
) -> list[Hit]:
    """Hits in fused order; every candidate gets its cosine, also those dense did not reach."""
    hits: list[Hit] = []
    for f in fused:
        passage = passages.get(f.passage_id)
        if passage is None:  # an index may briefly lag a concurrent ingest
            continue
        scores = dict(f.scores)
        if "dense" not in scores and f.passage_id in similarity:
            scores["dense"] = similarity[f.passage_id]
        if len(f.scores) > 1:
            scores["fused"] = f.score
        hits.append(Hit(passage, f.score, len(hits) + 1, scores))
    return hits


def rerank_hits(
    query: Query, hits: list[Hit], plan: RetrievalPlan, reranker: Reranker | None = None
) -> list[Hit]:
    """The first `rerank_depth` hits re-ordered by the plan's reranker; the rest follow."""
    if reranker is None and plan.reranker != "none":
        reranker = open_reranker(plan.reranker)
    if reranker is None or not hits:
        return hits
    head = reranker.rerank(query, hits[: plan.rerank_depth])
    tail = [replace(h, rank=len(head) + i + 1) for i, h in enumerate(hits[plan.rerank_depth :])]
    return head + tail

"""Ranking metrics over one query: nDCG@k, recall@k, MRR@k, precision@k.

A ranking is a sequence of ids, best first (ids repeat at most once; see `first_occurrences`).
Relevance maps ids to graded gains (0 = not relevant); unlisted ids have gain 0. nDCG uses
linear gains and a log2(rank + 1) discount, as trec_eval does. Queries with no relevant id
have no defined nDCG, recall or MRR: the functions return 0.0 for them and `mean_over`
leaves them out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

Relevance = Mapping[str, float]


def first_occurrences(ids: Iterable[str]) -> list[str]:
    """The ids in order with repeats removed (passages -> their documents)."""
    seen: set[str] = set()
    out = []
    for i in ids:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def ranking_from_scores(scores: Mapping[str, float]) -> list[str]:
    """Ids by score, best first; equal scores are ordered by id, so the result is stable."""
    return [i for i, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))]


def dcg_at_k(ranking: Sequence[str], relevance: Relevance, k: int) -> float:
    return sum(
        relevance.get(doc, 0.0) / math.log2(rank + 1)
        for rank, doc in enumerate(ranking[:k], start=1)
    )


def ndcg_at_k(ranking: Sequence[str], relevance: Relevance, k: int) -> float:
    ideal_gains = sorted((g for g in relevance.values() if g > 0), reverse=True)[:k]
    ideal = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal_gains, start=1))
    return dcg_at_k(ranking, relevance, k) / ideal if ideal else 0.0


def recall_at_k(ranking: Sequence[str], relevance: Relevance, k: int) -> float:
    relevant = {doc for doc, g in relevance.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def mrr_at_k(ranking: Sequence[str], relevance: Relevance, k: int) -> float:
    for rank, doc in enumerate(ranking[:k], start=1):
        if relevance.get(doc, 0.0) > 0:
            return 1.0 / rank
    return 0.0


def precision_at_k(
    ranking: Sequence[str], relevance: Relevance, k: int, threshold: float = 0.0
) -> float:
    """Share of the first k ids whose gain is above `threshold` (k counts even past the end)."""
    return sum(1 for doc in ranking[:k] if relevance.get(doc, 0.0) > threshold) / k


def has_relevant(relevance: Relevance) -> bool:
    return any(g > 0 for g in relevance.values())


def mean_over(values: Iterable[tuple[float, Relevance]]) -> float:
    """Mean of per-query values, leaving out queries with no relevant id."""
    kept = [v for v, rel in values if has_relevant(rel)]
    return sum(kept) / len(kept) if kept else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)

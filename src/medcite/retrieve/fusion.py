"""Fusion of rankings from several retrievers into one: reciprocal rank or weighted sum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Ranking = Sequence[tuple[str, float]]  # (passage id, score), best first


@dataclass(frozen=True, slots=True)
class Fused:
    """One passage after fusion: the fused score and each retriever's own score."""

    passage_id: str
    score: float
    scores: Mapping[str, float]


def reciprocal_rank_fusion(
    rankings: Mapping[str, Ranking], k: int = 60, weights: Mapping[str, float] | None = None
) -> list[Fused]:
    """Sum of weight / (k + rank) over the rankings a passage appears in (rank from 1)."""
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, (pid, _) in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return _ordered(fused, rankings)


def weighted_sum_fusion(
    rankings: Mapping[str, Ranking], weights: Mapping[str, float]
) -> list[Fused]:
    """Sum of weight * min-max normalised score; a passage missing from a ranking gets 0 there."""
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 0.0)
        for pid, norm in _min_max(ranking).items():
            fused[pid] = fused.get(pid, 0.0) + weight * norm
    return _ordered(fused, rankings)


def _min_max(ranking: Ranking) -> dict[str, float]:
    if not ranking:
        return {}
    scores = [s for _, s in ranking]
    lo, hi = min(scores), max(scores)
    if hi == lo:
        return {pid: 1.0 for pid, _ in ranking}
    return {pid: (s - lo) / (hi - lo) for pid, s in ranking}


def _ordered(fused: dict[str, float], rankings: Mapping[str, Ranking]) -> list[Fused]:
    """Best first; ties broken by passage id so the order is deterministic."""
    own = {name: dict(ranking) for name, ranking in rankings.items()}
    order = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return [
        Fused(pid, score, {name: s[pid] for name, s in own.items() if pid in s})
        for pid, score in order
    ]

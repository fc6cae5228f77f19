"""Citations assigned by code: a model proposes claims, medcite decides what each cites.

A small model writes a correct sentence and cites the wrong passage about half the time. So
the model's citation numbers are only a first guess. Each claim is judged by the verifier's
own rules (quote located, every number, dose, unit and interval identical, drugs and
conditions named by the passage) against the passages the model cited; when none of them
supports it, against every passage the model was shown, and the claim is re-cited to the
best-supporting ones. A claim no shown passage supports keeps the model's citations and the
verifier, which stays the last word, removes it with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from medcite.types import Claim, ClaimStatus, Passage
from medcite.verify import Verifier

MAX_CITATIONS = 2  # passages cited per claim when code chooses them


@dataclass(frozen=True, slots=True)
class Assigned:
    """The claims with citations chosen by code, and what happened to the model's."""

    claims: tuple[Claim, ...]
    kept: int = 0  # claims a passage the model cited supports
    recited: int = 0  # claims moved to passages the model did not cite
    unsupported: int = 0  # claims no shown passage supports (left to the verifier)
    citations_dropped: int = 0  # cited passages that do not support their claim

    def notes(self) -> tuple[str, ...]:
        """What the answer records about the model's citations (nothing when all held)."""
        notes = []
        if self.recited:
            notes.append(
                f"{self.recited} claim(s) cited a passage that does not support them and "
                "were re-cited by code to one that does"
            )
        if self.citations_dropped:
            notes.append(f"{self.citations_dropped} unsupported citation(s) were dropped")
        if self.unsupported:
            notes.append(f"{self.unsupported} claim(s) are supported by no passage shown")
        return tuple(notes)


def assign_citations(
    claims: Sequence[Claim],
    passages: Sequence[Passage],
    verifier: Verifier,
    max_citations: int = MAX_CITATIONS,
) -> Assigned:
    """Each claim cited to the passages that support it (see the module docstring)."""
    shown = {p.id: p for p in passages}
    assigned: list[Claim] = []
    kept = recited = unsupported = dropped = 0
    for claim in claims:
        cited = tuple(pid for pid in dict.fromkeys(claim.passage_ids) if pid in shown)
        own = verifier.check(replace(claim, passage_ids=cited), shown) if cited else None
        if own is not None and own.status == ClaimStatus.VERIFIED:
            best = _best(own, max_citations)
            dropped += len(cited) - len(best)
            assigned.append(replace(claim, passage_ids=best))
            kept += 1
            continue
        anywhere = verifier.check(replace(claim, passage_ids=tuple(shown)), shown)
        if anywhere.status == ClaimStatus.VERIFIED:
            dropped += len(cited)
            assigned.append(replace(claim, passage_ids=_best(anywhere, max_citations)))
            recited += 1
        else:
            assigned.append(claim)
            unsupported += 1
    return Assigned(tuple(assigned), kept, recited, unsupported, dropped)


def _best(checked: Claim, limit: int) -> tuple[str, ...]:
    """The passages that passed, best support first (at most `limit`)."""
    ranked = sorted(checked.support, key=lambda s: -s.score)
    return tuple(dict.fromkeys(s.passage_id for s in ranked))[:limit]

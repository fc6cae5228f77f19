"""The one place that numbers citations and builds the reference list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from medcite.types import Claim, Passage, Reference


def number_citations(
    claims: Sequence[Claim], passages: Mapping[str, Passage]
) -> tuple[list[Claim], list[Reference]]:
    """Give each cited passage a number in order of first citation.

    Ids that name no known passage are dropped; so is a claim left with no citation.
    """
    numbers: dict[str, int] = {}
    numbered: list[Claim] = []
    for claim in claims:
        ids = [pid for pid in dict.fromkeys(claim.passage_ids) if pid in passages]
        if not ids:
            continue
        for pid in ids:
            numbers.setdefault(pid, len(numbers) + 1)
        support = tuple(s for s in claim.support if s.passage_id in ids)
        numbered.append(
            replace(
                claim,
                passage_ids=tuple(ids),
                citations=tuple(numbers[p] for p in ids),
                support=support,
            )
        )
    references = [Reference(n, passages[pid]) for pid, n in numbers.items()]
    return numbered, references

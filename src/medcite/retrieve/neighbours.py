"""Passages that complete a retrieved one: the rest of its section, tables first.

A label's dosing sentence often ends "based on weight as shown below" and the doses sit in
the table after it, which shares none of the question's words; a short answer page is cut
into passages of which only some match the question. For the best few hits, the other
passages of the same document section join the evidence (the whole section when it is
short, else the nearest, tables first), scored just below the hit they complete.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from medcite.types import DocKind, Hit, Passage, PassageKind

ANCHORS = 6  # how many of the best hits bring their section's other passages
PER_ANCHOR = 3
SHORT_SECTION = 8  # passages
NEIGHBOUR_SHARE = 0.95  # of the anchor's score

PassagesOf = Callable[[Sequence[str]], Iterable[Passage]]


def with_neighbours(hits: Sequence[Hit], passages_of: PassagesOf) -> list[Hit]:
    """`hits`, then for each of the first ANCHORS hits with a section, up to PER_ANCHOR
    other passages of that section not already among the hits."""
    anchors = [h for h in hits[:ANCHORS] if h.passage.section]
    if not anchors:
        return list(hits)
    by_doc: dict[str, list[Passage]] = {}
    for p in passages_of(list(dict.fromkeys(h.passage.document.id for h in anchors))):
        by_doc.setdefault(p.document.id, []).append(p)
    seen = {h.passage.id for h in hits}
    added: list[Hit] = []
    for anchor in anchors:
        same = [
            p
            for p in by_doc.get(anchor.passage.document.id, [])
            if p.section == anchor.passage.section and p.id not in seen
        ]
        same.sort(key=lambda p: (p.kind != PassageKind.TABLE, abs(p.seq - anchor.passage.seq)))
        # a short section comes whole (a MedQuAD answer); a long one brings its nearest
        for p in same[: len(same) if len(same) <= SHORT_SECTION else PER_ANCHOR]:
            seen.add(p.id)
            scores = {**anchor.scores, "neighbour_of": float(anchor.rank)}
            added.append(Hit(p, anchor.score * NEIGHBOUR_SHARE, 0, scores))
    ranked = [*hits, *added]
    return [replace(h, rank=i) for i, h in enumerate(ranked, start=1)]


def with_boxed_warnings(
    hits: Sequence[Hit], passages_of: PassagesOf, names: re.Pattern[str] | None
) -> list[Hit]:
    """`hits`, then the boxed-warning passages of the drug labels among them whose title
    names one of the question's drugs (a label's boxed warning goes with any answer about
    that drug's use, dose or safety)."""
    if names is None:
        return list(hits)
    labels = {
        h.passage.document.id
        for h in hits
        if h.passage.document.kind == DocKind.DRUG_LABEL and names.search(h.passage.document.title)
    }
    if not labels:
        return list(hits)
    seen = {h.passage.id for h in hits}
    floor = min((h.score for h in hits), default=1.0)
    boxed = [
        Hit(p, floor * NEIGHBOUR_SHARE, len(hits) + n, {"boxed_warning": 1.0})
        for n, p in enumerate(
            (
                p
                for p in passages_of(sorted(labels))
                if p.id not in seen and (p.section or "").lower().startswith("boxed warning")
            ),
            start=1,
        )
    ]
    return [*hits, *boxed]

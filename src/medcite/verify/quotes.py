"""Find where a passage says a claim: the exact quote, or else the best-matching span.

Exact: the claim's words in order, whitespace aside, not inside a longer word or number
("5 mg" is not found in "0.5 mg" or "5 mg/kg"). Otherwise the span is the window of one or
more consecutive sentences (up to `window` sentences) covering the largest share of the
claim's content words, the shortest such window first. Numbers, drugs and conditions are
left out of that choice, so that a swapped drug or dose cannot pull the window towards a
sentence that happens to name it; they are checked against the chosen span afterwards.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from medcite.clinical.doses import parse_measures
from medcite.text import content_terms, sentence_spans
from medcite.types import Passage, PassageKind, Support
from medcite.verify.entities import blank, claim_entities

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|neither|nor|without|cannot)\b|n['’]t\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Located:
    """A span of a passage for a claim; `negated` when an exact quote follows a negation
    earlier in its own sentence ("do not [give 5 mg daily]")."""

    support: Support
    negated: bool = False


def negation_count(text: str) -> int:
    """How many negations a text holds ("not", "no", "never", "without", "doesn't"...)."""
    return len(_NEGATION.findall(text))


def exact_quote(claim: str, passage: Passage) -> Located | None:
    """The claim's own text in the passage, if it is there."""
    span = find_words(" ".join(claim.split()), passage.text)
    if span is None:
        return None
    start, end = span
    support = Support(passage.id, passage.text[start:end], start, end)
    table = passage.kind == PassageKind.TABLE
    return Located(support, negated=_negated_before(passage.text, start, table=table))


def find_words(words: str, text: str) -> tuple[int, int] | None:
    """Where `words` (single-spaced) occur in `text` whitespace aside, not inside a longer
    word or number ("5 mg" is not in "0.5 mg", "15 mg" or "5 mg/kg")."""
    if not words:
        return None
    flat, flat_starts, starts = _flattened(text)
    at = flat.find(words)
    while at >= 0:
        start = _original(at, flat_starts, starts)
        end = _original(at + len(words) - 1, flat_starts, starts) + 1
        if _bounded(text, start, end, words):
            return start, end
        at = flat.find(words, at + 1)
    return None


def _bounded(text: str, start: int, end: int, words: str) -> bool:
    if words[0].isalnum() and _BEFORE.search(text[max(0, start - 1) : start]):
        return False
    return not (words[-1].isalnum() and _AFTER.match(text, end))


_BEFORE = re.compile(r"[\w.·]$")
_AFTER = re.compile(r"[\w/%^]|[.·]\d|[-‐]\w")
_TOKEN = re.compile(r"\S+")


@lru_cache(maxsize=8192)
def _flattened(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """`text` single-spaced, with where each token starts there and in `text`."""
    tokens = [(m.start(), m.group(0)) for m in _TOKEN.finditer(text)]
    flat_starts, position = [], 0
    for _, token in tokens:
        flat_starts.append(position)
        position += len(token) + 1
    flat = " ".join(token for _, token in tokens)
    return flat, tuple(flat_starts), tuple(start for start, _ in tokens)


def _original(at: int, flat_starts: tuple[int, ...], starts: tuple[int, ...]) -> int:
    i = bisect_right(flat_starts, at) - 1
    return starts[i] + (at - flat_starts[i])


def best_window(claim: str, passage: Passage, window: int) -> Located:
    """The sentences of the passage that best cover the claim's content words."""
    wanted = claim_terms(claim)
    sentences = _sentences(passage.text)
    if not sentences:
        return Located(Support(passage.id, passage.text, 0, len(passage.text), False, 0.0))
    best = (-1.0, 0, 0)  # coverage, -length, -index
    best_span = (0, 0)
    for i in range(len(sentences)):
        covered: frozenset[str] = frozenset()
        for j in range(i, min(i + window, len(sentences))):
            covered |= sentences[j][2]
            share = len(wanted & covered) / len(wanted) if wanted else 1.0
            key = (share, i - j, -i)
            if key > best:
                best, best_span = key, (sentences[i][0], sentences[j][1])
    start, end = best_span
    quote = passage.text[start:end]
    return Located(Support(passage.id, quote, start, end, exact=False, score=round(best[0], 3)))


@lru_cache(maxsize=4096)
def claim_terms(claim: str) -> frozenset[str]:
    """Content words of a claim that choose its span: no numbers, drugs or conditions."""
    measures = parse_measures(claim)
    spans = [(q.start, q.end) for q in measures.quantities]
    spans += [(i.start, i.end) for i in measures.intervals]
    spans += list(claim_entities(claim).spans)
    kept = content_terms(blank(claim, tuple(spans)))
    terms = frozenset(t for t in kept if not any(ch.isdigit() for ch in t))
    return terms or frozenset(t for t in content_terms(claim) if not t.isdigit())


@lru_cache(maxsize=8192)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(text))


@lru_cache(maxsize=8192)
def _sentences(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    return tuple((s, e, content_terms(text[s:e])) for s, e in _spans(text))


def _negated_before(text: str, start: int, *, table: bool = False) -> bool:
    """Whether the sentence holding `start` has a negation before it (in a table, the row
    holding it: another row's "without" does not reverse this one)."""
    for s, e in _spans(text):
        if s <= start < e:
            before = text[s:start]
            if table:
                before = before[before.rfind("\n") + 1 :]
            return negation_count(before) > 0
    return False

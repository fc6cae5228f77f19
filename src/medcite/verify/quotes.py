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
from dataclasses import dataclass
from functools import lru_cache

from medcite.clinical.doses import parse_measures
from medcite.text import content_terms, sentence_spans
from medcite.types import Passage, Support
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
    pattern = _exact_pattern(claim)
    if pattern is None:
        return None
    m = pattern.search(passage.text)
    if m is None:
        return None
    support = Support(passage.id, m.group(0), m.start(), m.end())
    return Located(support, negated=_negated_before(passage.text, m.start()))


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


@lru_cache(maxsize=4096)
def _exact_pattern(claim: str) -> re.Pattern[str] | None:
    parts = claim.split()
    if not parts:
        return None
    body = r"\s+".join(re.escape(p) for p in parts)
    if parts[0][0].isalnum():
        body = r"(?<![\w.·])" + body
    if parts[-1][-1].isalnum():
        body += r"(?![\w/%^]|[.·]\d|[-‐]\w)"
    return re.compile(body)


@lru_cache(maxsize=8192)
def _sentences(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    return tuple((s, e, content_terms(text[s:e])) for s, e in sentence_spans(text))


def _negated_before(text: str, start: int) -> bool:
    """Whether the sentence holding `start` has a negation before it."""
    for s, e, _ in _sentences(text):
        if s <= start < e:
            return negation_count(text[s:start]) > 0
    return False

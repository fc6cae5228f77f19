"""Which named things a sentence denies: a small NegEx-style window of our own.

Rules, in order:
1. A pseudo-trigger ("no cure", "not only", "gram-negative") is not a negation.
2. A pre-trigger ("no", "not", "denies", "without", "negative for", "never", ...) negates the
   first entity that starts within three words after it, provided no scope-ending word
   ("but", "with", "in", "for", "who", ...) or punctuation comes between.
3. A post-trigger right after an entity ("fever was ruled out", "rash absent") negates it.
4. Negation carries along a list: entities separated from a negated one only by "or", "and",
   "nor" or commas are negated too, commas only when the list ends with one of those words
   ("denies chest pain, cough or fever"; but "not pregnant, transplant recipient").
Entities are given as character spans; only they can be negated, never arbitrary words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PSEUDO = re.compile(
    r"\b(?:no\s+(?:cure|treatment|need|change|increase|decrease|difference|way|matter|more\s+than|"
    r"less\s+than|doubt)|not\s+(?:only|necessarily|certain|sure|more\s+than|less\s+than)|"
    r"whether\s+or\s+not|if\s+not|gram[- ]negative)\b",
    re.I,
)
_PRE = re.compile(
    r"\b(?:no|not|denies|denied|deny|denying|without|negative\s+for|free\s+of|absence\s+of|"
    r"never|neither|nor|none|rules?\s+out|ruled\s+out|isn't|wasn't|doesn't\s+have|"
    r"didn't\s+have|hasn't\s+had)\b",
    re.I,
)
_POST = re.compile(
    r"\s*(?:(?:was|were|is|are|has\s+been|have\s+been)\s+)?(?:ruled\s+out|absent|excluded|"
    r"negative|not\s+present)\b",
    re.I,
)
_END_SCOPE = re.compile(
    r"[.;:?!()]|\b(?:but|however|although|though|except|yet|with|in|for|during|after|before|to|"
    r"because|since|due|who|which|that|when|if|while|presents?|presented|reports?)\b",
    re.I,
)
_LIST_GAP = re.compile(r"^\s*(?:,\s*)?(?:or|and|nor|/)?\s*(?:,\s*)?$", re.I)
_LIST_WORD = re.compile(r"\b(?:or|and|nor)\b|/", re.I)
_WINDOW_WORDS = 3


def negated(text: str, spans: Sequence[tuple[int, int]]) -> set[int]:
    """Indices of the spans (sorted by start) that the text denies."""
    pseudo = [(m.start(), m.end()) for m in _PSEUDO.finditer(text)]
    out: set[int] = set()
    for trigger in _PRE.finditer(text):
        if any(s <= trigger.start() < e for s, e in pseudo):
            continue
        first = _first_in_scope(text, trigger.end(), spans)
        if first is not None:
            out.add(first)
    for index, (_, end) in enumerate(spans):
        if _POST.match(text, end):
            out.add(index)
    return _carry_along_lists(text, spans, out)


def _first_in_scope(text: str, after: int, spans: Sequence[tuple[int, int]]) -> int | None:
    for index, (start, _) in enumerate(spans):
        if start < after:
            continue
        gap = text[after:start]
        if _END_SCOPE.search(gap) or len(gap.split()) > _WINDOW_WORDS:
            return None
        return index
    return None


def _carry_along_lists(text: str, spans: Sequence[tuple[int, int]], found: set[int]) -> set[int]:
    """Extend each negation along its list: across "or", "and", "nor", and across commas only
    when the list goes on to end with one of those words ("no fever, cough or rash")."""
    gaps = [text[spans[i - 1][1] : spans[i][0]] for i in range(1, len(spans))]
    out = set(found)
    for index in sorted(found):
        chain = []
        for gap in gaps[index:]:
            if not _LIST_GAP.match(gap):
                break
            chain.append(gap)
        worded = [i for i, gap in enumerate(chain) if _LIST_WORD.search(gap)]
        reach = worded[-1] + 1 if worded else 0
        out.update(range(index + 1, index + 1 + reach))
    return out

"""Misspelt words of a question, read as the word the library (or everyday English) uses.

"threapy", "geneome", "Spanich", "mysositis": a word that neither the library nor everyday
English knows is first taken for a misspelling when one edit (a letter deleted, swapped,
replaced or inserted) turns it into a word the library uses often enough, or into an
everyday word; only otherwise is it an unknown name (an invented drug is then missing from
the library, and medcite says so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from medcite.text import terms
from medcite.understand.subject import is_everyday

DocFreq = Callable[[str], int]
MIN_LENGTH = 3
MIN_DOC_FREQ = 2
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def correction(word: str, doc_freq: DocFreq) -> str | None:
    """The word this one is a misspelling of, or None (known already, or no close word)."""
    lower = word.lower()
    if len(lower) < MIN_LENGTH or not lower.isalpha() or is_everyday(lower):
        return None
    if any(doc_freq(t) > 0 for t in terms(lower)):
        return None
    best, best_df = None, 0
    for variant in _edits(lower):
        if is_everyday(variant):
            df = max((doc_freq(t) for t in terms(variant)), default=0) + MIN_DOC_FREQ
        else:
            df = max((doc_freq(t) for t in terms(variant)), default=0)
        if df >= MIN_DOC_FREQ and df > best_df:
            best, best_df = variant, df
    return best


def _edits(word: str) -> Iterator[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    seen: set[str] = set()
    for left, right in splits:
        candidates = []
        if right:
            candidates.append(left + right[1:])
            candidates += [left + c + right[1:] for c in _LETTERS]
        if len(right) > 1:
            candidates.append(left + right[1] + right[0] + right[2:])
        candidates += [left + c + right for c in _LETTERS]
        for candidate in candidates:
            if candidate != word and candidate not in seen:
                seen.add(candidate)
                yield candidate

"""ROUGE-2 and ROUGE-SU4 F1 of a text against reference texts (the best reference counts).

ROUGE-2 is Google's `rouge-score` package (Porter stemming), the `eval` extra. It has no
ROUGE-SU4, so that is computed here as ROUGE-1.5.5 does with `-2 4 -u`: skip-bigrams whose
words are at most 4 words apart, plus unigrams, over rouge-score's own stemmed tokens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from medcite.errors import MissingExtra

MAX_GAP = 4  # words allowed between the two words of a skip-bigram


@lru_cache(maxsize=1)
def _rouge() -> tuple[Any, Any]:
    """rouge-score's ROUGE-2 scorer and its stemming tokenizer."""
    try:
        from rouge_score import rouge_scorer, tokenizers
    except ImportError:
        raise MissingExtra("ROUGE scores (the rouge-score package)", "eval") from None
    tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)
    return rouge_scorer.RougeScorer(["rouge2"], tokenizer=tokenizer), tokenizer


def tokens(text: str) -> list[str]:
    """Lower-cased, Porter-stemmed tokens exactly as rouge-score makes them."""
    return list(_rouge()[1].tokenize(text))


def rouge2_f1(text: str, references: Sequence[str]) -> float:
    """rouge-score's ROUGE-2 F1 against the best-matching reference (0 for an empty text)."""
    if not text.strip() or not references:
        return 0.0
    best = _rouge()[0].score_multi(list(references), text)
    return float(best["rouge2"].fmeasure)


def skip_units(words: Sequence[str], max_gap: int = MAX_GAP) -> Counter[tuple[str, ...]]:
    """Unigrams and skip-bigrams (at most `max_gap` words between the two), with counts."""
    units: Counter[tuple[str, ...]] = Counter((w,) for w in words)
    for i, first in enumerate(words):
        for second in words[i + 1 : i + 2 + max_gap]:
            units[(first, second)] += 1
    return units


def su4_f1_tokens(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-SU4 F1 of two token lists."""
    cand, ref = skip_units(candidate), skip_units(reference)
    overlap = sum((cand & ref).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(cand.values())
    recall = overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def rouge_su4_f1(
    text: str, references: Sequence[str], tokenize: Callable[[str], list[str]] | None = None
) -> float:
    """ROUGE-SU4 F1 against the best-matching reference (0 for an empty text)."""
    split = tokenize or tokens
    words = split(text)
    if not words or not references:
        return 0.0
    return max(su4_f1_tokens(words, split(ref)) for ref in references)

"""The parts of a question that asks several things at once.

"Will her face go back to normal, and how long does that usually take?" asks two things;
an answer whose bottom line settles only the first has missed half the question. A question
is cut at its question marks, semicolons, ", and", ", or" and "and whether"/"and how" …;
each part keeps the aspects it asks (aspects.py) and the words only it uses, so the writer
can look for a statement that answers each part.
"""

from __future__ import annotations

import re
from collections import Counter

from medcite.text import QUESTION_WORDS, STOPWORDS, terms, words
from medcite.types import QuestionPart
from medcite.understand.aspects import asked_aspects

_CUT = re.compile(
    r"\?\s*|;\s*|,\s*(?:and|or|but)\s+|\s+and\s+(?=(?:whether|if|how|what|which|when|why|is|are|"
    r"does|do|can|could|should|will)\b)",
    re.I,
)
MIN_WORDS = 3


def question_parts(question: str, common: frozenset[str] = frozenset()) -> tuple[QuestionPart, ...]:
    """The question's parts (none when it asks one thing); `common` holds terms no part
    owns (the subject's: every part is about it)."""
    pieces = [p.strip(" ,.") for p in _CUT.split(question)]
    pieces = [p for p in pieces if len(p.split()) >= MIN_WORDS and _asks(p)]
    if len(pieces) < 2:
        return ()
    own = [_content(p) for p in pieces]
    shared = Counter(t for terms_ in own for t in set(terms_))
    return tuple(
        QuestionPart(
            piece,
            asked_aspects(piece + "?"),
            frozenset(t for t in terms_ if shared[t] == 1) - common,
        )
        for piece, terms_ in zip(pieces, own, strict=True)
    )


def _asks(piece: str) -> bool:
    """A piece that asks something, not a statement about the case ("My husband has …")."""
    first = next(iter(words(piece)), "")
    return (
        first in QUESTION_WORDS
        or first in {"whether", "if", "and", "or"}
        or bool(asked_aspects(piece + "?"))
    )


def _content(piece: str) -> list[str]:
    kept = [w for w in words(piece) if w not in STOPWORDS and w not in QUESTION_WORDS]
    return [t for w in kept for t in terms(w)]

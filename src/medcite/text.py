"""Small text helpers shared by every stage: whitespace, sentences, terms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_WS = re.compile(r"\s+")
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*")

# Tokens that end with "." but do not end a sentence.
_ABBREVIATIONS = frozenset(
    """al e.g eg i.e ie fig figs vs approx dr mr mrs ms prof no nos st inc ltd co cf ca
    resp ref refs vol jan feb mar apr jun jul aug sep sept oct nov dec u.s mt sr jr dept
    univ est min max av ave""".split()
)
# A sentence ends at . ! ? before a space, or before a capitalised section label glued to it
# ("respectively.CONCLUSIONS: ..." in abstracts).
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|(?<=[a-z)]{2}[.!?])(?=[A-Z]{3,}\b)")
_NEXT_START = re.compile(r"\s+[\"'“‘(\[]?([A-Z0-9•\-–])")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves may might must
    shall also us whether within without per via upon however""".split()
)
# Words that make up question phrasing rather than its subject.
QUESTION_WORDS = frozenset(
    """what whats which who whom whose when where why how is are was were do does did can could
    should would will tell explain describe list give know need patient patients person people
    someone approach best way ways please""".split()
)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def legible(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD: what Python makes of bytes that
    are not UTF-8 in a command line or a stream, and what a JSON string may hold. They cannot
    be encoded, so they would fail whatever stores, logs or prints the text."""
    return _SURROGATE.sub("\ufffd", text)


def normalize_ws(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentences; returns (start, end) spans with surrounding space trimmed.

    A blank line always ends a sentence (it separates blocks: headings, list items).
    """
    spans: list[tuple[int, int]] = []
    for b_start, b_end in _blocks(text):
        start = b_start
        for match in _SENTENCE_END.finditer(text, b_start, b_end):
            glued = match.start() == match.end()
            if glued or _is_boundary(text, match.start(), match.end(), b_end):
                spans.append((start, match.end()))
                start = match.end()
        spans.append((start, b_end))
    return [t for s, e in spans if (t := _trim(text, s, e))[0] < t[1]]


def _blocks(text: str) -> list[tuple[int, int]]:
    ranges, start = [], 0
    for m in _BLOCK_BREAK.finditer(text):
        ranges.append((start, m.start()))
        start = m.end()
    ranges.append((start, len(text)))
    return ranges


def _is_boundary(text: str, dot: int, end: int, limit: int) -> bool:
    nxt = _NEXT_START.match(text, end, limit)
    if nxt is None:
        return False
    if text[dot] != ".":
        return True
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(0, dot - 12) : dot])
    if word is None:
        return True
    token = word.group(1)
    if token.lower().rstrip(".") in _ABBREVIATIONS:
        return False
    # A single capital letter before the dot is an initial ("J. Smith").
    return not (len(token) == 1 and token.isupper())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def analyzer() -> Any:
    """The one text analyzer used for indexing, querying and sentence matching."""
    return _analyzer()


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed terms, exactly as the lexical index sees them."""
    return list(_analyzer().analyze(text))


def term_set(text: str) -> frozenset[str]:
    return frozenset(_analyzer().analyze(text))


def words(text: str) -> Iterator[str]:
    """Lower-case words (letters, digits, inner hyphens/apostrophes), unstemmed."""
    for m in re.finditer(r"[^\W_]+(?:['’\-][^\W_]+)*", text):
        yield m.group(0).lower()


def content_terms(text: str) -> frozenset[str]:
    """Stemmed terms of the non-stopword words (used for near-duplicate detection)."""
    kept = " ".join(w for w in words(text) if w not in STOPWORDS)
    return term_set(kept)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)

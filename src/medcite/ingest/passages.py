"""Blocks -> the cleaned document text and the citable passages inside it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from medcite.sources.base import Block
from medcite.text import sentence_spans
from medcite.types import PassageKind

_SEP = "\n\n"
# A passage longer than this many targets is cut: a table between rows, a sentence between
# words (a "sentence" that long is a list or a file without punctuation). Real sources stay
# under it: MedQuAD's longest sentence is 6.1 targets, the FDA labels' longest table 3.3.
_MAX_TARGETS = 8


@dataclass(frozen=True, slots=True)
class Span:
    """A passage before it has ids: offsets into the cleaned text."""

    start: int
    end: int
    section: str | None
    kind: PassageKind


def layout_document(blocks: tuple[Block, ...], target_chars: int) -> tuple[str, list[Span]]:
    """Write the cleaned text (section headings as their own lines) and pack passages.

    Consecutive text blocks of one section are packed up to `target_chars`; a longer block
    is cut between sentences; tables, captions and standalone blocks are one passage each.
    """
    parts: list[str] = []
    offset = 0
    placed: list[tuple[Block, int]] = []
    section: str | None = None
    for block in blocks:
        if block.section and block.section != section:
            parts.append(block.section + _SEP)
            offset += len(block.section) + len(_SEP)
        section = block.section
        placed.append((block, offset))
        parts.append(block.text + _SEP)
        offset += len(block.text) + len(_SEP)
    text = "".join(parts).rstrip("\n")
    return text, _pack(placed, target_chars)


def _pack(placed: list[tuple[Block, int]], target: int) -> list[Span]:
    spans: list[Span] = []
    run: list[tuple[Block, int]] = []

    def flush() -> None:
        if run:
            first, start = run[0]
            last, last_start = run[-1]
            spans.append(Span(start, last_start + len(last.text), first.section, first.kind))
            run.clear()

    for block, start in placed:
        if block.standalone or block.kind != PassageKind.TEXT:
            flush()
            spans.extend(
                Span(start + s, start + e, block.section, block.kind)
                for s, e in _cut(block.text, 0, len(block.text), target * _MAX_TARGETS, "\n")
            )
            continue
        if len(block.text) > target * 1.5:
            flush()
            spans.extend(_split_long(block, start, target))
            continue
        run_len = (run[-1][1] + len(run[-1][0].text) - run[0][1]) if run else 0
        if run and (block.section != run[0][0].section or run_len + len(block.text) > target):
            flush()
        run.append((block, start))
    flush()
    return spans


def _split_long(block: Block, start: int, target: int) -> list[Span]:
    """Cut one long block between sentences into pieces of about `target` characters."""
    pieces: list[Span] = []
    piece_start: int | None = None
    piece_end = start
    for s, e in _sentences(block.text, target):
        s, e = s + start, e + start
        if piece_start is not None and e - piece_start > target:
            pieces.append(Span(piece_start, piece_end, block.section, block.kind))
            piece_start = None
        if piece_start is None:
            piece_start = s
        piece_end = e
    if piece_start is not None:
        pieces.append(Span(piece_start, piece_end, block.section, block.kind))
    return pieces


def _sentences(text: str, target: int) -> Iterator[tuple[int, int]]:
    """Sentence spans; one over the limit is cut between words into pieces of `target`."""
    for s, e in sentence_spans(text):
        if e - s > target * _MAX_TARGETS:
            yield from _cut(text, s, e, target, " ")
        else:
            yield s, e


def _cut(text: str, start: int, end: int, limit: int, at: str) -> list[tuple[int, int]]:
    """`text[start:end]` in pieces of at most `limit` characters, each ending after the last
    `at` (a line break, a space) inside it when there is one, else at the limit."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        cut = text.rfind(at, start + 1, start + limit)
        cut = cut + 1 if cut > start else start + limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return [trimmed for s, e in pieces if (trimmed := _trim(text, s, e))[0] < trimmed[1]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

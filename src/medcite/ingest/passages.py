"""Blocks -> the cleaned document text and the citable passages inside it."""

from __future__ import annotations

from dataclasses import dataclass

from medcite.sources.base import Block
from medcite.text import sentence_spans
from medcite.types import PassageKind

_SEP = "\n\n"


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
            spans.append(Span(start, start + len(block.text), block.section, block.kind))
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
    for s, e in sentence_spans(block.text):
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

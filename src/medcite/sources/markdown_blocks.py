"""Structured Markdown (as guideline summaries write it) into blocks.

Headings name sections ("Anticoagulation — DOAC Dosing and Adjustments": the level-2 to
level-4 headings above a block; a line that is only bold text, "**Men:**", is a heading one
level down); a paragraph is a block; a list item is a block with its nested items joined to
it; a pipe table is one table block, a line per row with cells joined by " | "; emphasis,
code and link markup are removed. The level-1 heading is the title, not a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medcite.ingest.clean import normalize_chars
from medcite.sources.base import Block
from medcite.types import PassageKind

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_BOLD_LINE = re.compile(r"^\*\*([^*]+?)\*\*:?\s*$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_NESTED = "\x00"  # marks a nested list item among an item's lines
_LINK = re.compile(r"\[([^\[\]]+)\]\([^()]*\)")  # no nested brackets: linear time
# An emphasis mark opens after a non-word character and closes before one ("HLA-B*5801" is a
# name, not emphasis).
# The content never holds its own mark, so a run of marks is read in linear time (nested
# emphasis is stripped one level per pass).
_EMPHASIS = re.compile(
    r"(?<![\w*`])(?:\*\*(?P<b>[^*\s](?:[^*\n]*[^*\s])?)\*\*|__(?P<u>[^_\s](?:[^_\n]*[^_\s])?)__"
    r"|\*(?P<i>[^*\s](?:[^*\n]*[^*\s])?)\*|`(?P<c>[^`\s](?:[^`\n]*[^`\s])?)`)(?![\w*`])"
)


@dataclass
class _State:
    headings: dict[int, str] = field(default_factory=dict)
    deepest: int = 1  # level of the last "#" heading: a bold line is one level below it
    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    para: list[str] = field(default_factory=list)
    item: list[str] = field(default_factory=list)
    table: list[str] = field(default_factory=list)
    fence: list[str] | None = None  # lines of an open ``` block

    @property
    def section(self) -> str | None:
        names = [self.headings[level] for level in sorted(self.headings) if level >= 2]
        return " — ".join(names) or None

    def flush(self) -> None:
        for lines in (self.para, self.item):
            text = inline(_joined(lines))
            if text:
                self.blocks.append(Block(text, self.section))
            lines.clear()
        if self.table:
            self.blocks.append(_table(self.table, self.section))
            self.table.clear()

    def heading(self, level: int, text: str, *, bold: bool = False) -> None:
        self.flush()
        if level == 1 and not self.title:
            self.title = inline(text)
            return
        if not bold:
            self.deepest = level
        self.headings = {k: v for k, v in self.headings.items() if k < level}
        self.headings[level] = inline(text).rstrip(":")


def markdown_blocks(text: str) -> tuple[str, list[Block]]:
    """The level-1 heading (or "") and the blocks of a Markdown text."""
    state = _State()
    for line in normalize_chars(text).split("\n"):
        _line(state, line)
    state.flush()
    return state.title, state.blocks


def _line(state: _State, line: str) -> None:
    stripped = line.strip()
    if stripped.startswith("```"):
        _fence(state)
    elif state.fence is not None:
        state.fence.append(line.rstrip())
    elif not stripped:
        state.flush()
    elif m := _HEADING.match(stripped):
        state.heading(len(m.group(1)), m.group(2))
    elif stripped.startswith("|"):
        if state.para or state.item:
            state.flush()
        if not _TABLE_RULE.match(stripped):
            state.table.append(stripped)
    elif (m := _BOLD_LINE.match(stripped)) and not state.item:
        state.heading(state.deepest + 1, m.group(1), bold=True)
    elif m := _ITEM.match(line):
        top = not m.group(1) or not state.item  # a top-level item starts a block
        if top:
            state.flush()
        state.item.append(m.group(2) if top else _NESTED + m.group(2))
    elif stripped.startswith(">"):
        state.para.append(stripped.lstrip("> ").strip())
    elif state.item:
        state.item.append(stripped)
    else:
        if state.table:
            state.flush()
        state.para.append(stripped)


def _fence(state: _State) -> None:
    """A fenced block (a decision diagram) is one passage, its lines as written."""
    if state.fence is None:
        state.flush()
        state.fence = []
        return
    text = "\n".join(state.fence).strip("\n")
    if text.strip():
        state.blocks.append(Block(text, state.section, standalone=True))
    state.fence = None


def _joined(lines: list[str]) -> str:
    """Lines of a paragraph or an item with its nested items: an item that does not end a
    sentence is separated from the next by a semicolon."""
    out = ""
    for line in lines:
        nested, line = line.startswith(_NESTED), line.strip(_NESTED).strip()
        if nested and out and not out.rstrip("*_` ").endswith((".", ":", ";", "!", "?", ",")):
            out += ";"
        out += (" " if out else "") + line
    return out


def _table(rows: list[str], section: str | None) -> Block:
    lines = [" | ".join(inline(c) for c in row.strip().strip("|").split("|")) for row in rows]
    return Block("\n".join(lines), section, PassageKind.TABLE, standalone=True)


def inline(text: str) -> str:
    """Text without Markdown's inline markup: links keep their words, emphasis its text."""
    text = _LINK.sub(r"\1", text)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(_emphasised, text)
    return " ".join(text.split())


def _emphasised(m: re.Match[str]) -> str:
    return next(g for g in m.groups() if g is not None)

"""Plain text and Markdown files (including text already extracted from a PDF)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from medcite.errors import EmptySource
from medcite.ingest.clean import normalize_chars
from medcite.ingest.front_matter import (
    FRONT_LINES,
    FrontMatter,
    author_names,
    is_metadata_line,
    read_front_matter,
)
from medcite.ingest.layout import blocks_from_text, repeated_lines
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, decode_text
from medcite.text import normalize_ws

_CASE_SENTENCE = re.compile(
    r"\bwe (?:describe|report|present) (?:a|an|the) (case of .{15,200}?)(?:,? who\b|[.;])", re.I
)


class TextReader(Reader):
    name = "text"
    extensions = (".txt", ".text", ".md", ".markdown")

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        text = normalize_chars(decode_text(source.path, source.data, source.encoding))
        markdown = source.path.suffix.lower() in (".md", ".markdown")
        blocks = blocks_from_text(text, markdown=markdown)
        if not blocks:
            raise EmptySource(source.path)
        lines = text.split("\n")
        front = read_front_matter(lines, sorted(repeated_lines(lines)))
        title, title_from = _title(text, blocks, source.path, markdown, front)
        yield ParsedDocument(
            key=f"file:{source.path.resolve()}",
            title=title,
            source=front.journal or source.path.name,
            blocks=tuple(blocks),
            published=front.published,
            authors=front.authors,
            journal=front.journal,
            extra=front.extra | ({"title_from": title_from} if title_from else {}),
        )


def _title(
    text: str, blocks: list[Block], path: Path, markdown: bool, front: FrontMatter
) -> tuple[str, str | None]:
    """The title the text states (a Markdown H1, the line above the authors, a short first
    line), else one described from it ("case sentence") or the file name ("file name")."""
    if markdown and (m := re.search(r"^#\s+(.+?)\s*#*$", text, re.M)):
        return m.group(1), None
    if front.title:
        return front.title, None
    first, following = _first_line(text)
    if 0 < len(first) <= 150 and not following and not first.endswith((".", ",")):
        return first, None
    for block in blocks[:20]:
        if m := _CASE_SENTENCE.search(block.text):
            title = normalize_ws(m.group(1))
            return title[0].upper() + title[1:], "case sentence"
    return path.stem.replace("_", " ").replace("-", " "), "file name"


def _first_line(text: str) -> tuple[str, str]:
    """The first line that is not publication facts or authors, and the line after it."""
    lines = [line.strip() for line in text.split("\n", FRONT_LINES)[:FRONT_LINES]]
    for i, line in enumerate(lines):
        if line and not is_metadata_line(line) and not author_names(line):
            return line, lines[i + 1] if i + 1 < len(lines) else ""
    return "", ""

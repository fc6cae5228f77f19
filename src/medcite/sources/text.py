"""Plain text and Markdown files (including text already extracted from a PDF)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from medcite.errors import EmptySource
from medcite.ingest.clean import normalize_chars
from medcite.ingest.layout import blocks_from_text
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, decode_text
from medcite.text import normalize_ws

_CASE_SENTENCE = re.compile(
    r"\bwe (?:describe|report|present) (?:a|an|the) (case of .{15,200}?)(?:,? who\b|[.;])", re.I
)


class TextReader(Reader):
    name = "text"
    extensions = (".txt", ".text", ".md", ".markdown")

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        text = normalize_chars(decode_text(source.path, source.data))
        markdown = source.path.suffix.lower() in (".md", ".markdown")
        blocks = blocks_from_text(text, markdown=markdown)
        if not blocks:
            raise EmptySource(source.path)
        yield ParsedDocument(
            key=f"file:{source.path.resolve()}",
            title=_title(text, blocks, source.path, markdown),
            source=source.path.name,
            blocks=tuple(blocks),
        )


def _title(text: str, blocks: list[Block], path: Path, markdown: bool) -> str:
    """A title taken from the text: a Markdown H1, a short first line, a case sentence."""
    if markdown and (m := re.search(r"^#\s+(.+?)\s*#*$", text, re.M)):
        return m.group(1)
    lines = [line.strip() for line in text.split("\n")]
    first = next((line for line in lines if line), "")
    following = lines[lines.index(first) + 1] if first in lines[:-1] else ""
    if 0 < len(first) <= 150 and not following and not first.endswith((".", ",")):
        return first
    for block in blocks[:20]:
        if m := _CASE_SENTENCE.search(block.text):
            title = normalize_ws(m.group(1))
            return title[0].upper() + title[1:]
    return path.stem.replace("_", " ").replace("-", " ")

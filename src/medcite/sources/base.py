"""The contract every source reader fulfils: bytes in, ParsedDocuments of clean blocks out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from medcite.errors import BadEncoding, BinaryContent, EmptySource
from medcite.types import DocKind, PassageKind


@dataclass(frozen=True, slots=True)
class Block:
    """A unit of cleaned text: a paragraph, a list item, a whole table or a figure caption.

    `standalone` blocks become one passage each and are never merged with neighbours.
    """

    text: str
    section: str | None = None
    kind: PassageKind = PassageKind.TEXT
    standalone: bool = False


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """What a reader returns for one document; `key` must be stable across re-ingests."""

    key: str
    title: str
    source: str
    blocks: tuple[Block, ...]
    kind: DocKind | None = None
    url: str | None = None
    published: date | None = None
    updated: date | None = None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file about to be read: its path, its bytes and reader options."""

    path: Path
    data: bytes
    spl_sections: Mapping[str, str] = field(default_factory=dict)


class Reader(ABC):
    """Turns one file into documents. Raise a SourceError subclass for bad input."""

    name: str = "reader"
    extensions: tuple[str, ...] = ()

    def accepts(self, path: Path, head: bytes) -> bool:
        """Whether this reader handles the file; by default, by extension."""
        return path.suffix.lower() in self.extensions

    @abstractmethod
    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        """Yield the documents in the file."""


def decode_text(path: Path, data: bytes) -> str:
    """Decode text bytes (UTF-8, UTF-16 with BOM, else Latin-1 if it looks like text)."""
    if not data.strip():
        raise EmptySource(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadEncoding(path, str(exc)) from exc
    if b"\x00" in data[:8192]:
        raise BinaryContent(path, "contains NUL bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if _looks_like_latin1_text(data):
            return data.decode("latin-1")
        raise BadEncoding(path, f"invalid byte at offset {exc.start}") from exc


def _looks_like_latin1_text(data: bytes) -> bool:
    sample = data[:65536]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    high = sum(1 for b in sample if 0x80 <= b < 0xA0)
    return control == 0 and high == 0

"""The contract every source reader fulfils: bytes in, ParsedDocuments of clean blocks out."""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from medcite.errors import RecordError, SourceTooSlow
from medcite.sources.encoding import decode_bytes
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
    """A file about to be read: its path, its bytes and reader options.

    `encoding`: the text encoding the user named, for files that declare none.
    `deadline`: `time.monotonic()` after which reading stops with SourceTooSlow.
    """

    path: Path
    data: bytes
    spl_sections: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None
    deadline: float = math.inf

    def check_time(self) -> None:
        """Raise SourceTooSlow once the file's time budget is spent (readers call it often)."""
        if time.monotonic() > self.deadline:
            raise SourceTooSlow(self.path)


# What a reader yields: a document, or a record of the file it had to skip (the file's other
# records still go in).
ReadItem = ParsedDocument | RecordError


class Reader(ABC):
    """Turns one file into documents. Raise a SourceError subclass for bad input that spoils
    the whole file; yield a RecordError for one bad record of a multi-record file."""

    name: str = "reader"
    extensions: tuple[str, ...] = ()

    def accepts(self, path: Path, head: bytes) -> bool:
        """Whether this reader handles the file; by default, by extension."""
        return path.suffix.lower() in self.extensions

    @abstractmethod
    def read(self, source: SourceFile) -> Iterator[ReadItem]:
        """Yield the documents in the file (and a RecordError for each record skipped)."""


def decode_text(
    path: Path, data: bytes, encoding: str | None = None, declared: str | None = None
) -> str:
    """Decode text bytes: BOM, else what the file `declared`, else the `encoding` the user
    named, else strict UTF-8 (see `medcite.sources.encoding`)."""
    return decode_bytes(path, data, named=encoding, declared=declared)

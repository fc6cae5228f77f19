"""The contract every source reader fulfils: bytes in, ParsedDocuments of clean blocks out."""

from __future__ import annotations

import gzip
import io
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO, Literal

from medcite.errors import (
    EmptySource,
    FileTooLarge,
    MalformedSource,
    RecordError,
    SourceTooSlow,
)
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
    """What a reader returns for one document; `key` must be stable across re-ingests.

    A key in a global scheme ("pubmed:PMID", "pmc:PMCID", "spl:SETID", "doi:DOI"; see
    `medcite.ingest.identity`) names the same document in whatever file it is found, and
    `revision` orders its versions (a string that sorts as the versions do; compared only
    between records of one key). Any other key is scoped to its file.
    """

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
    revision: str = ""


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A record a file takes back: `deleted` (PubMed's DeleteCitation, as of `revision`)
    or `retracted` by a notice (`notice`: "retraction notice PMID 123")."""

    key: str
    action: Literal["deleted", "retracted"]
    revision: str = ""
    notice: str = ""


# What a reader yields: a document, a record the file withdraws, or a record of the file it
# had to skip (the file's other records still go in).
SourceItem = ParsedDocument | Withdrawal | RecordError


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file about to be read: its path, its bytes (empty for streamed readers, which
    `open` it) and reader options.

    `encoding`: the text encoding the user named, for files that declare none.
    `deadline`: `time.monotonic()` after which reading stops with SourceTooSlow.
    """

    path: Path
    data: bytes
    spl_sections: Mapping[str, str] = field(default_factory=dict)
    max_bytes: int = 0  # streamed readers: most bytes read after decompression (0 = no limit)
    title_only: bool = False  # keep citations that have no abstract (ingest.title_only_citations)
    encoding: str | None = None
    deadline: float = math.inf

    def open(self) -> io.RawIOBase | io.BytesIO:
        """The file's content as a stream: its bytes if held, else the file itself,
        decompressed when it is gzip (`.gz`), never more than `max_bytes`."""
        if self.data:
            return io.BytesIO(self.data)
        if not self.path.exists():
            raise EmptySource(self.path, "no such file")
        raw: BinaryIO = self.path.open("rb")
        if self.path.suffix.lower() == ".gz":
            raw = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
        return _Limited(self.path, raw, self.max_bytes)

    def check_time(self) -> None:
        """Raise SourceTooSlow once the file's time budget is spent (readers call it often)."""
        if time.monotonic() > self.deadline:
            raise SourceTooSlow(self.path)


class _Limited(io.RawIOBase):
    """A read-only stream that refuses to deliver more than `limit` bytes (a gzip bomb
    stops here) and names the file when decompression fails."""

    def __init__(self, path: Path, inner: BinaryIO, limit: int) -> None:
        super().__init__()
        self._path, self._inner, self._limit, self._read = path, inner, limit, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            chunk = self._inner.read(size)
        except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
            raise MalformedSource(self._path, f"cannot decompress: {exc}") from exc
        self._read += len(chunk)
        if self._limit and self._read > self._limit:
            raise FileTooLarge(self._path, f"more than {self._limit / 1e6:.0f} MB once read")
        return chunk

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._inner.close()
        super().close()


class Reader(ABC):
    """Turns one file into documents. Raise a SourceError subclass for bad input that spoils
    the whole file; yield a RecordError for one bad record of a multi-record file."""

    name: str = "reader"
    extensions: tuple[str, ...] = ()
    streamed: bool = False  # reads the file itself (`SourceFile.open`), never holds it whole

    def accepts(self, path: Path, head: bytes) -> bool:
        """Whether this reader handles the file; by default, by extension."""
        return path.suffix.lower() in self.extensions

    def related_files(self, path: Path) -> tuple[Path, ...]:
        """Other files the reading depends on (a registry beside it): when one changes, the
        file is read again."""
        return ()

    @abstractmethod
    def read(self, source: SourceFile) -> Iterator[SourceItem]:
        """Yield the documents in the file, the records it withdraws, if any, and a
        RecordError for each record skipped."""


def decode_text(
    path: Path, data: bytes, encoding: str | None = None, declared: str | None = None
) -> str:
    """Decode text bytes: BOM, else what the file `declared`, else the `encoding` the user
    named, else strict UTF-8 (see `medcite.sources.encoding`)."""
    return decode_bytes(path, data, named=encoding, declared=declared)

"""JSON Lines, one record a line, each checked on its own: a bad line is a RecordError that
names the file and the line, and the file's other records still go in.

A file is read as a stream, a line at a time (a collection of a million records is never
held whole): its encoding is its byte-order mark's, else the one the user named, else
UTF-8, applied strictly."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from medcite.errors import BadEncoding, BinaryContent, EmptySource, RecordError
from medcite.sources.base import SourceFile, decode_text
from medcite.sources.encoding import bom_encoding

_SHOWN = 40  # characters of a bad value quoted in an error


@dataclass(frozen=True, slots=True)
class Line:
    """One JSON object of a JSONL file and where it was."""

    path: Path
    number: int
    record: Mapping[str, object]

    @property
    def where(self) -> str:
        return f"line {self.number}"

    def error(self, detail: str) -> RecordError:
        return RecordError(self.path, self.where, detail)

    def text(self, name: str, *, required: bool = True) -> str | None:
        """A string field ("" when absent and optional). Numbers are read as their digits
        (ids written as numbers); null, lists, objects and booleans are errors."""
        value = self.record.get(name)
        if value is None and not required:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        found = "missing" if name not in self.record else _describe(value)
        raise self.error(f"field {name!r} is {found}; expected a string")


def jsonl_lines(source: SourceFile) -> Iterator[Line | RecordError]:
    """Every non-blank line as a Line, or a RecordError when it is not a JSON object."""
    for number, raw in _numbered_lines(source):
        if not raw.strip():
            continue
        if number % 256 == 0:
            source.check_time()
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            message = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            yield RecordError(source.path, f"line {number}", f"not JSON ({message})")
            continue
        if not isinstance(record, dict):
            yield RecordError(source.path, f"line {number}", "not a JSON object")
            continue
        yield Line(source.path, number, record)


def _numbered_lines(source: SourceFile) -> Iterator[tuple[int, str]]:
    """The file's lines, numbered from 1: from its bytes if held, else streamed."""
    if source.data:
        text = decode_text(source.path, source.data, source.encoding)
        yield from enumerate(text.splitlines(), start=1)
        return
    with source.open() as raw:
        stream = io.BufferedReader(raw, 1 << 20)
        head = stream.peek(8192)[:8192]
        if not head.strip():
            raise EmptySource(source.path)
        bom = bom_encoding(head)
        if bom is None and b"\x00" in head:
            raise BinaryContent(source.path, "contains NUL bytes")
        encoding = bom[0] if bom else source.encoding or "utf-8"
        stream.read(bom[1] if bom else 0)
        if encoding.lower().startswith(("utf-16", "utf-32")):  # "\n" is not a byte: as text
            yield from _decoded_lines(source.path, io.TextIOWrapper(stream, encoding), encoding)
            return
        for number, line in enumerate(stream, start=1):
            try:
                yield number, line.decode(encoding).rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise _bad(source.path, encoding, number, f"byte {exc.start + 1}") from None


def _decoded_lines(path: Path, text: Iterator[str], encoding: str) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        for number, line in enumerate(text, start=1):
            yield number, line.rstrip("\n")
    except UnicodeDecodeError as exc:
        raise _bad(path, encoding, number + 1, exc.reason) from None


def _bad(path: Path, encoding: str, line: int, where: str) -> BadEncoding:
    return BadEncoding(
        path,
        f"not valid {encoding} in line {line} ({where}); name the file's encoding with "
        "--encoding (for example cp1252) or re-save it as UTF-8",
    )


def _describe(value: object) -> str:
    if value is None:
        return "null"
    shown = repr(value)
    shown = shown if len(shown) <= _SHOWN else shown[:_SHOWN] + "…"
    return f"a {type(value).__name__} ({shown})"

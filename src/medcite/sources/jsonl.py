"""JSON Lines, one record a line, each checked on its own: a bad line is a RecordError that
names the file and the line, and the file's other records still go in."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from medcite.errors import RecordError
from medcite.sources.base import SourceFile, decode_text

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
    text = decode_text(source.path, source.data, source.encoding)
    for number, raw in enumerate(text.splitlines(), start=1):
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


def _describe(value: object) -> str:
    if value is None:
        return "null"
    shown = repr(value)
    shown = shown if len(shown) <= _SHOWN else shown[:_SHOWN] + "…"
    return f"a {type(value).__name__} ({shown})"

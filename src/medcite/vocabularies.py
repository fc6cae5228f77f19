"""Large vocabularies (drug names, everyday English word counts) read from a compact file.

Loading such a vocabulary whole means decompressing and unpickling or parsing it: 0.6 s for
the drug dictionary and 0.3 s for the English word counts, in every new process, before
its first answer. Instead each vocabulary is written once, as its tables of key -> JSON
value, to a small SQLite file in the library's data directory, and a process looks up only
the words its questions hold (a few dozen indexed reads).

The file's name carries the sha256 of the vocabulary's source file and of its format
version, so a new package release or a changed build makes it stale by name. A process
that finds no file for the current hash, or an unreadable one, builds the tables from the
source as before, answers from them in memory and writes the file for the next process
(to a temporary name, renamed into place: a concurrent reader never sees half a file).
Without a data directory (no library opened) or when it cannot be written, the tables stay
in memory: the same answers, only a slower first question.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medcite.datadir import private_dir, private_file

log = logging.getLogger(__name__)

Tables = Mapping[str, Mapping[str, Any]]  # table name -> key -> JSON-serialisable value
_BATCH = 500  # keys per query (SQLite allows at least 999 parameters)
_REMEMBERED = 200_000  # keys a table remembers before it forgets them all
_ABSENT = object()
_folder: Path | None = None


class Lookup(ABC):
    """One table of a vocabulary: values by key, read one or many at a time."""

    @abstractmethod
    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values of the keys the table holds (absent keys are left out)."""

    def get(self, key: str) -> Any | None:
        return self.get_many((key,)).get(key)


@dataclass(frozen=True, slots=True)
class MemoryTable(Lookup):
    """A table built in this process (no folder for files, or the file is being written)."""

    entries: Mapping[str, Any]

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return {k: self.entries[k] for k in keys if k in self.entries}


@dataclass(frozen=True, slots=True)
class FileTable(Lookup):
    """A table in a compact file; keys read once are remembered (found or not), so a warm
    process reads each word of its passages from the file only once. The tables of one file
    share its connection and the lock that serialises its use across threads."""

    db: sqlite3.Connection
    table: str
    lock: threading.Lock
    seen: dict[str, Any] = field(default_factory=dict)  # key -> value, or _ABSENT

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        wanted = list(dict.fromkeys(keys))
        with self.lock:
            unseen = [k for k in wanted if k not in self.seen]
            if len(self.seen) + len(unseen) > _REMEMBERED:
                self.seen.clear()
            for i in range(0, len(unseen), _BATCH):
                self.seen.update(self._read(unseen[i : i + _BATCH]))
            values = [(k, self.seen.get(k, _ABSENT)) for k in wanted]
        return {k: v for k, v in values if v is not _ABSENT}

    def _read(self, keys: list[str]) -> dict[str, Any]:
        marks = ",".join("?" * len(keys))
        sql = f'SELECT key, value FROM "{self.table}" WHERE key IN ({marks})'
        found: dict[str, Any] = dict.fromkeys(keys, _ABSENT)
        found.update((k, json.loads(v)) for k, v in self.db.execute(sql, keys))
        return found


def use_folder(folder: Path | None) -> None:
    """Keep compact vocabulary files in this folder (`Library` names its data directory's);
    vocabularies a process has already opened stay as they are."""
    global _folder
    _folder = folder


def open_vocabulary(
    name: str, source: Path | None, build: Callable[[], Tables], *, version: int
) -> dict[str, Lookup]:
    """The vocabulary's tables: from its compact file when one matches `source` and
    `version`, else built by `build` (and written for the next process when possible).
    `source` None: the source file is unknown, so nothing is cached."""
    folder = _folder
    if folder is None or source is None:
        return _in_memory(build())
    path = folder / f"{name}-{_digest(source, version)}.sqlite3"
    opened = _open_file(path)
    if opened is not None:
        return opened
    tables = build()
    try:
        _write(path, tables)
    except OSError as exc:  # a read-only data directory: answer from memory
        log.info("cannot write the %s vocabulary file %s: %s", name, path, exc)
    return _in_memory(tables)


def _in_memory(tables: Tables) -> dict[str, Lookup]:
    return {name: MemoryTable(entries) for name, entries in tables.items()}


def _digest(source: Path, version: int) -> str:
    digest = hashlib.sha256(f"{version}\n".encode())
    digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _open_file(path: Path) -> dict[str, Lookup] | None:
    """The file's tables, or None when it is missing or unreadable (it is then rebuilt)."""
    if not path.is_file():
        return None
    uri = f"{path.as_uri()}?mode=ro&immutable=1"  # never written once in place
    db: sqlite3.Connection | None = None
    try:
        db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    except sqlite3.Error as exc:  # not a database, or removed meanwhile
        log.warning("the vocabulary file %s is unreadable (%s); rebuilding it", path, exc)
        names = []
    if db is None or not names:
        if db is not None:
            db.close()
        return None
    lock = threading.Lock()
    return {table: FileTable(db, table, lock) for table in names}


def _write(path: Path, tables: Tables) -> None:
    """Write the tables to a temporary file, then rename it into place; older files of the
    same vocabulary (other hashes) are removed."""
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(private_file(temporary))  # owner only, as the whole home
        try:
            # no journal: a failed write leaves a temporary file that is never renamed
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            with db:
                for table, entries in tables.items():
                    db.execute(
                        f'CREATE TABLE "{table}" (key TEXT PRIMARY KEY, value TEXT NOT NULL) '
                        "WITHOUT ROWID"
                    )
                    db.executemany(
                        f'INSERT INTO "{table}" VALUES (?, ?)',
                        ((k, json.dumps(v)) for k, v in entries.items()),
                    )
        finally:
            db.close()
        temporary.replace(path)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise OSError(str(exc)) from exc
    stem = path.name.rsplit("-", 1)[0]
    for stale in path.parent.glob(f"{stem}-*.sqlite3"):
        if stale != path:
            stale.unlink(missing_ok=True)

"""`medcite backup DEST` and `medcite restore SRC`: a data directory copied consistently.

The databases are copied with SQLite's online backup (a consistent snapshot, while the web
app keeps answering and writing conversations). The lexical index and the vectors are copied
while the writer lock is held, so no ingest changes them meanwhile and they match the store
snapshot (documents still queued for them are replayed after a restore). A restore writes the
store through the same online backup, swaps the indexes in whole (or rebuilds the lexical
index from the store when the backup has none), and then checks the result.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from medcite import __version__
from medcite.datadir import private_dir, tighten_tree
from medcite.errors import MedciteError
from medcite.index import Library
from medcite.index.locking import OnWait, WriterLock
from medcite.index.store import Store
from medcite.maintenance.check import CheckReport, check
from medcite.settings import Settings

MANIFEST = "medcite-backup.json"
STORE = "medcite.sqlite3"
REVIEW = "articles.sqlite3"
_DERIVED = ("lexical", "vectors")
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Copied:
    """What a backup or a restore copied, and for a restore the check that followed."""

    folder: Path
    documents: int
    passages: int
    parts: tuple[str, ...]
    seconds: float
    check: CheckReport | None = None


def backup(settings: Settings, dest: Path, *, on_wait: OnWait | None = None) -> Copied:
    """Copy the data directory's databases and indexes into `dest` (a new or empty folder)."""
    started = time.perf_counter()
    home = settings.data_dir
    if not (home / STORE).exists():
        raise MedciteError(f"no library at {home}: nothing to back up")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise MedciteError(f"{dest} is not an empty folder: back up into a new one")
    lock = WriterLock(home)
    lock.acquire(settings.ingest.lock_wait_s, on_wait)  # no writer may change the indexes
    try:
        private_dir(dest)
        parts = [STORE]
        _sqlite_copy(home / STORE, dest / STORE, one_file=True)
        if _review_is_local(settings) and (home / REVIEW).exists():
            _sqlite_copy(home / REVIEW, dest / REVIEW, one_file=True)
            parts.append(REVIEW)
        for name in _DERIVED:
            if (home / name).is_dir():
                shutil.copytree(home / name, dest / name)
                parts.append(name)
    finally:
        lock.release()
    documents, passages = _counts(dest / STORE)
    manifest = {
        "format": _FORMAT,
        "medcite": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": documents,
        "passages": passages,
        "parts": parts,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    tighten_tree(dest)
    return Copied(dest, documents, passages, tuple(parts), time.perf_counter() - started)


def restore(
    settings: Settings, src: Path, *, force: bool = False, on_wait: OnWait | None = None
) -> Copied:
    """Replace the data directory's databases and indexes by the backup in `src`."""
    started = time.perf_counter()
    parts = _checked_backup(src)
    home = private_dir(settings.data_dir)
    if not force and _holds_data(home / STORE):
        raise MedciteError(
            f"{home} already holds a library or conversations: add --force to replace them"
        )
    lock = WriterLock(home)
    lock.acquire(settings.ingest.lock_wait_s, on_wait)
    try:
        _sqlite_copy(src / STORE, home / STORE)
        if REVIEW in parts and _review_is_local(settings):
            _sqlite_copy(src / REVIEW, home / REVIEW)
        present = [name for name in _DERIVED if name in parts and (src / name).is_dir()]
        for name in _DERIVED:
            _swap_in(src / name if name in present else None, home / name)
        if "vectors" not in present:
            _requeue_vectors(home / STORE)
        library = Library(settings)  # replays what was queued; rebuilds a missing index
        library.close()
    finally:
        lock.release()
    tighten_tree(home)
    report = check(settings)
    documents, passages = _counts(home / STORE)
    seconds = time.perf_counter() - started
    return Copied(home, documents, passages, tuple(parts), seconds, report)


def _checked_backup(src: Path) -> list[str]:
    """The parts a backup folder holds, after checking it is one and its store is sound."""
    manifest = src / MANIFEST
    if not manifest.is_file() or not (src / STORE).is_file():
        raise MedciteError(f"{src} is not a medcite backup (no {MANIFEST} and {STORE})")
    try:
        parts = json.loads(manifest.read_text(encoding="utf-8"))["parts"]
        with closing(sqlite3.connect(f"file:{src / STORE}?mode=ro", uri=True)) as db:
            sound = db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    except (ValueError, KeyError, TypeError, sqlite3.DatabaseError) as exc:
        raise MedciteError(f"the backup in {src} is damaged ({exc})") from None
    if not sound:
        raise MedciteError(f"the backup's store in {src} is damaged: use another backup")
    return [str(p) for p in parts]


def _sqlite_copy(source: Path, target: Path, *, one_file: bool = False) -> None:
    """SQLite's online backup: a consistent copy, even of a database in use on either side.
    `one_file`: the copy keeps no write-ahead log beside it (a backup is one file)."""
    with closing(_connect(source)) as src, closing(_connect(target)) as dst:
        src.backup(dst)
        if one_file:
            dst.execute("PRAGMA journal_mode = DELETE")
    target.chmod(0o600)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 30000")
    return db


def _swap_in(source: Path | None, target: Path) -> None:
    """Replace the folder `target` by a copy of `source` (or remove it: rebuilt later)."""
    staged = target.with_name(target.name + ".restoring")
    shutil.rmtree(staged, ignore_errors=True)
    if source is not None:
        shutil.copytree(source, staged)
    old = target.with_name(target.name + ".replaced")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    if source is not None:
        staged.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _requeue_vectors(path: Path) -> None:
    store = Store(path)
    try:
        store.queue_all_for_vectors()
    finally:
        store.close()


def _holds_data(path: Path) -> bool:
    if not path.exists():
        return False
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            rows = db.execute(
                "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM answers)"
            ).fetchone()
        except sqlite3.DatabaseError:
            return True  # something is there, unreadable: replacing it needs --force
    return bool(rows and rows[0])


def _counts(path: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        documents = db.execute("SELECT count(*) FROM documents").fetchone()[0]
        passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    return int(documents), int(passages)


def _review_is_local(settings: Settings) -> bool:
    """The review database is the SQLite file in the data directory (not PostgreSQL)."""
    return settings.review.database_url is None

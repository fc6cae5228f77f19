"""Writing one source file into the store, under the identity policy (ingest/identity.py).

A `SourceWriter` lives inside the file's one transaction. For each record it is given:
- a record scoped to the file is simply written (its id already names the file);
- a record with a global key competes with the versions other files hold: the one with the
  highest revision is the active document (searched and cited); the others are *held* in
  `held_versions`, so that when the winning file is re-ingested without the record, or a
  deletion is lifted, the next best version comes back without re-reading any file. On equal
  revisions the version already active stays: nothing moves.
- a withdrawal is recorded: a deletion hides every version up to its revision; a retraction
  marks the document (the store shows it as `Document.retraction`).
At the end, whatever the file held before and no longer holds is released.

A large file is written in several transactions (checkpoints): each but the last records
what the file has shown so far (`source_seen`, `source_withdrawn`) and how many of its items
were read (`source_progress`, kept by the store), so that the last one releases exactly what
the whole file no longer holds, and an ingest interrupted between two checkpoints resumes
after the last one (`resumed`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medcite.types import Document, Passage, PassageKind

if TYPE_CHECKING:
    from medcite.index.store import DocumentRecord, SourceRecord

Put = Callable[[sqlite3.Connection, str, "DocumentRecord", str], None]
Load = Callable[[str], "DocumentRecord"]
# Passages a write keeps at hand for the lexical index; beyond them it reads them back.
CHANGES_PASSAGES = 100_000


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one file's write did: documents added, replaced, unchanged and removed among
    those it holds active; versions it holds that another file's (or a deletion) outranks;
    records it withdrew; passages written."""

    added: int
    replaced: int
    unchanged: int
    removed: int
    held: int = 0
    withdrawn: int = 0
    passages: int = 0
    active: int = 0


@dataclass(slots=True)
class _Tally:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0
    withdrawn: int = 0
    passages: int = 0
    seen: set[str] = field(default_factory=set)
    queued: set[str] = field(default_factory=set)


class SourceWriter:
    """Puts one file's records into the store inside an open transaction."""

    def __init__(
        self,
        db: sqlite3.Connection,
        source: SourceRecord,
        now: str,
        put: Put,
        load: Load,
        *,
        resumed: bool = False,
    ) -> None:
        self._db, self._source, self._now = db, source, now
        self._put, self._load = put, load
        self._before = dict(
            db.execute(
                "SELECT id, revision FROM documents WHERE source_id = ?", (source.id,)
            ).fetchall()
        )
        self._held_before = {
            r[0]
            for r in db.execute(
                "SELECT doc_id FROM held_versions WHERE source_id = ?", (source.id,)
            )
        }
        self._contested = {r[0] for r in db.execute("SELECT doc_id FROM held_versions")} | {
            r[0] for r in db.execute("SELECT doc_id FROM withdrawals WHERE action = 'deleted'")
        }
        self._withdrawals: set[tuple[str, str, str]] = set()
        self._revisions: dict[str, str] = {}  # revision of each record put by this write
        self._written: set[str] = set()
        self.result = WriteResult(0, 0, 0, 0)  # set by `finish`
        self._t = _Tally()
        # Each document this write changed and its passages now (none: removed), for the
        # lexical index to be given after the commit; None once they outgrow CHANGES_PASSAGES.
        self.changes: dict[str, tuple[Passage, ...]] | None = {}
        self._kept_passages = 0
        # Set by the caller when the file has more to come: the items read so far.
        self.more: int | None = None
        self._shown: set[str] = set()  # documents this transaction saw (checkpoints)
        if resumed:
            self._resume()

    def _resume(self) -> None:
        """What the earlier checkpoints of this ingest saw and withdrew."""
        rows = self._db.execute(
            "SELECT doc_id, revision FROM source_seen WHERE source_id = ?", (self._source.id,)
        )
        for doc_id, revision in rows:
            self._t.seen.add(doc_id)
            self._revisions[doc_id] = revision
        self._withdrawals = set(
            self._db.execute(
                "SELECT doc_id, action, notice FROM source_withdrawn WHERE source_id = ?",
                (self._source.id,),
            ).fetchall()
        )

    # -- records ---------------------------------------------------------------------

    def keep(self, doc_id: str) -> None:
        """A document the file holds active, unchanged since its last ingest."""
        self._t.seen.add(doc_id)
        self._shown.add(doc_id)
        self._revisions[doc_id] = self._before.get(doc_id, "")
        self._t.unchanged += 1

    def put(self, record: DocumentRecord) -> None:
        doc_id = record.document.id
        first = doc_id not in self._t.seen
        if not first and record.revision < self._revisions.get(doc_id, ""):
            return  # an older duplicate later in the same file
        self._t.seen.add(doc_id)
        self._shown.add(doc_id)
        self._revisions[doc_id] = record.revision
        if record.identity is None:
            self._write_active(record)
            return
        owner = self._owner(doc_id)
        if doc_id not in self._contested and owner in (None, self._source.id):
            self._write_active(record)
            return
        if owner == self._source.id:
            self._drop_active(doc_id)  # this file's earlier reading of it is superseded
        self._hold(record)
        self._settle(doc_id)

    def withdraw(self, doc_id: str, action: str, revision: str, notice: str) -> None:
        self._withdrawals.add((doc_id, action, notice))
        self._db.execute(
            "INSERT OR REPLACE INTO withdrawals VALUES (?, ?, ?, ?, ?)",
            (doc_id, self._source.id, action, revision, notice),
        )
        self._t.withdrawn += 1
        if action == "deleted":
            self._contested.add(doc_id)
            self._settle(doc_id)

    def finish(self) -> WriteResult:
        """Release what the file held and no longer holds (at its last checkpoint; before
        it, record what was seen); the totals of the write."""
        t = self._t
        if self.more is None:
            self._release()
        else:
            self._checkpoint()
        queued = [(i,) for i in sorted(t.queued)]
        self._db.executemany("INSERT OR IGNORE INTO lexical_pending(doc_id) VALUES (?)", queued)
        self._db.executemany("INSERT OR IGNORE INTO vector_pending(doc_id) VALUES (?)", queued)
        active = self._db.execute(
            "SELECT count(*) FROM documents WHERE source_id = ?", (self._source.id,)
        ).fetchone()[0]
        held = self._db.execute(
            "SELECT count(*) FROM held_versions WHERE source_id = ?", (self._source.id,)
        ).fetchone()[0]
        self.result = WriteResult(
            t.added, t.replaced, t.unchanged, t.removed, held, t.withdrawn, t.passages, active
        )
        return self.result

    def _checkpoint(self) -> None:
        sid = self._source.id
        self._db.executemany(
            "INSERT OR REPLACE INTO source_seen VALUES (?, ?, ?)",
            [(sid, d, self._revisions.get(d, "")) for d in sorted(self._shown)],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO source_withdrawn VALUES (?, ?, ?, ?)",
            [(sid, *w) for w in sorted(self._withdrawals)],
        )

    def _release(self) -> None:
        t = self._t
        for doc_id in sorted(set(self._before) - t.seen):
            if self._owner(doc_id) == self._source.id:
                self._drop_active(doc_id)
                t.removed += 1
            self._settle(doc_id)
        for doc_id in sorted(self._held_before - t.seen):
            self._db.execute(
                "DELETE FROM held_versions WHERE doc_id = ? AND source_id = ?",
                (doc_id, self._source.id),
            )
        self._lift_withdrawals()
        for table in ("source_seen", "source_withdrawn"):
            self._db.execute(f"DELETE FROM {table} WHERE source_id = ?", (self._source.id,))

    # -- internals -------------------------------------------------------------------

    def _owner(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT source_id FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    def _revision(self, doc_id: str) -> str:
        row = self._db.execute("SELECT revision FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return "" if row is None else str(row[0])

    def _write_active(self, record: DocumentRecord) -> None:
        self._store(self._source.id, record)
        self._count_written(record)

    def _store(self, source_id: str, record: DocumentRecord) -> None:
        self._put(self._db, source_id, record, self._now)
        self._changed(record.document.id, record.passages)

    def _changed(self, doc_id: str, passages: tuple[Passage, ...]) -> None:
        if self.changes is None:
            return
        self._kept_passages += len(passages)
        if self._kept_passages > CHANGES_PASSAGES:
            self.changes = None
            return
        self.changes[doc_id] = passages

    def _count_written(self, record: DocumentRecord) -> None:
        doc_id = record.document.id
        self._t.queued.add(doc_id)
        self._t.passages += len(record.passages)
        if doc_id in self._before or doc_id in self._written:
            self._t.replaced += 1
        else:
            self._t.added += 1
        self._written.add(doc_id)

    def _drop_active(self, doc_id: str) -> None:
        self._db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        self._t.queued.add(doc_id)
        self._changed(doc_id, ())

    def _hold(self, record: DocumentRecord) -> None:
        self._contested.add(record.document.id)
        self._db.execute(
            "INSERT OR REPLACE INTO held_versions VALUES (?, ?, ?, ?)",
            (record.document.id, self._source.id, record.revision, dump_record(record)),
        )

    def _settle(self, doc_id: str) -> None:
        """Make the best version of a global document the active one (or none, if a
        deletion covers every version)."""
        active = self._db.execute(
            "SELECT source_id, revision FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        held = self._db.execute(
            "SELECT source_id, revision FROM held_versions WHERE doc_id = ? ORDER BY source_id",
            (doc_id,),
        ).fetchall()
        deleted = self._db.execute(
            "SELECT max(revision) FROM withdrawals WHERE doc_id = ? AND action = 'deleted'",
            (doc_id,),
        ).fetchone()[0]
        best = _best(active, held, deleted)
        if best is not None and active is not None and best == (active[0], active[1], True):
            return
        if active is not None:
            record = self._load(doc_id)
            self._drop_active(doc_id)
            self._db.execute(
                "INSERT OR REPLACE INTO held_versions VALUES (?, ?, ?, ?)",
                (doc_id, str(active[0]), str(active[1]), dump_record(record)),
            )
        if best is not None:
            self._promote(doc_id, best[0])

    def _promote(self, doc_id: str, source_id: str) -> None:
        payload = self._db.execute(
            "SELECT record FROM held_versions WHERE doc_id = ? AND source_id = ?",
            (doc_id, source_id),
        ).fetchone()[0]
        record = load_record(str(payload))
        self._db.execute(
            "DELETE FROM held_versions WHERE doc_id = ? AND source_id = ?", (doc_id, source_id)
        )
        self._store(source_id, record)
        if source_id == self._source.id:
            self._count_written(record)
        else:
            self._t.queued.add(doc_id)

    def _lift_withdrawals(self) -> None:
        """Withdrawals the file made before and no longer makes are taken back."""
        rows = self._db.execute(
            "SELECT doc_id, action, notice FROM withdrawals WHERE source_id = ?",
            (self._source.id,),
        ).fetchall()
        for doc_id, action, notice in rows:
            if (doc_id, action, notice) in self._withdrawals:
                continue
            self._db.execute(
                "DELETE FROM withdrawals WHERE doc_id = ? AND source_id = ? AND action = ? "
                "AND notice = ?",
                (doc_id, self._source.id, action, notice),
            )
            if action == "deleted":
                self._settle(doc_id)


def _best(
    active: tuple[str, str] | None, held: list[tuple[str, str]], deleted: str | None
) -> tuple[str, str, bool] | None:
    """(source, revision, is the active one) of the winning version: the highest revision
    above any deletion's; on a tie the active version, else the first file by id."""
    versions = [(str(s), str(r), False) for s, r in held]
    if active is not None:
        versions.insert(0, (str(active[0]), str(active[1]), True))
    alive = [v for v in versions if deleted is None or v[1] > deleted]
    if not alive:
        return None
    top = max(v[1] for v in alive)
    return next(v for v in alive if v[1] == top)


def dump_record(record: DocumentRecord) -> str:
    """A document version as JSON, to be held while another version is active."""
    d = record.document
    return json.dumps(
        {
            "document": {
                "id": d.id,
                "title": d.title,
                "kind": d.kind.value,
                "source": d.source,
                "origin": d.origin,
                "version": d.version,
                "url": d.url,
                "published": d.published.isoformat() if d.published else None,
                "updated": d.updated.isoformat() if d.updated else None,
                "authors": list(d.authors),
                "journal": d.journal,
                "extra": dict(d.extra),
            },
            "text": record.text,
            "identity": record.identity,
            "revision": record.revision,
            "passages": [
                [p.id, p.seq, p.start, p.end, p.section, p.kind.value] for p in record.passages
            ],
        }
    )


def load_record(payload: str) -> DocumentRecord:
    """The inverse of `dump_record`."""
    from datetime import date

    from medcite.index.store import DocumentRecord
    from medcite.types import DocKind

    data = json.loads(payload)
    meta = data["document"]
    document = Document(
        id=meta["id"],
        title=meta["title"],
        kind=DocKind(meta["kind"]),
        source=meta["source"],
        origin=meta["origin"],
        version=meta["version"],
        url=meta["url"],
        published=date.fromisoformat(meta["published"]) if meta["published"] else None,
        updated=date.fromisoformat(meta["updated"]) if meta["updated"] else None,
        authors=tuple(meta["authors"]),
        journal=meta["journal"],
        extra=meta["extra"],
    )
    text = data["text"]
    passages = tuple(
        Passage(pid, document, seq, text[start:end], start, end, section, PassageKind(kind))
        for pid, seq, start, end, section, kind in data["passages"]
    )
    return DocumentRecord(document, text, passages, data["identity"], data["revision"])

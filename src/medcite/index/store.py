"""The SQLite store (WAL): sources, documents with their cleaned text, passages.

Each thread gets its own connection (the web app answers on a thread pool).

Every write of one source file is one transaction, so a crash leaves the old state or
the new one. Documents whose lexical entries must be (re)written are queued in
`lexical_pending` inside the same transaction; the lexical index drains the queue. The
vector index has its own queue, `vector_pending`, drained by `Library.sync_vectors`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from medcite.datadir import private_dir, private_file, tighten_files
from medcite.errors import NotFound, StoreError
from medcite.index.embedders import VectorSpace
from medcite.index.migrations import migrate
from medcite.index.stats import (
    PASSAGE_TEXT,
    CorpusStats,
    DocumentTerms,
    missing_document_terms,
    read_corpus_stats,
    read_document_terms,
    rebuild_stats,
    scanned_stats,
    write_document_terms,
)
from medcite.index.writes import SourceWriter, WriteResult
from medcite.types import DocKind, Document, Passage, PassageKind


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A document ready to store: metadata, cleaned text and passages; `identity` is its
    global key (None: scoped to its file) and `revision` orders its versions."""

    document: Document
    text: str
    passages: tuple[Passage, ...]
    identity: str | None = None
    revision: str = ""


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: str
    path: str
    content_hash: str
    reader: str
    n_documents: int = 0
    n_passages: int = 0
    ingested_at: str = ""


_DOC_COLUMNS = (
    "id, title, kind, source, origin, version, url, published, updated, authors, journal, extra"
)
# What a loaded document carries besides its columns: the notices that retract it.
_READ_COLUMNS = (
    _DOC_COLUMNS + ", (SELECT group_concat(notice, '; ') FROM withdrawals w "
    "WHERE w.doc_id = documents.id AND w.action = 'retracted')"
)
# A passage row as read: its text is its document's text sliced (stored once, migration 8).
_PASSAGE_SELECT = (
    f"SELECT p.id, p.doc_id, p.seq, {PASSAGE_TEXT}, p.start, p.end, p.section, p.kind "
    "FROM passages p JOIN documents d ON d.id = p.doc_id"
)
_DOC_CACHE = 20_000  # documents' metadata kept in memory at most


class Store:
    """Relational storage behind a small API; callers never see SQL rows."""

    def __init__(self, path: Path) -> None:
        private_file(private_dir(path.parent) / path.name)  # questions may be stored here
        self.path = path
        self._docs: dict[str, Document] = {}
        self._lock = threading.Lock()
        self._connections: dict[int, sqlite3.Connection] = {}
        try:
            migrate(self._db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    @property
    def _db(self) -> sqlite3.Connection:
        """The calling thread's connection: threads never share a connection."""
        ident = threading.get_ident()
        db = self._connections.get(ident)
        if db is None:
            db = self._connect()
            with self._lock:
                self._close_finished_threads()
                self._connections[ident] = db
        return db

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=10000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        tighten_files(*(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm")))
        return db

    def _close_finished_threads(self) -> None:
        alive = {t.ident for t in threading.enumerate()}
        for ident in [i for i in self._connections if i not in alive]:
            self._connections.pop(ident).close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The calling thread's connection, for modules that keep their own tables."""
        return self._db

    def close(self) -> None:
        with self._lock:
            for db in self._connections.values():
                db.close()
            self._connections.clear()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- sources -----------------------------------------------------------------------

    def source(self, source_id: str) -> SourceRecord | None:
        row = self._db.execute(
            "SELECT id, path, content_hash, reader, n_documents, n_passages, ingested_at "
            "FROM sources WHERE id = ?",
            (source_id,),
        ).fetchone()
        return SourceRecord(*row) if row else None

    def sources(self) -> list[SourceRecord]:
        rows = self._db.execute(
            "SELECT id, path, content_hash, reader, n_documents, n_passages, ingested_at "
            "FROM sources ORDER BY path"
        )
        return [SourceRecord(*r) for r in rows]

    def document_versions(self, source_id: str) -> dict[str, str]:
        rows = self._db.execute(
            "SELECT id, version FROM documents WHERE source_id = ?", (source_id,)
        )
        return dict(rows.fetchall())

    def write_source(
        self, source: SourceRecord, records: Sequence[DocumentRecord], unchanged: Iterable[str]
    ) -> WriteResult:
        """Replace everything a source file holds, atomically."""
        with self.writing(source) as writer:
            for doc_id in unchanged:
                writer.keep(doc_id)
            for record in records:
                writer.put(record)
        return writer.result

    @contextmanager
    def writing(self, source: SourceRecord, *, resumed: bool = False) -> Iterator[SourceWriter]:
        """One transaction in which a file's records are put (`put`, `keep`, `withdraw`);
        on leaving it, what the file no longer holds is released and the file recorded —
        unless the writer says the file has `more` to come: then the transaction is a
        checkpoint, and the items read so far are recorded for a resumed ingest.
        `resumed`: an earlier checkpoint of this ingest was committed."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            writer = SourceWriter(
                db, source, now, self._put_document, self._record, resumed=resumed
            )
            yield writer
            writer.finish()
            if writer.more is not None:
                db.execute(
                    "INSERT OR REPLACE INTO source_progress VALUES (?, ?, ?)",
                    (source.id, source.content_hash, writer.more),
                )
                # the file is recorded as not fully read: no content matches it until the end
                db.execute(
                    "INSERT INTO sources VALUES (?, ?, '', ?, 0, 0, ?) "
                    "ON CONFLICT(id) DO UPDATE SET content_hash = ''",
                    (source.id, source.path, source.reader, now),
                )
            else:
                db.execute("DELETE FROM source_progress WHERE source_id = ?", (source.id,))
                self._record_source(db, source, writer.result.active, now)
        self._docs.clear()

    def _record_source(
        self, db: sqlite3.Connection, source: SourceRecord, documents: int, now: str
    ) -> None:
        n_passages = db.execute(
            "SELECT count(*) FROM passages p JOIN documents d ON d.id = p.doc_id "
            "WHERE d.source_id = ?",
            (source.id,),
        ).fetchone()[0]
        db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
            (*_source_row(source), documents, n_passages, now),
        )

    def resume_point(self, source: SourceRecord) -> int:
        """Items of the file an interrupted ingest of this same content committed (0: none;
        the checkpoints of other content are forgotten, and the file is read from the top)."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT content_hash, items FROM source_progress WHERE source_id = ?",
                (source.id,),
            ).fetchone()
            if row is not None and row[0] == source.content_hash:
                return int(row[1])
            for table in ("source_progress", "source_seen", "source_withdrawn"):
                db.execute(f"DELETE FROM {table} WHERE source_id = ?", (source.id,))
        return 0

    def _put_document(
        self, db: sqlite3.Connection, source_id: str, record: DocumentRecord, now: str
    ) -> None:
        d = record.document
        db.execute("DELETE FROM documents WHERE id = ?", (d.id,))
        db.execute(
            f"INSERT INTO documents(source_id, text, ingested_at, identity, revision, "
            f"{_DOC_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source_id,
                record.text,
                now,
                record.identity,
                record.revision,
                d.id,
                d.title,
                d.kind.value,
                d.source,
                d.origin,
                d.version,
                d.url,
                _iso(d.published),
                _iso(d.updated),
                json.dumps(d.authors),
                d.journal,
                json.dumps(dict(d.extra)),
            ),
        )
        db.executemany(
            "INSERT INTO passages(id, doc_id, seq, start, end, section, kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(p.id, d.id, p.seq, p.start, p.end, p.section, p.kind.value) for p in record.passages],
        )
        write_document_terms(db, [(d.id, [p.text for p in record.passages])])

    def _record(self, doc_id: str) -> DocumentRecord:
        """A stored document as it was written (read past the cache, inside a write)."""
        row = self._db.execute(
            f"SELECT {_DOC_COLUMNS}, NULL, text, identity, revision FROM documents WHERE id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no document with id {doc_id}")
        document = _document_from_row(row[:13])
        rows = self._db.execute(
            f"{_PASSAGE_SELECT} WHERE p.doc_id = ? ORDER BY p.seq", (doc_id,)
        ).fetchall()
        passages = tuple(_passage(r, document) for r in rows)
        return DocumentRecord(document, str(row[13]), passages, row[14], str(row[15]))

    # -- lexical queue ---------------------------------------------------------------

    def pending_lexical(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT doc_id FROM lexical_pending")]

    def queue_all_for_lexical(self) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO lexical_pending(doc_id) SELECT id FROM documents")

    def clear_pending(self, doc_ids: Sequence[str]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM lexical_pending WHERE doc_id = ?", [(i,) for i in doc_ids])

    # -- vector queue ----------------------------------------------------------------

    def pending_vectors(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT doc_id FROM vector_pending ORDER BY doc_id")]

    def pending_vector_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM vector_pending").fetchone()[0])

    def queue_all_for_vectors(self) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO vector_pending(doc_id) SELECT id FROM documents")

    def vector_space(self) -> VectorSpace | None:
        """The embedder whose vectors the library keeps (None: not recorded yet)."""
        row = self._db.execute(
            "SELECT embedder, model, variant, dimensions FROM vector_space WHERE id = 1"
        ).fetchone()
        return VectorSpace(str(row[0]), str(row[1]), str(row[2]), int(row[3])) if row else None

    def adopt_vector_space(self, space: VectorSpace, *, requeue: bool) -> None:
        """Record the embedder the vectors follow from now on; with `requeue`, in the same
        transaction, every document waits to be embedded again by it."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO vector_space VALUES (1, ?, ?, ?, ?)",
                (space.embedder, space.model, space.variant, space.dimensions),
            )
            if requeue:
                db.execute("INSERT OR IGNORE INTO vector_pending(doc_id) SELECT id FROM documents")

    def clear_pending_vectors(self, doc_ids: Sequence[str]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM vector_pending WHERE doc_id = ?", [(i,) for i in doc_ids])

    # -- reads -----------------------------------------------------------------------

    def _load_documents(self, doc_ids: list[str]) -> None:
        """Fill the document cache with one query instead of one per document."""
        if len(self._docs) > _DOC_CACHE:
            self._docs.clear()
        marks = ",".join("?" * len(doc_ids))
        rows = self._db.execute(
            f"SELECT {_READ_COLUMNS} FROM documents WHERE id IN ({marks})", doc_ids
        )
        for row in rows:
            self._docs[str(row[0])] = _document_from_row(row)

    def document(self, doc_id: str) -> Document:
        if doc_id not in self._docs:
            row = self._db.execute(
                f"SELECT {_READ_COLUMNS} FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no document with id {doc_id}; `medcite sources` lists them")
            self._docs[doc_id] = _document_from_row(row)
        return self._docs[doc_id]

    def document_ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM documents ORDER BY id")]

    def document_text(self, doc_id: str) -> str:
        row = self._db.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"no document with id {doc_id}")
        return str(row[0])

    def passages(self, passage_ids: Sequence[str]) -> dict[str, Passage]:
        """The stored passages among `passage_ids` (unknown ids are simply absent)."""
        found: dict[str, Passage] = {}
        for chunk in _chunks(list(passage_ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"{_PASSAGE_SELECT} WHERE p.id IN ({marks})", chunk).fetchall()
            self._load_documents(sorted({str(r[1]) for r in rows} - set(self._docs)))
            for row in rows:
                found[row[0]] = self._passage_from_row(row)
        return found

    def passage(self, passage_id: str) -> Passage:
        found = self.passages([passage_id])
        if passage_id not in found:
            raise NotFound(f"no passage with id {passage_id}; ids appear in `medcite ask` output")
        return found[passage_id]

    def passages_of(self, doc_ids: Sequence[str]) -> Iterator[Passage]:
        for chunk in _chunks(list(doc_ids), 500):
            self._load_documents(chunk)
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"{_PASSAGE_SELECT} WHERE p.doc_id IN ({marks}) ORDER BY p.doc_id, p.seq",
                chunk,
            )
            for row in rows.fetchall():
                yield self._passage_from_row(row)

    def _passage_from_row(self, row: tuple[object, ...]) -> Passage:
        return _passage(row, self.document(str(row[1])))

    def counts_by_kind(self) -> list[tuple[str, str, int, int]]:
        """(kind, source, documents, passages) for `medcite sources`."""
        rows = self._db.execute(
            "SELECT d.kind, d.source, count(DISTINCT d.id), count(p.id) FROM documents d "
            "LEFT JOIN passages p ON p.doc_id = d.id GROUP BY d.kind, d.source "
            "ORDER BY d.kind, count(p.id) DESC"
        )
        return [(str(a), str(b), int(c), int(n)) for a, b, c, n in rows]

    def totals_by_kind(self) -> list[tuple[str, int, int]]:
        """(kind, documents, passages), most documents first."""
        totals: dict[str, list[int]] = {}
        for kind, _source, docs, passages in self.counts_by_kind():
            entry = totals.setdefault(kind, [0, 0])
            entry[0] += docs
            entry[1] += passages
        return sorted(((k, d, n) for k, (d, n) in totals.items()), key=lambda t: -t[1])

    def corpus_stats(self) -> CorpusStats:
        """Passages, documents and their length, kept at write time (one row: no scan)."""
        return read_corpus_stats(self._db)

    def passage_count(self) -> int:
        return self.corpus_stats().passages

    def count_passages_of(self, doc_ids: Sequence[str]) -> int:
        """How many passages these documents hold."""
        counted = 0
        for chunk in _chunks(list(doc_ids), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT count(*) FROM passages WHERE doc_id IN ({marks})"
            counted += int(self._db.execute(sql, chunk).fetchone()[0])
        return counted

    def count_passages(self) -> int:
        """The passages counted one by one (`medcite check` compares it with the stats)."""
        return int(self._db.execute("SELECT count(*) FROM passages").fetchone()[0])

    def stats_problem(self) -> str | None:
        """What is wrong with the kept statistics, counted the slow way (`medcite check`)."""
        kept, counted = self.corpus_stats(), scanned_stats(self._db)
        if kept != counted:
            return f"corpus statistics say {kept}, the passages {counted}"
        missing = missing_document_terms(self._db)
        return f"{missing} documents have no term counts" if missing else None

    def rebuild_stats(self) -> None:
        with self.transaction() as db:
            rebuild_stats(db)

    def mean_document_chars(self) -> float:
        """Mean length of a document's passages together, in characters."""
        return self.corpus_stats().mean_chars

    def document_terms(self, doc_ids: Sequence[str]) -> dict[str, DocumentTerms]:
        """Each document's term counts over all its passages, and its length (documents of
        two or more passages; a one-passage document is its passage)."""
        return read_document_terms(self._db, doc_ids)

    def passage_sections(self, doc_ids: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
        """(passage id, section) of every passage of `doc_ids`, in order (no text read)."""
        found: dict[str, list[tuple[str, str | None]]] = {}
        for chunk in _chunks(list(doc_ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT doc_id, id, section FROM passages WHERE doc_id IN ({marks}) "
                "ORDER BY doc_id, seq",
                chunk,
            )
            for doc_id, pid, section in rows:
                found.setdefault(str(doc_id), []).append((str(pid), section))
        return found


def _source_row(source: SourceRecord) -> tuple[str, str, str, str]:
    return source.id, source.path, source.content_hash, source.reader


def _passage(row: tuple[object, ...], document: Document) -> Passage:
    pid, _doc_id, seq, text, start, end, section, kind = row
    return Passage(
        id=str(pid),
        document=document,
        seq=int(str(seq)),
        text=str(text),
        start=int(str(start)),
        end=int(str(end)),
        section=None if section is None else str(section),
        kind=PassageKind(str(kind)),
    )


def _document_from_row(row: tuple[object, ...]) -> Document:
    (did, title, kind, source, origin, version, url, published, updated, authors, journal) = row[
        :11
    ]
    meta, retraction = json.loads(str(row[11])), row[12] if len(row) > 12 else None
    return Document(
        id=str(did),
        title=str(title),
        kind=DocKind(str(kind)),
        source=str(source),
        origin=str(origin),
        version=str(version),
        url=None if url is None else str(url),
        published=_date(published),
        updated=_date(updated),
        authors=tuple(json.loads(str(authors))),
        journal=None if journal is None else str(journal),
        extra=meta,
        retraction=str(retraction) if retraction else (meta.get("retracted") or None),
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]

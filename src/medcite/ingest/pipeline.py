"""Ingest files and folders: read, clean, split, classify, store; one transaction per file."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from medcite.errors import (
    FileTooLarge,
    MedciteError,
    NotRegularFile,
    RecordError,
    SourceError,
    UnsupportedFormat,
)
from medcite.index import Library
from medcite.index.locking import OnWait
from medcite.index.store import DocumentRecord, SourceRecord
from medcite.index.writes import SourceWriter, WriteResult
from medcite.ingest.files import check_source, expand_paths, read_head, read_source_bytes
from medcite.ingest.identity import document_id, global_key, short_hash
from medcite.ingest.kinds import classify_kind
from medcite.ingest.passages import layout_document
from medcite.settings import Settings
from medcite.sources.base import ParsedDocument, Reader, SourceFile, SourceItem, Withdrawal
from medcite.sources.registry import reader_for
from medcite.types import DocKind, Document, Passage

log = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "failed", "skipped"]
_READER_VERSION = "7"  # bump when cleaning or splitting changes, so files are re-read
_STREAM_MB_PER_BUDGET = 8  # streamed files: ingest.max_file_seconds per 8 MB on disk
SYNC_DOCUMENTS = 20_000  # documents committed to the store before the lexical index catches up


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file; `skipped_records` names each bad record left out of it."""

    path: Path
    status: Status
    documents: int = 0
    passages: int = 0
    detail: str = ""
    skipped_records: tuple[RecordError, ...] = ()


@dataclass(frozen=True, slots=True)
class IngestReport:
    outcomes: tuple[FileOutcome, ...]
    seconds: float

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def passages(self) -> int:
        return sum(o.passages for o in self.outcomes if o.status in ("added", "updated"))

    @property
    def skipped_records(self) -> int:
        return sum(len(o.skipped_records) for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class IngestEvent:
    """Progress: `done` of `total` units (documents inside a file, or files)."""

    path: Path
    stage: Literal["start", "read", "write", "done"]
    done: int = 0
    total: int = 0
    outcome: FileOutcome | None = field(default=None)


Progress = Callable[[IngestEvent], None]


def ingest(
    paths: Sequence[Path],
    library: Library,
    *,
    kind: DocKind | None = None,
    progress: Progress | None = None,
    on_wait: OnWait | None = None,
) -> IngestReport:
    """Ingest files and folders into the library; a bad file never stops the batch.

    Holds the library's writer lock throughout: another writer first is waited for
    (`on_wait` is told once), and nothing is written until it has finished. Each file is
    committed to the store on its own; the lexical index catches up from the store's queue
    every `SYNC_DOCUMENTS` documents and at the end (a crash in between is repaired when the
    library is next opened)."""
    started = time.perf_counter()
    outcomes: list[FileOutcome] = []
    with library.writing(on_wait or log.warning):
        try:
            _each_file(paths, library, kind, progress, outcomes)
        finally:
            library.sync()
    return IngestReport(tuple(outcomes), time.perf_counter() - started)


def _each_file(
    paths: Sequence[Path],
    library: Library,
    kind: DocKind | None,
    progress: Progress | None,
    outcomes: list[FileOutcome],
) -> None:
    unsynced = 0
    for path, explicit in expand_paths(paths):
        emit = progress or (lambda _e: None)
        emit(IngestEvent(path, "start"))
        outcome = _ingest_file(path, explicit, library, kind, emit)
        emit(IngestEvent(path, "done", outcome=outcome))
        outcomes.append(outcome)
        unsynced += outcome.documents if outcome.status in ("added", "updated") else 0
        if unsynced >= SYNC_DOCUMENTS:
            library.sync()
            unsynced = 0


def _ingest_file(
    path: Path, explicit: bool, library: Library, kind: DocKind | None, emit: Progress
) -> FileOutcome:
    """One file, one transaction; every failure becomes this file's outcome, never the
    batch's (a reader's own bug on hostile input included)."""
    settings = library.settings
    try:
        reader, data = _open(path, settings)
        source = _source_record(path, data, reader, kind, settings)
        previous = library.store.source(source.id)
        if previous is not None and previous.content_hash == source.content_hash:
            return FileOutcome(path, "unchanged", previous.n_documents, previous.n_passages)
        result, skipped = _write(path, data, reader, kind, library, source, emit)
    except (UnsupportedFormat, NotRegularFile) as exc:
        if not explicit:
            return FileOutcome(path, "skipped", detail=str(exc))
        return FileOutcome(path, "failed", detail=str(exc))
    except SourceError as exc:
        return FileOutcome(exc.path, "failed", detail=str(exc))
    except MedciteError:
        raise  # the store or the index, not this file: stop
    except Exception as exc:  # a reader's bug on hostile input fails this file only
        log.exception("unexpected error reading %s", path)
        return FileOutcome(path, "failed", detail=str(SourceError(path, repr(exc)[:300])))
    status: Status = "updated" if previous is not None else "added"
    detail = _detail(result, previous is not None)
    return FileOutcome(path, status, result.active, result.passages, detail, skipped)


def _detail(result: WriteResult, updated: bool) -> str:
    """What the counts leave out: unchanged and removed documents, versions held because
    another file's is newer (or a deletion covers them), records withdrawn."""
    parts = [f"{result.unchanged} unchanged", f"{result.removed} removed"] if updated else []
    if result.held:
        parts.append(f"{result.held} held: another file's version or a deletion outranks them")
    if result.withdrawn:
        parts.append(f"{result.withdrawn} withdrawn (deleted or retracted)")
    return ", ".join(parts)


def _open(path: Path, settings: Settings) -> tuple[Reader, bytes]:
    """The file's reader, chosen from its name and first bytes (decompressed if .gz), and its
    bytes, or none for a streamed reader (which opens the file itself)."""
    check_source(path)
    reader = reader_for(path, read_head(path))
    if not reader.streamed:
        return reader, read_source_bytes(path, int(settings.ingest.max_file_mb * 1024 * 1024))
    size = path.stat().st_size
    if size > settings.ingest.max_stream_mb * 1024 * 1024:
        raise FileTooLarge(path, f"{size / 1e6:.0f} MB > {settings.ingest.max_stream_mb:g} MB")
    return reader, b""


def _source_record(
    path: Path, data: bytes, reader: Reader, kind: DocKind | None, settings: Settings
) -> SourceRecord:
    resolved = str(path.resolve())
    h = hashlib.sha256(data)
    if reader.streamed:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                h.update(chunk)
    for related in reader.related_files(path):
        h.update(related.read_bytes() if related.is_file() else b"")
    cfg = settings.ingest
    options = [reader.name, kind, cfg.passage_chars, cfg.title_only_citations, cfg.encoding]
    h.update(f"|{'|'.join(map(str, options))}|{_READER_VERSION}".encode())
    return SourceRecord(short_hash(resolved), resolved, h.hexdigest(), reader.name)


def _write(
    path: Path,
    data: bytes,
    reader: Reader,
    kind: DocKind | None,
    library: Library,
    source: SourceRecord,
    emit: Progress,
) -> tuple[WriteResult, tuple[RecordError, ...]]:
    """Read every item of the file and put it into the store: one transaction, or for a
    file of more than `ingest.checkpoint_docs` documents one per that many (a run after an
    interruption skips the items committed before it); the records skipped as bad are
    returned beside what was written."""
    settings = library.settings
    cfg = settings.ingest
    file = SourceFile(
        path,
        data,
        _spl_sections(path.parent),
        max_bytes=int(cfg.max_stream_mb * 1024 * 1024),
        title_only=cfg.title_only_citations,
        encoding=cfg.encoding,
        deadline=time.monotonic() + _budget(path, reader, cfg.max_file_seconds),
    )
    versions = library.store.document_versions(source.id)
    total = _lines(path, data) if reader.name in ("medquad", "beir") else 0
    skipped: list[RecordError] = []

    def put(item: SourceItem, writer: SourceWriter) -> int:
        """Write one item the reader gave; 1 if it was a document, else 0."""
        if isinstance(item, RecordError):
            log.info("%s", item)
            skipped.append(item)
            return 0
        if isinstance(item, Withdrawal):
            if global_key(item.key):
                doc_id = document_id(item.key, source.id)
                writer.withdraw(doc_id, item.action, item.revision, item.notice)
            return 0
        record = build_record(item, kind, settings, origin=str(path), source_id=source.id)
        if versions.get(record.document.id) == record.document.version:
            writer.keep(record.document.id)
        else:
            writer.put(record)
        return 1

    items = enumerate(reader.read(file), start=1)
    done = library.store.resume_point(source)
    for _ in zip(range(done), items, strict=False):  # committed before an interruption
        file.check_time()
    n, writers = done, list[SourceWriter]()
    while not writers or writers[-1].more is not None:
        with library.writing_source(source, resumed=n > 0) as writer:
            written = 0
            for n, item in items:
                file.check_time()
                written += put(item, writer)
                if n % cfg.batch_docs == 0:
                    emit(IngestEvent(path, "read", n, total))
                if written == cfg.checkpoint_docs:
                    writer.more = n
                    break
            emit(IngestEvent(path, "write", n, n))
        writers.append(writer)
    return _total([w.result for w in writers]), tuple(skipped)


def _total(results: Sequence[WriteResult]) -> WriteResult:
    """One file's result over its checkpoints: counts summed, standing counts the last's."""
    last = results[-1]
    return replace(
        last,
        added=sum(r.added for r in results),
        replaced=sum(r.replaced for r in results),
        unchanged=sum(r.unchanged for r in results),
        withdrawn=sum(r.withdrawn for r in results),
        passages=sum(r.passages for r in results),
    )


def _lines(path: Path, data: bytes) -> int:
    """Lines of a record-per-line file (the progress bar's total), counted in chunks."""
    if data:
        return data.count(b"\n")
    count = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _budget(path: Path, reader: Reader, seconds: float) -> float:
    """Seconds a file may take to read: `seconds`, and for a streamed file (a PubMed update
    file, a DailyMed zip) as much per `_STREAM_MB_PER_BUDGET` MB it holds on disk."""
    if not reader.streamed:
        return seconds
    return seconds * max(1.0, path.stat().st_size / (_STREAM_MB_PER_BUDGET * 1024 * 1024))


def build_record(
    parsed: ParsedDocument,
    kind: DocKind | None,
    settings: Settings,
    origin: str,
    source_id: str = "",
) -> DocumentRecord:
    """One parsed document -> its Document, cleaned text and passages with ids (a record
    without a global key is scoped to its file, `source_id`)."""
    text, spans = layout_document(parsed.blocks, settings.ingest.passage_chars)
    doc_id = document_id(parsed.key, source_id)
    document = Document(
        id=doc_id,
        title=parsed.title,
        kind=classify_kind(parsed, kind),
        source=parsed.source,
        origin=origin,
        version="",
        url=parsed.url,
        published=parsed.published,
        updated=parsed.updated,
        authors=parsed.authors,
        journal=parsed.journal,
        extra=dict(parsed.extra),
    )
    document = replace(document, version=_version(document, text))
    seen: set[str] = set()
    passages = []
    for seq, span in enumerate(spans):
        body = text[span.start : span.end]
        pid = short_hash(f"{doc_id}|{body}")
        if pid in seen:
            pid = short_hash(f"{doc_id}|{seq}|{body}")
        seen.add(pid)
        passages.append(
            Passage(pid, document, seq, body, span.start, span.end, span.section, span.kind)
        )
    return DocumentRecord(document, text, tuple(passages), global_key(parsed.key), parsed.revision)


def _version(document: Document, text: str) -> str:
    meta = [document.title, document.kind, document.source, document.url]
    meta += [str(document.published), str(document.updated), str(document.journal)]
    blob = json.dumps([meta, dict(document.extra), list(document.authors)], sort_keys=True)
    return short_hash(blob + "\0" + text)


@lru_cache(maxsize=64)
def _spl_sections(folder: Path) -> dict[str, str]:
    """LOINC section code -> name, from a `sections.csv` beside the labels, if any."""
    table = folder / "sections.csv"
    if not table.is_file():
        return {}
    pairs = (line.split(",", 1) for line in table.read_text(encoding="utf-8").splitlines())
    # Split on the first comma only: some names contain unquoted commas.
    return {p[0].strip(): p[1].strip() for p in pairs if len(p) == 2 and p[0].strip()}

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
    MedciteError,
    NotRegularFile,
    RecordError,
    SourceError,
    UnsupportedFormat,
)
from medcite.index import Library
from medcite.index.store import DocumentRecord, SourceRecord
from medcite.ingest.files import expand_paths, read_source_bytes
from medcite.ingest.kinds import classify_kind
from medcite.ingest.passages import layout_document
from medcite.settings import Settings
from medcite.sources.base import ParsedDocument, Reader, SourceFile
from medcite.sources.registry import reader_for
from medcite.types import DocKind, Document, Passage

log = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "failed", "skipped"]
_READER_VERSION = "3"  # bump when cleaning or splitting changes, so files are re-read


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
) -> IngestReport:
    """Ingest files and folders into the library; a bad file never stops the batch."""
    started = time.perf_counter()
    outcomes = []
    for path, explicit in expand_paths(paths):
        emit = progress or (lambda _e: None)
        emit(IngestEvent(path, "start"))
        outcome = _ingest_file(path, explicit, library, kind, emit)
        emit(IngestEvent(path, "done", outcome=outcome))
        outcomes.append(outcome)
    return IngestReport(tuple(outcomes), time.perf_counter() - started)


def _ingest_file(
    path: Path, explicit: bool, library: Library, kind: DocKind | None, emit: Progress
) -> FileOutcome:
    """One file, one transaction; every failure becomes this file's outcome, never the
    batch's (a reader's own bug on hostile input included)."""
    settings = library.settings
    try:
        data = read_source_bytes(path, int(settings.ingest.max_file_mb * 1024 * 1024))
        reader = reader_for(path, data[:4096])
        source = _source_record(path, data, reader, kind, settings)
        previous = library.store.source(source.id)
        if previous is not None and previous.content_hash == source.content_hash:
            return FileOutcome(path, "unchanged", previous.n_documents, previous.n_passages)
        parsed = _parse(path, data, reader, kind, library, source.id, emit)
        emit(IngestEvent(path, "write", len(parsed.records), len(parsed.records)))
        result = library.store.write_source(source, parsed.records, parsed.unchanged)
        library.sync()
    except (UnsupportedFormat, NotRegularFile) as exc:
        if not explicit:
            return FileOutcome(path, "skipped", detail=str(exc))
        return FileOutcome(path, "failed", detail=str(exc))
    except SourceError as exc:
        return FileOutcome(path, "failed", detail=str(exc))
    except MedciteError:
        raise  # the store or the index, not this file: stop
    except Exception as exc:  # a reader's bug on hostile input fails this file only
        log.exception("unexpected error reading %s", path)
        return FileOutcome(path, "failed", detail=str(SourceError(path, repr(exc)[:300])))
    status: Status = "updated" if previous is not None else "added"
    n_passages = sum(len(r.passages) for r in parsed.records)
    detail = f"{result.unchanged} unchanged, {result.removed} removed" if previous else ""
    documents = len(parsed.records) + result.unchanged
    return FileOutcome(path, status, documents, n_passages, detail, parsed.skipped)


def _source_record(
    path: Path, data: bytes, reader: Reader, kind: DocKind | None, settings: Settings
) -> SourceRecord:
    resolved = str(path.resolve())
    h = hashlib.sha256(data)
    cfg = settings.ingest
    h.update(f"|{reader.name}|{kind}|{cfg.passage_chars}|{cfg.encoding}|{_READER_VERSION}".encode())
    return SourceRecord(_short_hash(resolved), resolved, h.hexdigest(), reader.name)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A file read: documents to write, ids of stored ones unchanged, records skipped."""

    records: list[DocumentRecord]
    unchanged: list[str]
    skipped: tuple[RecordError, ...]


def _parse(
    path: Path,
    data: bytes,
    reader: Reader,
    kind: DocKind | None,
    library: Library,
    source_id: str,
    emit: Progress,
) -> _Parsed:
    """Read every document; keep the ids of those whose stored version is unchanged."""
    cfg = library.settings.ingest
    deadline = time.monotonic() + cfg.max_file_seconds
    source = SourceFile(path, data, _spl_sections(path.parent), cfg.encoding, deadline)
    versions = library.store.document_versions(source_id)
    total = data.count(b"\n") if reader.name in ("medquad", "beir") else 0
    records: list[DocumentRecord] = []
    unchanged: list[str] = []
    skipped: list[RecordError] = []
    for n, item in enumerate(reader.read(source), start=1):
        if isinstance(item, RecordError):
            log.info("%s", item)
            skipped.append(item)
            continue
        record = build_record(item, kind, library.settings, origin=str(path))
        if versions.get(record.document.id) == record.document.version:
            unchanged.append(record.document.id)
        else:
            records.append(record)
        source.check_time()
        if n % cfg.batch_docs == 0:
            emit(IngestEvent(path, "read", n, total))
    return _Parsed(records, unchanged, tuple(skipped))


def build_record(
    parsed: ParsedDocument, kind: DocKind | None, settings: Settings, origin: str
) -> DocumentRecord:
    """One parsed document -> its Document, cleaned text and passages with ids."""
    text, spans = layout_document(parsed.blocks, settings.ingest.passage_chars)
    doc_id = _short_hash(parsed.key)
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
        pid = _short_hash(f"{doc_id}|{body}")
        if pid in seen:
            pid = _short_hash(f"{doc_id}|{seq}|{body}")
        seen.add(pid)
        passages.append(
            Passage(pid, document, seq, body, span.start, span.end, span.section, span.kind)
        )
    return DocumentRecord(document, text, tuple(passages))


def _version(document: Document, text: str) -> str:
    meta = [document.title, document.kind, document.source, document.url]
    meta += [str(document.published), str(document.updated), str(document.journal)]
    blob = json.dumps([meta, dict(document.extra), list(document.authors)], sort_keys=True)
    return _short_hash(blob + "\0" + text)


def _short_hash(value: str) -> str:
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:16]


@lru_cache(maxsize=64)
def _spl_sections(folder: Path) -> dict[str, str]:
    """LOINC section code -> name, from a `sections.csv` beside the labels, if any."""
    table = folder / "sections.csv"
    if not table.is_file():
        return {}
    pairs = (line.split(",", 1) for line in table.read_text(encoding="utf-8").splitlines())
    # Split on the first comma only: some names contain unquoted commas.
    return {p[0].strip(): p[1].strip() for p in pairs if len(p) == 2 and p[0].strip()}

"""Ingest files and folders: read, clean, split, classify, store; one transaction per file."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from medcite.errors import FileTooLarge, SourceError, UnsupportedFormat
from medcite.index import Library
from medcite.index.store import DocumentRecord, SourceRecord
from medcite.ingest.kinds import classify_kind
from medcite.ingest.passages import layout_document
from medcite.settings import Settings
from medcite.sources.base import ParsedDocument, Reader, SourceFile
from medcite.sources.registry import reader_for
from medcite.types import DocKind, Document, Passage

log = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "failed", "skipped"]
_NOT_CONTENT = ("license", "copying", "readme", "notice", "changelog")
_READER_VERSION = "3"  # bump when cleaning or splitting changes, so files are re-read


@dataclass(frozen=True, slots=True)
class FileOutcome:
    path: Path
    status: Status
    documents: int = 0
    passages: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class IngestReport:
    outcomes: tuple[FileOutcome, ...]
    seconds: float

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def passages(self) -> int:
        return sum(o.passages for o in self.outcomes if o.status in ("added", "updated"))


@dataclass(frozen=True, slots=True)
class IngestEvent:
    """Progress: `done` of `total` units (documents inside a file, or files)."""

    path: Path
    stage: Literal["start", "read", "write", "done"]
    done: int = 0
    total: int = 0
    outcome: FileOutcome | None = field(default=None)


Progress = Callable[[IngestEvent], None]


def expand_paths(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Files to ingest, each with whether it was named explicitly (not found in a folder)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden:
                    yield child, False
        else:
            yield path, True


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
    settings = library.settings
    try:
        data = _read_bytes(path, settings)
        reader = reader_for(path, data[:4096])
        source = _source_record(path, data, reader, kind, settings)
        previous = library.store.source(source.id)
        if previous is not None and previous.content_hash == source.content_hash:
            return FileOutcome(path, "unchanged", previous.n_documents, previous.n_passages)
        records, unchanged = _parse(path, data, reader, kind, library, source.id, emit)
        emit(IngestEvent(path, "write", len(records), len(records)))
        result = library.store.write_source(source, records, unchanged)
        library.sync()
    except UnsupportedFormat as exc:
        if not explicit:
            return FileOutcome(path, "skipped", detail=exc.reason)
        return FileOutcome(path, "failed", detail=str(exc))
    except SourceError as exc:
        return FileOutcome(path, "failed", detail=str(exc))
    except (OSError, ValueError, RecursionError) as exc:
        log.exception("unexpected error reading %s", path)
        return FileOutcome(path, "failed", detail=str(SourceError(path, repr(exc))))
    status: Status = "updated" if previous is not None else "added"
    n_passages = sum(len(r.passages) for r in records)
    detail = f"{result.unchanged} unchanged, {result.removed} removed" if previous else ""
    return FileOutcome(path, status, len(records) + result.unchanged, n_passages, detail)


def _read_bytes(path: Path, settings: Settings) -> bytes:
    if not path.exists():
        raise SourceError(path, "no such file or folder")
    if path.name.lower().startswith(_NOT_CONTENT):
        raise UnsupportedFormat(path, "licence/readme files are not evidence")
    size = path.stat().st_size
    limit = int(settings.ingest.max_file_mb * 1024 * 1024)
    if size > limit:
        raise FileTooLarge(path, f"{size / 1e6:.0f} MB > {settings.ingest.max_file_mb:g} MB")
    return path.read_bytes()


def _source_record(
    path: Path, data: bytes, reader: Reader, kind: DocKind | None, settings: Settings
) -> SourceRecord:
    resolved = str(path.resolve())
    h = hashlib.sha256(data)
    h.update(f"|{reader.name}|{kind}|{settings.ingest.passage_chars}|{_READER_VERSION}".encode())
    return SourceRecord(_short_hash(resolved), resolved, h.hexdigest(), reader.name)


def _parse(
    path: Path,
    data: bytes,
    reader: Reader,
    kind: DocKind | None,
    library: Library,
    source_id: str,
    emit: Progress,
) -> tuple[list[DocumentRecord], list[str]]:
    """Read every document; keep the ids of those whose stored version is unchanged."""
    source = SourceFile(path, data, _spl_sections(path.parent))
    versions = library.store.document_versions(source_id)
    total = data.count(b"\n") if reader.name in ("medquad", "beir") else 0
    batch = library.settings.ingest.batch_docs
    records: list[DocumentRecord] = []
    unchanged: list[str] = []
    for n, parsed in enumerate(reader.read(source), start=1):
        record = build_record(parsed, kind, library.settings, origin=str(path))
        if versions.get(record.document.id) == record.document.version:
            unchanged.append(record.document.id)
        else:
            records.append(record)
        if n % batch == 0:
            emit(IngestEvent(path, "read", n, total))
    return records, unchanged


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

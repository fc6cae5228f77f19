"""DailyMed distribution zips: a zip of per-label zips (or one label's zip) holding SPL XML.

Read as a stream: the outer zip's members are opened one at a time and only one label's
bytes are held at once. Each label is read by the SPL reader; its key is its set id (a global
key) and its revision its version number, so one document per set id stays, the newest
version winning (within the zip, across zips, and against a loose XML of the same label).
A member that is not a readable label is skipped with a warning; a zip with no label at all
is an error naming the file.
"""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from medcite.errors import EmptySource, FileTooLarge, MalformedSource, SourceError
from medcite.sources.base import ParsedDocument, Reader, SourceFile
from medcite.sources.spl import label_document, parse_spl

log = logging.getLogger(__name__)
MAX_DEPTH = 2  # a zip of zips of XML, no deeper


class DailyMedZipReader(Reader):
    name = "dailymed-zip"
    extensions = (".zip",)
    streamed = True

    def accepts(self, path: Path, head: bytes) -> bool:
        return super().accepts(path, head) and head.startswith(b"PK\x03\x04")

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        found = 0
        if not source.data and not source.path.is_file():
            raise EmptySource(source.path, "no such file, or nothing in it")
        try:
            held = io.BytesIO(source.data) if source.data else None
            with zipfile.ZipFile(held or source.path) as archive:
                for name, data in _labels(archive, source, depth=1):
                    document = _label(source, name, data)
                    if document is not None:
                        found += 1
                        yield document
        except (
            zipfile.BadZipFile,
            EOFError,
            NotImplementedError,
            RuntimeError,
            ValueError,
            zlib.error,
        ) as exc:
            # a broken, truncated, encrypted or oddly compressed zip
            raise MalformedSource(source.path, f"not a readable zip: {exc}") from exc
        if not found:
            raise EmptySource(source.path, "no SPL label in the zip")


def _labels(
    archive: zipfile.ZipFile, source: SourceFile, depth: int
) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of each XML label, opening nested zips one at a time."""
    for info in archive.infolist():
        name = info.filename.lower()
        if info.is_dir() or not name.endswith((".xml", ".zip")):
            continue
        if source.max_bytes and info.file_size > source.max_bytes:
            raise FileTooLarge(
                source.path, f"member {info.filename} unpacks to more than the limit"
            )
        data = archive.read(info)
        if name.endswith(".xml"):
            yield info.filename, data
        elif depth < MAX_DEPTH:
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    yield from _labels(inner, source, depth + 1)
            except zipfile.BadZipFile:
                log.warning("%s: %s is not a readable zip; skipped", source.path, info.filename)


def _label(source: SourceFile, name: str, data: bytes) -> ParsedDocument | None:
    where = Path(f"{source.path}!{name}")
    try:
        root = parse_spl(where, data)
        return label_document(SourceFile(where, data, source.spl_sections), root)
    except SourceError as exc:
        log.warning("skipped a label: %s", exc)
        return None

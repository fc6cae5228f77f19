"""PDF files: text extracted page by page with pypdf, page furniture dropped, layout recovered."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdf

from medcite.errors import EmptySource, EncryptedSource, MalformedSource
from medcite.ingest.clean import normalize_chars
from medcite.ingest.front_matter import FrontMatter, is_metadata_line, read_front_matter
from medcite.ingest.layout import blocks_from_text, break_paragraphs_at_short_lines
from medcite.sources.base import ParsedDocument, Reader, SourceFile

logger = logging.getLogger(__name__)

_MAGIC = b"%PDF-"
_MAX_TITLE = 200
_MAX_RUNNING = 100  # running heads and footers are short lines
_FURNITURE_PASSES = 2
_PAGE_LABEL = re.compile(
    r"(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4} of \d{1,4}|[-–—] ?\d{1,4} ?[-–—]",
    re.I,
)
_BARE_NUMBER = re.compile(r"\d{1,4}")
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_NOT_A_TITLE = re.compile(
    r"untitled\b.*|microsoft (?:word|powerpoint) - .*"
    r"|.*\.(?:docx?|pdf|rtf|odt|tex|txt|indd|pptx?|ps|dvi)",
    re.I,
)


class PdfReader(Reader):
    """Reads one PDF into one document. Scanned (image-only) PDFs need OCR first."""

    name = "pdf"
    extensions = (".pdf",)

    def accepts(self, path: Path, head: bytes) -> bool:
        return super().accepts(path, head) or head.startswith(_MAGIC)

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        path = source.path
        reader = _open(path, source.data)
        raw = _page_lines(source, reader)
        pages, running = strip_furniture(raw)
        paragraphs = (break_paragraphs_at_short_lines(lines) for lines in pages if lines)
        text = "\n\n".join("\n".join(lines) for lines in paragraphs)
        blocks = blocks_from_text(text) if text.strip() else []
        if not blocks:
            raise EmptySource(path, "no extractable text; OCR it first")
        info = _metadata(reader)
        front = read_front_matter(next((lines for lines in raw if lines), []), running)
        title, title_from = _title(info.get("/Title", ""), front, pages, path)
        extra = {"pages": str(len(pages)), **front.extra}
        yield ParsedDocument(
            key=f"file:{path.resolve()}",
            title=title,
            source=front.journal or f"PDF: {path.name}",
            blocks=tuple(blocks),
            published=front.published or parse_pdf_date(info.get("/CreationDate", "")),
            authors=_authors(info.get("/Author", "")) or front.authors,
            journal=front.journal,
            extra=extra | ({"title_from": title_from} if title_from else {}),
        )


def _open(path: Path, data: bytes) -> pypdf.PdfReader:
    """Open and, when it only needs the empty password, decrypt; map failures to typed errors."""
    if not data.strip():
        raise EmptySource(path)
    if not data.startswith(_MAGIC):
        raise MalformedSource(path, "does not start with %PDF-")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
    except Exception as exc:
        raise MalformedSource(path, _describe(exc)) from exc
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("")
        except Exception as exc:  # unsupported algorithm, or AES without `cryptography`
            raise EncryptedSource(path, _describe(exc)) from exc
        if not decrypted:
            raise EncryptedSource(path)
    try:
        page_count = len(reader.pages)
    except Exception as exc:
        raise MalformedSource(path, _describe(exc)) from exc
    if page_count == 0:
        raise EmptySource(path, "the PDF has no pages")
    return reader


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _page_lines(source: SourceFile, reader: pypdf.PdfReader) -> list[list[str]]:
    """Each page's lines; a page that fails is skipped with a warning, unless all fail."""
    path = source.path
    pages: list[list[str]] = []
    failures: list[Exception] = []
    for number, page in enumerate(reader.pages, start=1):
        source.check_time()
        try:
            text = page.extract_text()
        except Exception as exc:
            logger.warning("%s: page %d skipped, text extraction failed: %s", path, number, exc)
            failures.append(exc)
            continue
        pages.append(normalize_chars(text).split("\n"))
    if not pages and failures:
        raise MalformedSource(path, f"text extraction failed on every page ({failures[-1]})")
    return pages


def strip_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and running headers/footers from the first and last lines of pages.

    A running line is a short line that, with its digits masked, opens (or closes) at least
    half of the pages, in documents of 3+ pages. A second pass peels a second running line
    (a journal name above the volume line, say).
    """
    return strip_furniture(pages)[0]


def strip_furniture(pages: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """`strip_page_furniture`'s pages, and the running lines it dropped (each once)."""
    pages = _drop_page_numbers([_trim(lines) for lines in pages])
    dropped: dict[str, None] = {}
    for _ in range(_FURNITURE_PASSES):
        running = {side: _running_lines(pages, side) for side in (0, -1)}
        if not any(running.values()):
            break
        for lines in pages:
            dropped.update(dict.fromkeys(_running_edges(lines, running)))
        pages = _drop_page_numbers([_drop_edges(lines, running) for lines in pages])
    return pages, list(dropped)


def _running_edges(lines: list[str], running: dict[int, set[str]]) -> list[str]:
    return [lines[side] for side, keys in running.items() if lines and _mask(lines[side]) in keys]


def _trim(lines: list[str]) -> list[str]:
    """Without blank lines at the start and end, and trailing spaces."""
    lines = [line.rstrip() for line in lines]
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _mask(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()))


def _running_lines(pages: list[list[str]], side: int) -> set[str]:
    with_text = [lines for lines in pages if lines]
    if len(with_text) < 3:
        return set()
    counts = Counter(_mask(lines[side]) for lines in with_text if len(lines[side]) < _MAX_RUNNING)
    return {key for key, n in counts.items() if 2 * n >= len(with_text)}


def _drop_edges(lines: list[str], running: dict[int, set[str]]) -> list[str]:
    """Without its first line (side 0) or last line (side -1) if that line is running."""
    for side, keys in running.items():
        if lines and _mask(lines[side]) in keys:
            lines = lines[1:] if side == 0 else lines[:-1]
    return _trim(lines)


def _drop_page_numbers(pages: list[list[str]]) -> list[list[str]]:
    """Drop "Page 3 of 9"-style lines at page edges, and bare numbers that count pages.

    A bare number is a page number when it equals the page's position, or when it is off
    from the position by the same amount on two or more pages (journal pagination).
    """
    offsets: Counter[int] = Counter()
    for index, lines in enumerate(pages):
        values = {v for line in _edges(lines) if (v := _bare_number(line)) is not None}
        offsets.update(value - index for value in values)

    def is_page_number(line: str, index: int) -> bool:
        if _PAGE_LABEL.fullmatch(line.strip()):
            return True
        value = _bare_number(line)
        return value is not None and (value == index + 1 or offsets[value - index] >= 2)

    out: list[list[str]] = []
    for index, lines in enumerate(pages):
        if lines and is_page_number(lines[0], index):
            lines = lines[1:]
        if lines and is_page_number(lines[-1], index):
            lines = lines[:-1]
        out.append(_trim(lines))
    return out


def _edges(lines: list[str]) -> list[str]:
    return [lines[0], lines[-1]] if lines else []


def _bare_number(line: str) -> int | None:
    stripped = line.strip()
    return int(stripped) if _BARE_NUMBER.fullmatch(stripped) else None


def _metadata(reader: pypdf.PdfReader) -> dict[str, str]:
    """The document information dictionary as strings; {} when it is missing or unreadable."""
    try:
        info = reader.metadata
        if info is None:
            return {}
        return {str(key): str(info[key]) for key in info}
    except Exception as exc:
        logger.warning("unreadable PDF metadata: %s", exc)
        return {}


def _title(
    meta_title: str, front: FrontMatter, pages: list[list[str]], path: Path
) -> tuple[str, str | None]:
    """The PDF's own title, else the one its front matter states, else its first line (not
    a publication-facts line); the file name as the last resort ("file name")."""
    title = " ".join(normalize_chars(meta_title).split())
    if len(title) >= 3 and any(c.isalpha() for c in title) and not _NOT_A_TITLE.fullmatch(title):
        return title, None
    if front.title:
        return front.title, None
    first_page = next((lines for lines in pages if lines), [])
    lines = (" ".join(line.split()) for line in first_page)
    first_line = next((line for line in lines if line and not is_metadata_line(line)), "")
    if first_line and len(first_line) <= _MAX_TITLE and any(c.isalpha() for c in first_line):
        return first_line, None
    return path.stem, "file name"


def _authors(value: str) -> tuple[str, ...]:
    separator = ";" if ";" in value else ","
    names = (" ".join(normalize_chars(name).split()) for name in value.split(separator))
    return tuple(name for name in names if name)


def parse_pdf_date(value: str) -> date | None:
    """The date of a PDF date string ("D:20230415120000Z"), or None if it is not one."""
    match = _PDF_DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None

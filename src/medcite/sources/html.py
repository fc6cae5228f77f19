"""HTML pages: only the text a reader would see, in blocks with sections; tables kept whole.

The parsing itself (what is hidden, how unclosed tags close) is `medcite.sources.html_parse`;
this module decodes the page, feeds it in pieces under the file's time budget, and reads the
page's metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path

from medcite.errors import EmptySource
from medcite.sources.base import ParsedDocument, Reader, SourceFile, decode_text
from medcite.sources.encoding import html_declared
from medcite.sources.html_parse import PageParser, clean_text

__all__ = ["HtmlReader", "clean_text", "parse_date"]

_FEED_CHARS = 1 << 18  # the page is parsed in pieces, with a look at the clock between them
_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2})(?:[T ]\d.*)?)?)?")
_UNCLOSED_TAG = re.compile(r"<[A-Za-z/!?][^>]*$")

_PUBLISHED = ("citation_publication_date", "citation_date", "dc.date", "article:published_time")
_UPDATED = ("article:modified_time", "datemodified", "last-modified")
_SOURCE = ("citation_publisher", "og:site_name", "dc.publisher")
_URL = ("og:url", "citation_fulltext_html_url")
# Article types publishers declare ("Case Report", "Practice Guideline"); ingest/kinds.py reads
# them as publication types.
_ARTICLE_TYPE = ("citation_article_type", "dc.type")


class HtmlReader(Reader):
    """Reads one HTML page into one document: visible text, sections, whole tables."""

    name = "html"
    extensions = (".html", ".htm", ".xhtml")

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        data = source.data
        text = decode_text(source.path, data, source.encoding, declared=html_declared(data))
        xml_syntax = source.path.suffix.lower() == ".xhtml" or text.lstrip().startswith("<?xml")
        parser = PageParser(xml_syntax=xml_syntax, check=source.check_time)
        text = _drop_unterminated_markup(text)
        for start in range(0, len(text), _FEED_CHARS):
            parser.feed(text[start : start + _FEED_CHARS])
            source.check_time()
        parser.finish()
        if not parser.blocks:
            raise EmptySource(source.path, "no visible text")
        yield _document(source.path, parser)


def _drop_unterminated_markup(text: str) -> str:
    """Cut a comment or tag left open at the end: browsers hide it, html.parser shows it."""
    last_close = text.rfind("-->")
    start = text.find("<!--", last_close + 3 if last_close >= 0 else 0)
    if start >= 0:
        text = text[:start]
    tail = _UNCLOSED_TAG.search(text[text.rfind(">") + 1 :])
    if tail is not None:
        text = text[: len(text) - len(tail.group(0))]
    return text


def _document(path: Path, page: PageParser) -> ParsedDocument:
    meta = page.meta
    title = _first(meta, "citation_title", "og:title") or page.title or page.first_h1
    return ParsedDocument(
        key=f"file:{path.resolve()}",
        title=title or path.stem,
        source=_first(meta, *_SOURCE) or path.name,
        blocks=tuple(page.blocks),
        url=page.canonical or _first(meta, *_URL),
        published=_first_date(meta, _PUBLISHED),
        updated=_first_date(meta, _UPDATED),
        authors=tuple(meta.get("citation_author", ())),
        journal=_first(meta, "citation_journal_title"),
        extra=_article_type(meta),
    )


def _article_type(meta: dict[str, list[str]]) -> dict[str, str]:
    types = [value for key in _ARTICLE_TYPE for value in meta.get(key, ())]
    return {"publication_type": "; ".join(dict.fromkeys(types))} if types else {}


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if values := meta.get(key):
            return values[0]
    return None


def _first_date(meta: dict[str, list[str]], keys: tuple[str, ...]) -> date | None:
    for key in keys:
        for value in meta.get(key, ()):
            if (parsed := parse_date(value)) is not None:
                return parsed
    return None


def parse_date(value: str) -> date | None:
    """YYYY-MM-DD, YYYY/MM/DD, an ISO timestamp, YYYY-MM or YYYY (-> Jan 1), or an HTTP date."""
    value = value.strip()
    match = _DATE.fullmatch(value)
    try:
        if match is not None:
            year, month, day = match.groups()
            return date(int(year), int(month or 1), int(day or 1))
        return parsedate_to_datetime(value).date()
    except (ValueError, TypeError, IndexError):
        return None

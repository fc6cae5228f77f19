"""HTML pages: only the text a reader would see, in blocks with sections; tables kept whole.

Standard library only. Hidden content (scripts, comments, `hidden`, `display:none`...) never
reaches a block, because hidden text is where prompt injections live. Unclosed tags are closed
the way browsers close them, erring towards hiding when the two could differ.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import date
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

from medcite.errors import BadEncoding, EmptySource
from medcite.ingest.clean import normalize_chars
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, decode_text
from medcite.types import PassageKind


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


_SKIP = _tags(
    """script style noscript template svg nav footer aside form button
    textarea select iframe object canvas"""
)
_VOID = _tags("area base br col embed hr img input link meta param source track wbr")
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_CLOSES_P = _HEADINGS | _tags(
    """address article aside blockquote center details dialog dir div dl dd dt fieldset
    figcaption figure footer form header hgroup hr li listing main menu nav ol p pre search
    section summary table ul xmp"""
)
_BLOCK = _CLOSES_P | _tags("body caption html option tbody td tfoot th thead tr legend noscript")
_FORMATTING = _tags("a b big code em font i nobr s small strike strong tt u")
_TABLE_PARTS = _tags("table tbody thead tfoot tr td th caption")
_HEAD_TAGS = _tags("head title meta link style script noscript base template")
_SECTIONING = _tags("article main section")
# Elements past which an open tag cannot be closed ("has an element in scope").
_SCOPE = _tags("applet caption html table td th marquee object template")
_TABLE_SCOPE = _tags("html table template")
_HIDING_STYLE = re.compile(
    r"display:none|visibility:hidden"
    r"|font-size:(?:0+(?:\.0*)?|\.0+)(?:[a-z%]+)?(?:!important)?(?:;|$)"
)
_EXPONENT = re.compile(r"[-+−]?\d+(?:[,–-]\d+)*")
_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2})(?:[T ]\d.*)?)?)?")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_:.-]+)""", re.I)
_UNCLOSED_TAG = re.compile(r"<[A-Za-z/!?][^>]*$")

_PUBLISHED = ("citation_publication_date", "citation_date", "dc.date", "article:published_time")
_UPDATED = ("article:modified_time", "datemodified", "last-modified")
_SOURCE = ("citation_publisher", "og:site_name", "dc.publisher")
_URL = ("og:url", "citation_fulltext_html_url")
# Article types publishers declare ("Case Report", "Practice Guideline"); ingest/kinds.py reads
# them as publication types.
_ARTICLE_TYPE = ("citation_article_type", "dc.type")


def clean_text(text: str) -> str:
    """Normalise characters, then collapse every run of whitespace to one space."""
    return " ".join(normalize_chars(text).split())


class _Sink:
    """Collects the text of one element (a heading, a cell, a caption...)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def text(self) -> str:
        return clean_text("".join(self.parts))

    def clear(self) -> None:
        self.parts.clear()


class _Table(_Sink):
    """A table being read; its own parts hold stray text found outside any cell."""

    def __init__(self, section: str | None) -> None:
        super().__init__()
        self.section = section
        self.caption = ""
        self.rows: list[list[str]] = []

    def start_row(self) -> None:
        self._flush_stray()
        self.rows.append([])

    def add_cell(self, text: str) -> None:
        if not self.rows:
            self.rows.append([])
        self.rows[-1].append(text)

    def render(self) -> str:
        self._flush_stray()
        lines = [self.caption] if self.caption else []
        lines += [" | ".join(row) for row in self.rows if any(row)]
        return "\n".join(lines)

    def _flush_stray(self) -> None:
        if stray := self.text():
            self.rows.append([stray])
        self.clear()


class _Open:
    """An open element: whether its content is hidden or not page content, and its sink."""

    __slots__ = ("hidden", "hides", "muted", "sink", "tag")

    def __init__(self, tag: str, parent: _Open | None, hides: bool) -> None:
        self.tag: str = tag
        self.hides: bool = hides
        self.hidden: bool = hides or (parent is not None and parent.hidden)
        muted = tag == "head" or (parent is not None and parent.muted)
        self.muted: bool = muted and tag != "title"
        self.sink: _Sink | None = None


def _is_hiding(tag: str, attrs: dict[str, str | None], in_sectioning: bool) -> bool:
    if tag in _SKIP or "hidden" in attrs or (tag == "dialog" and "open" not in attrs):
        return True
    if tag == "header" and not in_sectioning:
        return True  # the site banner; an article's own header is content
    if (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = "".join((attrs.get("style") or "").lower().split())
    return bool(_HIDING_STYLE.search(style))


class _PageParser(HTMLParser):
    """Builds blocks and collects metadata from one HTML page."""

    def __init__(self, *, xml_syntax: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.xml_syntax = xml_syntax
        self.blocks: list[Block] = []
        self.meta: dict[str, list[str]] = {}
        self.canonical: str | None = None
        self.title: str | None = None
        self.first_h1: str | None = None
        self._stack: list[_Open] = []
        self._body = _Sink()
        self._section: str | None = None
        self._leaked: list[str] = []  # hidden formatting elements browsers would reopen

    # -- HTMLParser callbacks -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in _VOID:
            self._void(tag, attributes)
            return
        self._close_implied(tag)
        parent = self._stack[-1] if self._stack else None
        in_sectioning = any(e.tag in _SECTIONING for e in self._stack)
        entry = _Open(tag, parent, _is_hiding(tag, attributes, in_sectioning))
        if tag in _BLOCK:
            self._boundary()
        if not entry.hidden:
            entry.sink = self._open_sink(tag)
        self._stack.append(entry)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # In HTML "/>" closes nothing: <div hidden/> hides everything after it, as in browsers.
        # XHTML is XML, where <script src="x"/> is an empty element.
        self.handle_starttag(tag, attrs)
        if self.xml_syntax and tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            self.handle_starttag(tag, [])
            return
        index = self._find_open(tag, _TABLE_SCOPE if tag in _TABLE_PARTS else _SCOPE)
        if index is not None:
            self._pop_to(index)
        elif tag in self._leaked:
            self._leaked.remove(tag)
        if tag in _BLOCK:
            self._boundary()

    def handle_data(self, data: str) -> None:
        top = self._stack[-1] if self._stack else None
        if self._leaked or (top is not None and (top.hidden or top.muted)):
            return
        self._sink().add(data)

    def finish(self) -> None:
        """Close everything still open, as the end of the page does."""
        self.close()
        if self._stack:
            self._pop_to(0)
        self._boundary()

    # -- structure -------------------------------------------------------------------------

    def _void(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "br":
            self._sink().add(" ")
        elif tag == "hr":
            self._boundary()
        elif tag == "meta":
            self._read_meta(attrs)
        elif tag == "link":
            rels = (attrs.get("rel") or "").lower().split()
            if "canonical" in rels and attrs.get("href") and self.canonical is None:
                self.canonical = (attrs.get("href") or "").strip()

    def _close_implied(self, tag: str) -> None:
        """Close what a browser closes when `tag` starts (an open <p> before a <div>...)."""
        if "head" in (e.tag for e in self._stack) and tag not in _HEAD_TAGS:
            self._close_open("head", _SCOPE)
        if tag in _CLOSES_P:
            self._close_open("p", _SCOPE | {"button"})
        if tag == "li":
            self._close_open("li", _SCOPE | {"ol", "ul"})
        elif tag in ("dd", "dt"):
            for other in ("dd", "dt"):
                self._close_open(other, _SCOPE | {"dl"})
        elif tag in ("td", "th", "tr", "tbody", "thead", "tfoot"):
            for cell in ("td", "th"):
                self._close_open(cell, _TABLE_SCOPE)
            if tag not in ("td", "th"):
                self._close_open("tr", _TABLE_SCOPE)
        if tag in _HEADINGS and self._stack and self._stack[-1].tag in _HEADINGS:
            self._pop_to(len(self._stack) - 1)

    def _close_open(self, tag: str, scope: frozenset[str] | set[str]) -> None:
        """Implicitly close `tag`, but never past an element that hides its content."""
        for index in range(len(self._stack) - 1, -1, -1):
            entry = self._stack[index]
            if entry.tag == tag:
                self._pop_to(index)
                return
            if entry.tag in scope or entry.hides:
                return

    def _find_open(self, tag: str, scope: frozenset[str]) -> int | None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index].tag == tag:
                return index
            if self._stack[index].tag in scope:
                return None
        return None

    def _pop_to(self, index: int) -> None:
        """Pop the element at `index` and everything opened inside it."""
        while len(self._stack) > index:
            entry = self._stack.pop()
            if len(self._stack) > index and entry.hides and entry.tag in _FORMATTING:
                self._leaked.append(entry.tag)  # a browser re-opens it, still hidden
            self._finish(entry)

    # -- text ------------------------------------------------------------------------------

    def _sink(self) -> _Sink:
        for entry in reversed(self._stack):
            if entry.sink is not None:
                return entry.sink
        return self._body

    def _table(self) -> _Table | None:
        for entry in reversed(self._stack):
            if isinstance(entry.sink, _Table):
                return entry.sink
        return None

    def _open_sink(self, tag: str) -> _Sink | None:
        table = self._table()
        if tag == "table":
            return _Table(self._section)
        if tag in ("title", "sup"):
            return _Sink()
        if tag in ("td", "th", "caption", "tr") and table is not None:
            if tag == "tr":
                table.start_row()
                return None
            return _Sink()
        if (tag in _HEADINGS or tag == "figcaption") and self._sink() is self._body:
            return _Sink()
        return None

    def _finish(self, entry: _Open) -> None:
        sink = entry.sink
        if sink is None:
            return
        text, tag, table = sink.text(), entry.tag, self._table()
        if isinstance(sink, _Table):
            if rendered := sink.render():
                self.blocks.append(Block(rendered, sink.section, PassageKind.TABLE, True))
        elif tag == "sup":
            self._sink().add("^" + text if _EXPONENT.fullmatch(text) else text)
        elif tag == "title":
            self.title = self.title or text or None
        elif tag in ("td", "th") and table is not None:
            table.add_cell(text)
        elif tag == "caption" and table is not None:
            table.caption = text
        elif tag == "figcaption" and text:
            self.blocks.append(Block(text, self._section, PassageKind.CAPTION, True))
        elif tag in _HEADINGS and text:
            self._section = text
            if tag == "h1" and self.first_h1 is None:
                self.first_h1 = text

    def _boundary(self) -> None:
        """A block starts or ends: flush running text, or separate words inside an element."""
        sink = self._sink()
        if sink is not self._body:
            sink.add(" ")
        elif text := self._body.text():
            self.blocks.append(Block(text, self._section))
            self._body.clear()
        else:
            self._body.clear()

    def _read_meta(self, attrs: dict[str, str | None]) -> None:
        key = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
        key = key or attrs.get("http-equiv")
        value = clean_text(attrs.get("content") or "")
        if key and value:
            self.meta.setdefault(key.strip().lower(), []).append(value)


class HtmlReader(Reader):
    """Reads one HTML page into one document: visible text, sections, whole tables."""

    name = "html"
    extensions = (".html", ".htm", ".xhtml")

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        text = _decode(source.path, source.data)
        xml_syntax = source.path.suffix.lower() == ".xhtml" or text.lstrip().startswith("<?xml")
        parser = _PageParser(xml_syntax=xml_syntax)
        parser.feed(_drop_unterminated_markup(text))
        parser.finish()
        if not parser.blocks:
            raise EmptySource(source.path, "no visible text")
        yield _document(source.path, parser)


def _decode(path: Path, data: bytes) -> str:
    """decode_text, falling back to the page's own <meta charset> (windows-1252 pages)."""
    try:
        return decode_text(path, data)
    except BadEncoding:
        declared = _CHARSET.search(data[:4096])
        if declared is None:
            raise
        try:
            return data.decode(codecs.lookup(declared.group(1).decode("ascii")).name)
        except (LookupError, UnicodeDecodeError):
            raise BadEncoding(path, f"declared charset {declared.group(1)!r} failed") from None


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


def _document(path: Path, page: _PageParser) -> ParsedDocument:
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

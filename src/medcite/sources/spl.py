"""FDA Structured Product Labeling (SPL) XML: one drug label per file, read section by section.

Only the full prescribing information (each section's `<text>`) is read. The highlights
(`<excerpt>`) repeat it in summary and are skipped, as are the product-data, indexing and
package-label sections, which hold no clinical text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

from medcite.errors import EmptySource, MalformedSource
from medcite.ingest.clean import normalize_chars
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile
from medcite.sources.spl_identity import label_identity
from medcite.sources.xmlsafe import parse_xml
from medcite.types import DocKind, PassageKind

SPL_NAMESPACE = "urn:hl7-org:v3"
_V3 = "{" + SPL_NAMESPACE + "}"
_NS = {"v3": SPL_NAMESPACE}
_HEAD_MARKERS = tuple(SPL_NAMESPACE.encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be"))

# Product data elements, indexing data elements, package label principal display panel.
SKIPPED_SECTIONS = frozenset({"48780-1", "48779-3", "51945-4"})
_UNCLASSIFIED = "42229-5"
# The clinical sections answers are built from always carry these names (whatever a
# sections.csv says), because the answer's section rules (answer/sections.py) match them.
CLINICAL_SECTIONS: dict[str, str] = {
    "34066-1": "Boxed Warning",
    "34067-9": "Indications & Usage",
    "34068-7": "Dosage & Administration",
    "34070-3": "Contraindications",
    "34071-1": "Warnings",
    "43685-7": "Warnings and Precautions",
    "42232-9": "Precautions",
    "34084-4": "Adverse Reactions",
    "34073-7": "Drug Interactions",
    "43684-0": "Use in Specific Populations",
    "42228-7": "Pregnancy",
    "34080-2": "Nursing Mothers",
    "34081-0": "Pediatric Use",
    "34082-8": "Geriatric Use",
}
_DAILYMED_URL = "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={}"

_DECLARED_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
# Encodings in which "<!DOCTYPE" is the same bytes as in ASCII, so the scan above sees it.
_ASCII_SAFE_ENCODINGS = frozenset(
    {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252"}
)
_DATE = re.compile(r"\A(\d{4})(\d{2})(\d{2})")
_TITLE_BOILERPLATE = re.compile(
    r"\A(?:These highlights do not include|Initial U\.?S\.? Approval)", re.I
)
_KEEP_UPPER = frozenset({"SPL", "OTC"})

_BLOCKISH = frozenset(
    {"paragraph", "list", "item", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th"}
)
_NOT_TEXT = frozenset({"renderMultiMedia", "col", "colgroup"})
_FOOTNOTE_MARKS = ("*", "†", "‡", "§", "¶", "#")
_MAX_TITLE_PRODUCTS = 3


class SplReader(Reader):
    """Reads an FDA SPL drug label into one document with a block per paragraph, item or table."""

    name = "spl"
    extensions = (".xml",)

    def accepts(self, path: Path, head: bytes) -> bool:
        """Only XML in the HL7 v3 namespace, so other XML files are left to other readers."""
        return super().accepts(path, head) and any(m in head for m in _HEAD_MARKERS)

    def related_files(self, path: Path) -> tuple[Path, ...]:
        return (path.parent / "sections.csv",)

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        root = parse_spl(source.path, source.data, source.encoding)
        yield label_document(source, root)


def parse_spl(path: Path, data: bytes, encoding: str | None = None) -> ET.Element:
    """Parse SPL bytes safely: no DTDs or entity declarations, only ASCII-compatible encodings,
    nesting bounded (`medcite.sources.xmlsafe`)."""
    _reject_unsafe(path, data)
    root = parse_xml(path, data, named=encoding)
    if root.tag != _V3 + "document":
        raise MalformedSource(path, f"not an SPL document (root element is <{_local(root.tag)}>)")
    return root


def _reject_unsafe(path: Path, data: bytes) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        raise MalformedSource(path, "SPL must be UTF-8 encoded; re-save the file as UTF-8")
    declared = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode("ascii").lower() not in _ASCII_SAFE_ENCODINGS:
        encoding = declared.group(1).decode("ascii")
        raise MalformedSource(path, f"unsupported encoding {encoding!r}; SPL must be UTF-8")


def label_document(source: SourceFile, root: ET.Element) -> ParsedDocument:
    path = source.path
    set_id = _attr(root, "v3:setId", "root") or _attr(root, "v3:id", "root")
    if not set_id:
        raise MalformedSource(path, "SPL document has neither <setId root> nor <id root>")
    body = root.find("v3:component/v3:structuredBody", _NS)
    blocks = tuple(_LabelWalker(root, source.spl_sections).body_blocks(body))
    if not blocks:
        raise EmptySource(path)
    labeler = _clean_text(
        root.find("v3:author/v3:assignedEntity/v3:representedOrganization/v3:name", _NS)
    )
    return ParsedDocument(
        key=f"spl:{set_id}",
        title=_label_title(root, body, set_id),
        source=f"FDA SPL — {labeler}" if labeler else "FDA SPL",
        blocks=blocks,
        kind=DocKind.DRUG_LABEL,
        url=_DAILYMED_URL.format(set_id),
        updated=_spl_date(_attr(root, "v3:effectiveTime", "value")),
        extra=_label_extra(root, body, set_id),
        revision=_revision(root),
    )


def _revision(root: ET.Element) -> str:
    """Versions of one set id sort by version number, then effective date."""
    version = _attr(root, "v3:versionNumber", "value")
    number = int(version) if version.isdigit() else 0
    return f"{number:08d}|{_attr(root, 'v3:effectiveTime', 'value')[:8]}"


def _label_extra(root: ET.Element, body: ET.Element | None, set_id: str) -> dict[str, str]:
    extra = {
        "set_id": set_id,
        "version": _attr(root, "v3:versionNumber", "value"),
        "document_type": _attr(root, "v3:code", "displayName"),
        **label_identity(body),
    }
    return {key: value for key, value in extra.items() if value}


def _label_title(root: ET.Element, body: ET.Element | None, set_id: str) -> str:
    """Products and generic names, else the cleaned document title, else the set id."""
    products = _product_names(body) if body is not None else []
    if products:
        shown = "; ".join(products[:_MAX_TITLE_PRODUCTS])
        return shown + ("; …" if len(products) > _MAX_TITLE_PRODUCTS else "")
    return _document_title(root.find("v3:title", _NS)) or f"FDA drug label {set_id}"


def _product_names(body: ET.Element) -> list[str]:
    names: dict[str, str] = {}
    for holder in body.iterfind(".//v3:subject/v3:manufacturedProduct", _NS):
        for product in holder:
            if _local(product.tag) not in ("manufacturedProduct", "manufacturedMedicine"):
                continue
            brand = _product_name(product.find("v3:name", _NS))
            generic = _clean_text(
                product.find("v3:asEntityWithGeneric/v3:genericMedicine/v3:name", _NS)
            )
            if brand and generic and brand.casefold() != generic.casefold():
                label = f"{brand} ({generic})"
            else:
                label = brand or generic
            if label:
                names.setdefault(label.casefold(), label)
    return list(names.values())


def _product_name(name: ET.Element | None) -> str:
    """A product name with its suffix ("TRIAMINIC" + "Childrens Cough") as words."""
    if name is None:
        return ""
    return _squash(normalize_chars(" ".join(name.itertext())))


def _document_title(title: ET.Element | None) -> str:
    """The `<title>` text without the highlights boilerplate lines, if anything else is left."""
    if title is None:
        return ""
    parts: list[str] = []
    _flatten(title, _Notes({}, keep=False), parts, br="\x00")
    lines = [_squash(normalize_chars(line)) for line in "".join(parts).split("\x00")]
    lines = [line for line in lines if line]
    useful = [line for line in lines if not _TITLE_BOILERPLATE.match(line)]
    return " ".join(useful or lines)


def _spl_date(value: str) -> date | None:
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class _LabelWalker:
    """Walks the structured body, naming each section and turning its text into blocks."""

    def __init__(self, root: ET.Element, spl_sections: Mapping[str, str]) -> None:
        self._names = spl_sections
        self._footnotes = {
            note_id: note for note in root.iter(_V3 + "footnote") if (note_id := note.get("ID"))
        }

    def body_blocks(self, body: ET.Element | None) -> Iterator[Block]:
        if body is None:
            return
        for section in body.iterfind("v3:component/v3:section", _NS):
            yield from self._section_blocks(section, None)

    def _section_blocks(self, section: ET.Element, parent: str | None) -> Iterator[Block]:
        code = section.find("v3:code", _NS)
        if code is not None and code.get("code") in SKIPPED_SECTIONS:
            return
        name = self._section_name(section, code, parent)
        text = section.find("v3:text", _NS)
        if text is not None:
            yield from self._container_blocks(text, name)
        for child in section.iterfind("v3:component/v3:section", _NS):
            yield from self._section_blocks(child, name)

    def _section_name(
        self, section: ET.Element, code: ET.Element | None, parent: str | None
    ) -> str | None:
        """Top level: clinical or mapped LOINC name, own title, or code name; nested: parent —
        own title."""
        title = _clean_text(section.find("v3:title", _NS))
        if parent is not None:
            last = parent.rsplit(" — ", 1)[-1]
            return (
                f"{parent} — {title}" if title and title.casefold() != last.casefold() else parent
            )
        loinc = code.get("code", "") if code is not None else ""
        if loinc in CLINICAL_SECTIONS:
            return CLINICAL_SECTIONS[loinc]
        if title and loinc == _UNCLASSIFIED:
            return title
        if loinc in self._names:
            return self._names[loinc]
        if title:
            return title
        display = code.get("displayName", "") if code is not None else ""
        return _pretty_display_name(display) or None

    def _container_blocks(self, container: ET.Element, section: str | None) -> Iterator[Block]:
        """Blocks from a section's `<text>`: loose inline text is gathered into paragraphs."""
        loose: list[str] = [container.text or ""]
        notes = _Notes(self._footnotes)
        for child in container:
            tag = _local(child.tag)
            if tag in ("paragraph", "list", "table", "renderMultiMedia"):
                yield from _text_block(loose, notes, section)
                loose, notes = [], _Notes(self._footnotes)
                yield from self._element_blocks(child, tag, section)
            else:
                _flatten_child(child, notes, loose)
            loose.append(child.tail or "")
        yield from _text_block(loose, notes, section)

    def _element_blocks(
        self, element: ET.Element, tag: str, section: str | None
    ) -> Iterator[Block]:
        if tag == "list":
            yield from self._list_blocks(element, section)
        elif tag == "table":
            yield from self._table_block(element, section)
        elif tag == "renderMultiMedia":
            caption = _clean_text(element.find("v3:caption", _NS))
            if caption:
                yield Block(caption, section, PassageKind.CAPTION, standalone=True)
        else:
            notes = _Notes(self._footnotes)
            parts: list[str] = []
            _flatten(element, notes, parts)
            yield from _text_block(parts, notes, section)

    def _list_blocks(self, listing: ET.Element, section: str | None) -> Iterator[Block]:
        """A block per item (and for the list caption); nested lists and tables follow the item."""
        caption = _clean_text(listing.find("v3:caption", _NS))
        if caption:
            yield Block(caption, section)
        ordered = listing.get("listType") == "ordered"
        for number, item in enumerate(listing.iterfind("v3:item", _NS), start=1):
            notes = _Notes(self._footnotes)
            parts = (
                [] if item.find("v3:caption", _NS) is not None or not ordered else [f"{number}. "]
            )
            parts.append(item.text or "")
            nested: list[ET.Element] = []
            for child in item:
                if _local(child.tag) in ("list", "table"):
                    nested.append(child)
                else:
                    _flatten_child(child, notes, parts)
                parts.append(child.tail or "")
            yield from _text_block(parts, notes, section)
            for child in nested:
                yield from self._element_blocks(child, _local(child.tag), section)

    def _table_block(self, table: ET.Element, section: str | None) -> Iterator[Block]:
        """One standalone block: caption, then a line per row with cells joined by " | "."""
        notes = _Notes(self._footnotes)
        lines = [_inline_text(table.find("v3:caption", _NS), notes)]
        for row in _table_rows(table):
            cells = [_inline_text(cell, notes) for cell in row if _local(cell.tag) in ("td", "th")]
            if any(cells):
                lines.append(" | ".join(cells).rstrip())
        lines.extend(notes.lines)
        text = "\n".join(line for line in lines if line)
        if text:
            yield Block(text, section, PassageKind.TABLE, standalone=True)


def _table_rows(table: ET.Element) -> list[ET.Element]:
    """Rows in reading order: header, body, then footer (HTML allows tfoot before tbody)."""
    head = table.findall("v3:thead/v3:tr", _NS)
    body = table.findall("v3:tbody/v3:tr", _NS) + table.findall("v3:tr", _NS)
    return head + body + table.findall("v3:tfoot/v3:tr", _NS)


class _Notes:
    """Footnotes met while flattening one block, marked *, †, ‡ … in order of appearance."""

    def __init__(self, by_id: Mapping[str, ET.Element], *, keep: bool = True) -> None:
        self._by_id = by_id
        self._keep = keep
        self._marks: dict[ET.Element, str] = {}
        self.lines: list[str] = []

    def mark(self, note: ET.Element) -> str:
        """The mark for a footnote, recording its text the first time it is met."""
        if not self._keep:
            return ""
        if note not in self._marks:
            count = len(self._marks)
            mark = _FOOTNOTE_MARKS[count % len(_FOOTNOTE_MARKS)] * (
                count // len(_FOOTNOTE_MARKS) + 1
            )
            self._marks[note] = mark
            text = _inline_text(note, self)
            if text:
                self.lines.append(f"{mark} {text}")
        return self._marks[note]

    def ref(self, idref: str) -> str:
        note = self._by_id.get(idref)
        return self.mark(note) if note is not None else ""


def _flatten(element: ET.Element, notes: _Notes, parts: list[str], br: str = " ") -> None:
    """Append an element's text to `parts`, flattening inline markup (children and their tails)."""
    parts.append(element.text or "")
    for child in element:
        _flatten_child(child, notes, parts, br)
        parts.append(child.tail or "")


def _flatten_child(child: ET.Element, notes: _Notes, parts: list[str], br: str = " ") -> None:
    """Append one inline child's text (not its tail): `<sup>9</sup>` -> "^9", `<br/>` -> `br`."""
    tag = _local(child.tag)
    if tag == "br":
        parts.append(br)
    elif tag == "sup":
        parts.append(_superscript(child, notes))
    elif tag == "footnote":
        parts.append(notes.mark(child))
    elif tag == "footnoteRef":
        parts.append(notes.ref(child.get("IDREF", "")))
    elif tag in _BLOCKISH:
        parts.append(" ")
        _flatten(child, notes, parts, br)
        parts.append(" ")
    elif tag not in _NOT_TEXT:
        _flatten(child, notes, parts, br)


def _superscript(sup: ET.Element, notes: _Notes) -> str:
    """Exponents and footnote letters get a caret ("10^9"); symbols such as ® do not."""
    parts: list[str] = []
    _flatten(sup, notes, parts)
    text = "".join(parts).strip()
    return "^" + text if any(char.isalnum() for char in text) else text


def _text_block(parts: list[str], notes: _Notes, section: str | None) -> Iterator[Block]:
    """A TEXT block from flattened parts, with the block's footnotes after it, if not empty."""
    text = _squash(normalize_chars("".join(parts)))
    if text:
        yield Block(" ".join([text, *notes.lines]), section)


def _inline_text(element: ET.Element | None, notes: _Notes) -> str:
    if element is None:
        return ""
    parts: list[str] = []
    _flatten(element, notes, parts)
    return _squash(normalize_chars("".join(parts)))


def _clean_text(element: ET.Element | None) -> str:
    """An element's flattened text, footnotes left out (for titles and names)."""
    return _inline_text(element, _Notes({}, keep=False))


def _pretty_display_name(display: str) -> str:
    """ "DOSAGE & ADMINISTRATION SECTION" -> "Dosage & Administration"."""
    words = display.split()
    if words and words[-1].casefold() == "section":
        words.pop()
    return " ".join(w if w.upper() in _KEEP_UPPER else w.capitalize() for w in words)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _attr(root: ET.Element, path: str, name: str) -> str:
    element = root.find(path, _NS)
    return (element.get(name) or "").strip() if element is not None else ""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]

"""Layout recovery for text extracted from PDFs (and plain text / Markdown files).

Turns lines into blocks: paragraphs re-joined across line and page breaks, words re-joined
across line-break hyphens, a table laid out one cell per line kept as one table block,
figure captions as their own blocks, headings as section names, page furniture dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from medcite.sources.base import Block
from medcite.types import PassageKind

SOFT_HYPHENS = "\u2010\u2011\u00ad"
_HYPHENS = "-" + SOFT_HYPHENS
_TABLE_START = re.compile(r"^\s*Table\s+[0-9IVX]+[A-Za-z]?\b")
_FIG_START = re.compile(r"^\s*(?:Fig\.|Figure|FIGURE|Fig)\s*[0-9]+[A-Za-z]?\b")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.I)
_NUMERIC_CELL = re.compile(r"^[<>≤≥~±]?\s*[\d.,\s‒–\-−/×^%]+[A-Za-z%/]{0,6}$")
_ABBREV_NOTE = re.compile(r"\b[\w\-]{1,10}: [a-zA-Zγβα]")
_TERMINAL = re.compile(r"[.!?:;][\"'”’)\]]*$")
_KNOWN_HEADINGS = frozenset(
    """abstract introduction background methods materials results discussion conclusion
    conclusions summary references acknowledgements acknowledgments limitations keywords
    objective objectives purpose findings""".split()
)
_HEADING_PHRASES = ("case report", "case presentation", "case description", "case summary")
_MAX_CELL = 48
_TAIL = 200  # characters of the joined text a line-break hyphen test looks back at


@dataclass
class _Para:
    lines: list[str] = field(default_factory=list)
    _counted: int = 0  # lines already counted into the two totals below
    _unclosed: int = 0  # "(" minus ")"
    _chars: int = 0

    def text(self, lexicon: set[str]) -> str:
        return join_lines(self.lines, lexicon)

    def totals(self) -> tuple[int, int]:
        """Unclosed parentheses and length of the lines joined by spaces, counted once per
        line however often asked (a paragraph may grow by a line at a time)."""
        for line in self.lines[self._counted :]:
            self._unclosed += line.count("(") - line.count(")")
            self._chars += len(line) + 1
        self._counted = len(self.lines)
        return self._unclosed, self._chars - 1


def blocks_from_text(text: str, *, markdown: bool = False) -> list[Block]:
    """Recover paragraphs, tables, captions and sections from extracted text."""
    lines = text.split("\n")
    lexicon = _lexicon(text)
    furniture = repeated_lines(lines)
    items = _segment(lines, furniture, markdown)
    return _assemble(items, lexicon)


def break_paragraphs_at_short_lines(lines: list[str]) -> list[str]:
    """Insert paragraph breaks into text extracted without blank lines (pypdf's default).

    A line that ends a sentence well short of the page's usual line length ends its
    paragraph when the next line starts with a capital or a digit.
    """
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if len(lengths) < 4:
        return lines
    usual = lengths[len(lengths) * 3 // 4]
    out: list[str] = []
    for line, nxt in zip(lines, [*lines[1:], ""], strict=True):
        out.append(line)
        stripped, following = line.strip(), nxt.strip()
        if (
            stripped
            and following
            and _TERMINAL.search(stripped)
            and len(stripped) < 0.75 * usual
            and (following[0].isupper() or following[0].isdigit())
        ):
            out.append("")
    return out


def _lexicon(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+(?:[-\u2010][A-Za-z]+)*", text)}


def repeated_lines(lines: list[str]) -> set[str]:
    """Short lines repeated on many pages (running heads, journal names).

    Sentences and known section headings are never furniture, however often they repeat.
    """
    counts = Counter(s for line in lines if 3 < len(s := line.strip()) < 100)
    return {
        s
        for s, n in counts.items()
        if n >= 3
        and not _NUMERIC_CELL.match(s)
        and not _TERMINAL.search(s)
        and s.lower().rstrip(":") not in _KNOWN_HEADINGS
    }


# An item is ("para", _Para) | ("heading", str) | ("caption", _Para) | ("table", list[str]).
_Item = tuple[str, object]


def _segment(lines: list[str], furniture: set[str], markdown: bool) -> list[_Item]:
    items: list[_Item] = []
    i = 0
    current: _Para | None = None
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if _TABLE_START.match(line):
            end = _table_end(lines, i + 1)
            items.append(("table", lines[i:end]))
            current, i = None, end
            continue
        if _FIG_START.match(line):
            end = _caption_end(lines, i + 1)
            items.append(("caption", _Para([s.strip() for s in lines[i:end]])))
            current, i = None, end
            continue
        i += 1
        if not stripped or stripped in furniture or _PAGE_NUMBER.match(stripped):
            if not stripped:
                current = None
            continue
        heading = _heading(stripped, lines, i, markdown)
        if heading is not None:
            items.append(("heading", heading))
            current = None
            continue
        if markdown and re.match(r"^\s*(?:[-*+]|\d+[.)])\s+", line):
            current = None
            stripped = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", stripped)
        if current is None or line[:1].isspace():
            current = _Para()
            items.append(("para", current))
        current.lines.append(stripped)
    return items


def _heading(stripped: str, lines: list[str], nxt: int, markdown: bool) -> str | None:
    if markdown:
        m = re.match(r"^#{1,6}\s+(.+?)\s*#*$", stripped)
        return m.group(1) if m else None
    plain = stripped.rstrip(":").strip()
    low = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", plain).lower()
    following = lines[nxt].strip() if nxt < len(lines) else ""
    if len(plain) > 60 or (_TERMINAL.search(plain) and not stripped.endswith(":")):
        return None
    if low in _KNOWN_HEADINGS or low.startswith(_HEADING_PHRASES):
        return plain
    numbered = re.match(r"^\d+(?:\.\d+)*\.?\s+[A-Z][A-Za-z]", plain)
    shouting = plain.isupper() and len(plain) > 3 and sum(c.isalpha() for c in plain) > 3
    if (numbered or shouting) and following and not following[:1].islower():
        return plain
    return None


def _table_end(lines: list[str], i: int) -> int:
    """Cells are short lines; the table ends at prose, a figure, or after its footnote."""
    last_cell = i
    while i < len(lines):
        s = lines[i].strip()
        if _FIG_START.match(lines[i]) or _TABLE_START.match(lines[i]):
            break
        if s and len(s) > _MAX_CELL:
            if len(_ABBREV_NOTE.findall(s)) >= 2:
                i = _note_end(lines, i)
                last_cell = i
            break
        if s:
            last_cell = i + 1
        i += 1
    return last_cell


def _note_end(lines: list[str], i: int) -> int:
    while i < len(lines) and lines[i].strip() and not _FIG_START.match(lines[i]):
        i += 1
        if _TERMINAL.search(lines[i - 1].strip()):
            break
    return i


def _caption_end(lines: list[str], i: int) -> int:
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line[:1].isspace() or _TABLE_START.match(line):
            break
        if _FIG_START.match(line):
            break
        i += 1
    return i


def _assemble(items: list[_Item], lexicon: set[str]) -> list[Block]:
    """Merge paragraphs broken by page breaks or floats, then emit blocks with sections."""
    merged = _merge_broken_paragraphs(items)
    blocks: list[Block] = []
    section: str | None = None
    for kind, value in merged:
        if kind == "heading":
            section = str(value)
        elif kind == "table":
            assert isinstance(value, list)
            blocks.append(_table_block(value, section, lexicon))
        elif kind == "caption":
            assert isinstance(value, _Para)
            blocks.append(Block(value.text(lexicon), section, PassageKind.CAPTION, standalone=True))
        else:
            assert isinstance(value, _Para)
            blocks.append(Block(value.text(lexicon), section))
    return [b for b in blocks if b.text.strip()]


def _merge_broken_paragraphs(items: list[_Item]) -> list[_Item]:
    """A paragraph that stops mid-sentence continues in the next paragraph; floats
    (tables, captions) that interrupted it move after the re-joined paragraph."""
    out: list[_Item] = []
    open_para: _Para | None = None
    floats: list[_Item] = []
    for kind, value in items:
        if kind == "para":
            assert isinstance(value, _Para)
            if open_para is not None and _continues(open_para, value):
                open_para.lines.extend(value.lines)
                continue
            out.extend(floats)
            floats = []
            out.append((kind, value))
            open_para = value
        elif kind in ("table", "caption") and open_para is not None:
            floats.append((kind, value))
        else:
            out.extend(floats)
            floats = []
            out.append((kind, value))
            open_para = None
    out.extend(floats)
    return out


def _continues(prev: _Para, nxt: _Para) -> bool:
    last = prev.lines[-1].rstrip()
    first = nxt.lines[0].lstrip()
    if not first or _TERMINAL.search(last):
        return False
    if first[0].islower() or last[-1:] in _HYPHENS + "–—/(":
        return True
    unclosed, length = prev.totals()
    if unclosed > 0:
        return True
    # A long paragraph cut at a page break: it does not end a sentence.
    return len(prev.lines) >= 2 and length > 80


def join_lines(lines: list[str], lexicon: set[str]) -> str:
    """Join wrapped lines, re-joining words split by a line-break hyphen.

    Linear in the text's length: pieces are joined once at the end, and the hyphen test looks
    only at the end of what is joined so far.
    """
    pieces: list[str] = []
    tail = ""  # the last characters joined so far
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not pieces:
            piece = line
        elif tail[-1] in _HYPHENS:
            broken = _is_break_hyphen(tail, line, lexicon)
            pieces[-1], tail = pieces[-1][:-1], tail[:-1]
            piece = line if broken else "-" + line
        elif tail[-1] in "–—/":
            piece = line
        else:
            piece = " " + line
        pieces.append(piece)
        tail = (tail + piece)[-_TAIL:]
    return "".join(pieces)


def _is_break_hyphen(left_text: str, right_text: str, lexicon: set[str]) -> bool:
    """Whether the hyphen ending `left_text` only split a word across lines."""
    left_m = re.search(r"([A-Za-z0-9]+)[" + _HYPHENS + r"]$", left_text)
    right_m = re.match(r"([A-Za-z0-9]+)", right_text)
    if not left_m or not right_m:
        return False
    left, right = left_m.group(1), right_m.group(1)
    if not right[0].islower() or not left[-1].isalpha() or (left.isupper() and len(left) > 1):
        return False
    joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
    if hyphenated in lexicon or f"{left}\u2010{right}".lower() in lexicon:
        return False
    if left_text[-1] in SOFT_HYPHENS:
        return True
    return joined in lexicon


def _table_block(lines: list[str], section: str | None, lexicon: set[str]) -> Block:
    caption, body = lines[0].strip(), lines[1:]
    notes: list[str] = []
    while (body and len(body[-1].strip()) > _MAX_CELL) or (body and not body[-1].strip()):
        line = body.pop().strip()
        if line:
            notes.insert(0, line)
    cells = _cells(body, lexicon)
    rows = _rows(cells)
    text = "\n".join([caption, *(" | ".join(r) for r in rows)])
    if notes:
        text += "\n" + join_lines(notes, lexicon)
    return Block(text, section, PassageKind.TABLE, standalone=True)


def _cells(lines: list[str], lexicon: set[str]) -> list[str]:
    """Cells are separated by blank lines; without any blank line, each line is a cell."""
    if not any(not line.strip() for line in lines):
        return [line.strip() for line in lines if line.strip()]
    cells: list[str] = []
    group: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            group.append(line)
        elif group:
            cells.append(join_lines(group, lexicon))
            group = []
    return cells


def _rows(cells: list[str]) -> list[list[str]]:
    """A label cell after a value cell, or a label with a unit after the header, starts a row."""
    rows: list[list[str]] = []
    prev_numeric = True
    for cell in cells:
        numeric = bool(_NUMERIC_CELL.match(cell))
        if rows and not numeric and not prev_numeric and re.fullmatch(r"\(.*\)", cell):
            rows[-1][-1] += " " + cell  # a unit on its own line belongs to its label
            continue
        header_done = bool(rows) and len(rows[-1]) >= 3 and "(" in cell
        if not rows or (not numeric and (prev_numeric or (header_done and _all_labels(rows[-1])))):
            rows.append([])
        rows[-1].append(cell)
        prev_numeric = numeric
    return rows


def _all_labels(row: list[str]) -> bool:
    return not any(_NUMERIC_CELL.match(c) for c in row)

"""What a text states about itself: title, authors, journal, year, DOI (articles, case reports).

Read only from the document's first lines (its front matter) and from its running header and
footer lines, never from the body, where a DOI or a year usually belongs to another paper.
Every rule is strict, and facts that disagree are dropped: no metadata beats wrong metadata.

- DOI: a labelled DOI ("doi:", "DOI", "https://doi.org/...") and only one distinct one.
- Journal: a citation line "Journal Name 2023; 24(4): 362-368" (or "..., Vol. 24, No. 4, 2023"),
  or a "Journal:" line.
- Date: "Published (online): 5 May 2023" gives the date; the year also comes from the
  journal line or a copyright line ("© 2023 ..."), and must agree. Received and accepted
  dates are not publication dates and are never used.
- Authors: a line of two or more personal names ("Xiaoling Wang1, Yan Zhang2*", "Smith JA,
  Doe J") or one after "By"/"Authors:", before the abstract; affiliation marks and degrees
  are dropped.
- Title: the one to three lines just above the authors line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

FRONT_LINES = 60  # lines of the text that can hold front matter
_AUTHOR_WINDOW = 25  # non-empty lines before the abstract in which authors may appear
_MAX_TITLE = 250

_DOI = re.compile(r"(?:\bdoi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_YEAR = r"(?:19|20)\d{2}"
_JOURNAL_NAME = r"[A-Z][A-Za-z&.,'’()\- ]{2,80}?"
_CITATION_LINE = re.compile(
    rf"^(?P<journal>{_JOURNAL_NAME})[.,]?\s+(?P<year>{_YEAR})\s*[;,.]?\s*\d{{1,4}}\s*"
    r"(?:\([\w\-–]+\))?\s*[:,]\s*[A-Za-z]?\d+(?:\s*[-–]\s*[A-Za-z]?\d+)?\.?$"
)
_VOLUME_LINE = re.compile(
    rf"^(?P<journal>{_JOURNAL_NAME}),\s+Vol(?:ume)?\.?\s*\d+\b.*?\b(?P<year>{_YEAR})\b", re.I
)
_JOURNAL_LABEL = re.compile(r"^Journal\s*:\s*(?P<journal>[A-Z].{2,80})$")
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH = r"(?:" + "|".join(f"{m[:3]}(?:{m[3:]})?" for m in _MONTHS) + r")\.?"
_DATE_TEXT = (
    rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\s+(?P<y1>{_YEAR})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>{_YEAR})"
    rf"|(?P<y3>{_YEAR})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))"
)
_PUBLISHED_WORDS = r"\b(?:published(?:\s+online)?|available\s+online|epub)\b\s*:?\s*(?:on\s+)?"
_PUBLISHED = re.compile(_PUBLISHED_WORDS + _DATE_TEXT, re.I)
_PUBLISHED_YEAR = re.compile(rf"{_PUBLISHED_WORDS}(?:{_MONTH}\s+)?(?P<year>{_YEAR})\b", re.I)
_COPYRIGHT = re.compile(rf"(?:©|\(c\)|\bcopyright\b)[^0-9]{{0,30}}?(?P<year>{_YEAR})\b", re.I)
_RECEIVED = re.compile(r"\b(?:received|accepted|revised|submitted)\b\s*:?\s*\d", re.I)
_ABSTRACT = re.compile(
    r"^(?:abstract|summary|background|introduction|keywords?|key\s*words)\b", re.I
)
_KIND_LABEL = re.compile(
    r"^(?:case reports?|original (?:article|research)|research article|review(?: article)?|"
    r"brief report|letter(?: to the editor)?|open access|clinical image)\s*$",
    re.I,
)
_JOURNAL = re.compile(r"\bjournal\b", re.I)
_AUTHOR_PREFIX = re.compile(r"^(?:by|authors?\s*:)\s+", re.I)
_MARKS = re.compile(r"(?<=[^\W\d])[\d,*†‡§¶#]+$|^[\d*†‡§¶#]+")
_DEGREES = frozenset(
    """md phd msc mbbs do rn pharmd mph bsc ms ma mba frcp frcpc facp dphil mbchb mrcp dds
    dmd np pa-c ba""".split()
)
_NOT_NAMES = frozenset(
    """case report reports open access original article research review letter journal
    university hospital department school institute college center centre medicine medical
    clinic laboratory faculty foundation division unit health sciences science china usa
    abstract introduction background the of and in for with on""".split()
)
_ONLY_MARKS = re.compile(r"[\d*†‡§¶#\s]+")
_MAX_AUTHORS_LINE = 400
_MAX_NAME_WORD = 12
_WORD_ENDINGS = (
    "tion",
    "sion",
    "itis",
    "osis",
    "emia",
    "aemia",
    "ology",
    "ment",
    "ness",
    "ity",
    "ical",
    "ious",
    "ous",
    "ive",
    "ary",
    "ory",
    "ase",
    "ated",
    "ment",
)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The facts found; each is None (or empty) when the text does not state it clearly."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    published: date | None = None
    year: int | None = None
    doi: str | None = None

    @property
    def extra(self) -> dict[str, str]:
        """The facts `Document` has no field for, as `extra` entries."""
        extra = {"doi": self.doi or "", "year": str(self.year or "")}
        return {key: value for key, value in extra.items() if value}


def read_front_matter(lines: Sequence[str], running: Sequence[str] = ()) -> FrontMatter:
    """Facts from the first lines of a text and its running header/footer lines."""
    front = [" ".join(line.split()) for line in lines[:FRONT_LINES]]
    candidates = [line for line in [*front, *(" ".join(r.split()) for r in running)] if line]
    journals = {j for line in candidates if (j := journal_of(line))}
    published, year = _when(candidates)
    author_at, authors = _authors(front)
    return FrontMatter(
        title=_title(front, author_at) if authors else None,
        authors=authors,
        journal=journals.pop() if len(journals) == 1 else None,
        published=published,
        year=year,
        doi=_single(
            {m.group(1).rstrip(".,;:)]}") for line in candidates for m in _DOI.finditer(line)}
        ),
    )


def is_metadata_line(line: str) -> bool:
    """Whether a line states publication facts (journal, DOI, dates, copyright, article type)."""
    text = " ".join(line.split())
    return bool(
        journal_of(text)
        or _DOI.search(text)
        or _PUBLISHED.search(text)
        or _COPYRIGHT.search(text)
        or _RECEIVED.search(text)
        or _KIND_LABEL.match(text)
    )


def journal_of(line: str) -> str | None:
    """The journal a citation line ("Name 2023; 24(4): 362-8") or "Journal:" line names."""
    m = _journal_line(line) or _JOURNAL_LABEL.match(line)
    return m.group("journal").strip(" .,") if m else None


def _journal_line(line: str) -> re.Match[str] | None:
    """A citation line with a year: "Name 2023; 24(4): 362-368", "Name, Vol. 24, ..., 2023"."""
    return _CITATION_LINE.match(line) or _VOLUME_LINE.match(line)


def _single(values: set[str]) -> str | None:
    return values.pop() if len(values) == 1 else None


def _when(lines: Sequence[str]) -> tuple[date | None, int | None]:
    """The published date (when stated in full) and the publication year, if they agree."""
    dates = {d for line in lines if (m := _PUBLISHED.search(line)) and (d := _date(m))}
    years = {int(m.group("year")) for line in lines if (m := _PUBLISHED_YEAR.search(line))}
    years |= {int(m.group("year")) for line in lines if (m := _COPYRIGHT.search(line))}
    years |= {int(m.group("year")) for line in lines if (m := _journal_line(line))}
    years |= {d.year for d in dates}
    if len(years) != 1:
        return None, None
    return (dates.pop() if len(dates) == 1 else None), years.pop()


def _date(m: re.Match[str]) -> date | None:
    for d, mo, y in (("d1", "m1", "y1"), ("d2", "m2", "y2"), ("d3", "m3", "y3")):
        if m.group(y):
            month = m.group(mo)
            number = int(month) if month.isdigit() else _month_number(month)
            try:
                return date(int(m.group(y)), number, int(m.group(d)))
            except ValueError:
                return None
    return None


def _month_number(name: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, start=1) if m.startswith(name[:3].lower()))


def _authors(front: Sequence[str]) -> tuple[int, tuple[str, ...]]:
    """The index of the authors line among `front` and its names; (-1, ()) if none."""
    seen = 0
    for index, line in enumerate(front):
        if not line:
            continue
        seen += 1
        if seen > _AUTHOR_WINDOW or _ABSTRACT.match(line):
            break
        names = author_names(line)
        if names:
            return index, names
    return -1, ()


def author_names(line: str) -> tuple[str, ...]:
    """The personal names of an authors line, or () when the line is not one.

    Names count when the line is introduced ("By", "Authors:") or lists degrees, or when each
    name is marked as a name (an initial, an affiliation mark, a surname in capitals); two or
    more plain names are accepted only when none of their words reads as a common word.
    """
    prefixed = bool(_AUTHOR_PREFIX.match(line))
    body = _AUTHOR_PREFIX.sub("", line).rstrip(".")
    parts = [p.strip() for p in re.split(r",|;|\band\b|&", body)]
    parts = [p for p in parts if p and not _ONLY_MARKS.fullmatch(p)]
    degrees = [p for p in parts if p.lower().replace(".", "") in _DEGREES]
    names = [_name(p) for p in parts if p not in degrees]
    if len(line) > _MAX_AUTHORS_LINE or not names or None in names:
        return ()
    found = tuple(n for n, _ in filter(None, names))
    marked = all(strong for _, strong in filter(None, names))
    if prefixed or degrees:
        return found
    return found if len(found) >= 2 and (marked or _plain_names(found)) else ()


def _name(part: str) -> tuple[str, bool] | None:
    """A name without affiliation marks ("Yan Zhang2*" -> "Yan Zhang") and whether it is
    marked as a name; None when the part is not a personal name."""
    raw = part.split()
    tokens = [t for t in (_MARKS.sub("", token) for token in raw) if t]
    if not 2 <= len(tokens) <= 4 or tokens[0][0].islower():
        return None
    if any(t.lower().strip(".") in _NOT_NAMES or not _is_name_token(t) for t in tokens):
        return None
    initial = any(len(t.replace(".", "").replace("-", "")) <= 3 and t.isupper() for t in tokens)
    capitals = any(len(t) > 3 and t.isupper() for t in tokens)
    marks = any(_MARKS.search(token) for token in raw)
    if all(t.isupper() for t in tokens) and not initial:
        return None
    return " ".join(tokens), initial or capitals or marks


def _is_name_token(token: str) -> bool:
    core = re.sub(r"[.\-'’]", "", token)
    if not core.isalpha():
        return False
    return len(core) <= 3 if token[0].islower() else token[0].isupper()


def _plain_names(names: Sequence[str]) -> bool:
    """Unmarked names: two or three short words each, none ending like a common word."""
    words = [w for name in names for w in name.split()]
    return all(len(name.split()) <= 3 for name in names) and all(
        len(w) <= _MAX_NAME_WORD and not w.lower().endswith(_WORD_ENDINGS) for w in words
    )


def _title(front: Sequence[str], author_at: int) -> str | None:
    """The one to three lines just above the authors line, if they read as a title."""
    lines: list[str] = []
    for line in reversed(front[:author_at]):
        if not line or is_metadata_line(line):
            if lines:
                break
            continue
        lines.insert(0, line)
        if len(lines) == 3:
            break
    title = " ".join(lines)
    if not title or len(title) > _MAX_TITLE or title.endswith((",", ";")) or _JOURNAL.search(title):
        return None
    return title.rstrip(".")

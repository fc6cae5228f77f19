"""Patient identifiers in a question, replaced by placeholders before it leaves the machine
or is stored.

Pattern recognisers, no model: emails, phone and fax numbers, record and account numbers
(MRN, NHS, chart, SSN with or without dashes), dates (full dates anywhere; a year or month
after "DOB"/"born"), street addresses and postcodes, URLs and IP addresses, and names in the
places a question usually puts them: after a title ("Mrs. Jane Smith", "Dr Lee", "Mrs. JANE
SMITH", "Dr Who"), after "patient"/"pt"/"name:"/"named"/"called", and after a relative ("my
husband Peter", "my 5-year-old son Tom"). A name found once is also replaced wherever else it
appears. Each distinct value gets one placeholder (`[NAME_1]`, `[DATE_1]`, …), and
`Scrubbed.restore` puts the values back into the model's reply.

Limits: a name that appears with none of those cues ("John has CMV") is not found, nor
are lower-case names, ages, free-text locations ("lives near the old mill"), or identifiers
without a keyword or a recognisable shape. Clinical numbers (doses, lab values, "1700")
are left alone on purpose: the model needs them.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

_NAME_WORD = r"(?:[A-Z]['’]|Ma?c)?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)*"
_NAME_SEQ = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"
# After a title or "name:", a name may be written in capitals ("Mrs. JANE SMITH").
_ANY_NAME_WORD = rf"(?:{_NAME_WORD}|[A-Z]{{2,}}(?:[-'’][A-Z]{{2,}})*)"
_ANY_NAME_SEQ = rf"{_ANY_NAME_WORD}(?:\s+{_ANY_NAME_WORD}){{0,2}}"
_TITLES = r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sister|Nurse|MR|MRS|MS|MISS|DR|PROF"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_FULL_DATE = (
    rf"\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}|"
    rf"{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
)
_RELATIVE = (
    r"husband|wife|partner|spouse|son|daughter|child|baby|mother|mom|mum|father|dad|brother|"
    r"sister|grandson|granddaughter|grandmother|grandfather|grandma|grandpa|friend|boyfriend|"
    r"girlfriend|fianc[eé]e?|uncle|aunt|nephew|niece|cousin|neighbou?r|patient|client"
)
_STREET = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Close|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy"
)

# (kind, pattern); the named group `v`, when present, is the part replaced.
_RECOGNISERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("EMAIL", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        (
            "MRN",
            r"(?i:\bMRN\b|\bmedical\s+record\b(?:\s+(?:number|no\.?|num|#))?|"
            r"\b(?:record|hospital|patient|NHS|chart|case|insurance|member|health\s+card|"
            r"account|acct|policy|subscriber|medicare|medicaid)"
            r"\s+(?:number|no\.?|num|id|#))\s*[:#]?\s*"
            r"(?P<v>\d{3}[ -]\d{3}[ -]\d{4}\b|(?=[A-Za-z-]{0,4}\d)[A-Za-z]{0,4}-?\d[\w-]{3,})",
        ),
        ("MRN", r"\b\d{3}-\d{2}-\d{4}\b"),  # US social security number
        (
            "MRN",
            r"(?i:\bSSN\b|\bsocial\s+security(?:\s+(?:number|no\.?|num|#))?)\s*[:#]?\s*"
            r"(?P<v>\d{3}[\s.-]*\d{2}[\s.-]*\d{4}\b)",
        ),
        (
            "PHONE",
            r"(?i:\b(?:phone|tel|telephone|mobile|cell|fax|pager|whatsapp|text\s+me\s+(?:at|on)|"
            r"call\s+me\s+(?:at|on)|reach\s+me\s+(?:at|on))"
            r"(?:\s+(?:number|no\.?|#))?)\s*:?\s*(?P<v>\+?\d[\d\s().-]{5,}\d)",
        ),
        ("PHONE", r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?![\w])"),
        ("PHONE", r"(?<![\w])(?:\(\d{3}\)\s*|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)"),
        # a national number with its trunk 0: 07700 900123, 020 7946 0958
        ("PHONE", r"(?<![\w.+/])0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w.]\d|\w)"),
        ("URL", r"(?i:\b(?:https?://|ftp://|www\.)[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]])"),
        (
            "IP",
            r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)"
            r"(?![\w.]\d|\w)",
        ),
        (  # IPv6: with a hex letter or "::", so a time of day (10:30:45) is not one
            "IP",
            r"(?i:(?<![\w:.])(?=[0-9:]*[a-f]|[0-9a-f:]*::)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{1,4}"
            r"(?![\w:]))",
        ),
        (
            "DATE",
            rf"(?i:\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|born(?:\s+on|\s+in)?))\s*:?\s*"
            rf"(?P<v>{_FULL_DATE}|{_MONTH}\.?\s+\d{{4}}|\d{{4}}\b)",
        ),
        ("DATE", rf"\b(?:{_FULL_DATE})\b"),
        (
            "ADDRESS",
            rf"\b\d{{1,5}}(?:\s+[A-Z][a-z]+){{1,3}}\s+(?:{_STREET})\b\.?"
            r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Flat)\.?\s*\w+)?"
            r"(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?(?:,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?)?",
        ),
        ("ADDRESS", r"(?i:\baddress)\s*:\s*(?P<v>[^;\n?]{3,80}?)(?=[;\n?]|\.\s|\.?$)"),
        ("ADDRESS", r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b"),  # UK postcode
        ("TITLED", rf"\b(?:{_TITLES})\.?\s+(?P<v>{_ANY_NAME_SEQ})"),
        ("TITLED", rf"(?i:\b(?:name\s+is|name\s*:))\s*:?\s+(?P<v>{_ANY_NAME_SEQ})"),
        (
            "NAME",
            rf"(?i:\b(?:patient|pt\.?|named|called|signed))\s*:?\s+"
            rf"(?P<v>{_NAME_SEQ})",
        ),
        (
            "NAME",
            rf"(?i:\b(?:my|our|the|a|his|her)\s+(?:\d+[\s-]*(?:year|yr|month|week)s?[\s-]*old\s+)?"
            rf"(?:{_RELATIVE}))\s*[:,]?\s+(?P<v>{_NAME_SEQ})",
        ),
    )
)
# Words that follow a title or "name:" without being a name ("Dr. and Mrs. Lee").
_NOT_TITLED_NAMES = frozenset("A An And As At By For From In Of On Or The To".split())
# Capitalised words that follow those cues without being names.
_NOT_NAMES = frozenset(
    "A An And As At By For From Had Has He Her His I If In Is It Its Me My No Not Of On Or "
    "Our She So The Their Them They This To Was We Were Who With You Your Yes Today Tomorrow "
    "Yesterday Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February "
    "March April May June July August September October November December "
    "Mr Mrs Ms Miss Mx Dr Prof Professor Sister Nurse".split()
)
_PLACEHOLDER = re.compile(r"\[([A-Z]+)_(\d+)\]")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Scrubbed:
    """A text with identifiers replaced, and the placeholder -> original value map."""

    text: str
    replacements: Mapping[str, str]

    def restore(self, text: str) -> str:
        """`text` with every placeholder this scrub made put back."""
        if not self.replacements:
            return text
        return _PLACEHOLDER.sub(lambda m: self.replacements.get(m.group(0), m.group(0)), text)

    def counts(self) -> dict[str, int]:
        """How many distinct values of each kind were replaced (safe to log)."""
        return dict(Counter(p[1:].rsplit("_", 1)[0] for p in self.replacements))


def scrub(text: str) -> Scrubbed:
    """Replace the identifiers found in `text` by placeholders (see the module's limits)."""
    spans = _choose(_find(text))
    spans = _choose([*spans, *_repeated_names(text, spans)])
    taken = set(_PLACEHOLDER.findall(text))
    by_value: dict[tuple[str, str], str] = {}
    counters: Counter[str] = Counter()
    out: list[str] = []
    pos = 0
    for span in spans:
        value = text[span.start : span.end]
        key = (span.kind, value)
        if key not in by_value:
            by_value[key] = _next_placeholder(span.kind, counters, taken)
        out += [text[pos : span.start], by_value[key]]
        pos = span.end
    out.append(text[pos:])
    scrubbed = Scrubbed("".join(out), {p: v for (_, v), p in by_value.items()})
    if scrubbed.replacements:
        log.debug("replaced patient identifiers: %s", scrubbed.counts())
    return scrubbed


def without_identifiers(text: str) -> str:
    """`text` with its identifiers blanked out, and any placeholders already in it (a question
    stored scrubbed, asked again): what the engine reads, since identifiers are never what
    the evidence must be about."""
    return _PLACEHOLDER.sub(" ", scrub(text).text)


def _next_placeholder(kind: str, counters: Counter[str], taken: set[tuple[str, str]]) -> str:
    while True:
        counters[kind] += 1
        if (kind, str(counters[kind])) not in taken:
            return f"[{kind}_{counters[kind]}]"


def _find(text: str) -> Iterator[Span]:
    for kind, pattern in _RECOGNISERS:
        for m in _overlapping(pattern, text):
            group = "v" if "v" in pattern.groupindex and m.group("v") is not None else 0
            start, end = m.span(group)
            if kind in ("NAME", "TITLED"):
                stop = _NOT_TITLED_NAMES if kind == "TITLED" else _NOT_NAMES
                span = _trim_name(text, start, end, stop)
                if span is not None:
                    yield span
            elif kind != "PHONE" or 7 <= sum(c.isdigit() for c in text[start:end]) <= 15:
                yield Span(start, end, kind)


def _overlapping(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Every match, including those starting inside an earlier one ("Dr. Lee Mrs. Jo Li")."""
    pos = 0
    while m := pattern.search(text, pos):
        yield m
        pos = m.start() + 1


def _trim_name(text: str, start: int, end: int, stop: frozenset[str]) -> Span | None:
    """The name without trailing non-name words; None when its first word is not a name."""
    words = list(re.finditer(_ANY_NAME_WORD, text[start:end]))
    kept: list[re.Match[str]] = []
    for w in words:
        if w.group(0) in stop or w.group(0).title() in stop or (kept and w.group(0) in _NOT_NAMES):
            break
        kept.append(w)
    if not kept:
        return None
    return Span(start + kept[0].start(), start + kept[-1].end(), "NAME")


def _repeated_names(text: str, spans: Iterable[Span]) -> Iterator[Span]:
    """Other mentions of a found name or of one of its words ("Smith" after "Jane Smith"),
    also in capitals or title case ("Jane Smith" after "Mrs. JANE SMITH")."""
    forms: set[str] = set()
    for s in spans:
        if s.kind == "NAME":
            name = text[s.start : s.end]
            words = [w for w in name.split() if len(w) > 1 and w not in _NOT_NAMES]
            for form in (name, *words):  # as written, in capitals, in title case
                forms.update((form, form.upper(), form.title()))
    if not forms:
        return
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    for m in re.finditer(rf"(?<![\w\[])(?:{alternatives})(?![\w\]])", text):
        yield Span(m.start(), m.end(), "NAME")


def _choose(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, earliest first, the longest winning at the same start."""
    chosen: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (s.start, -(s.end - s.start))):
        if span.end > span.start and (not chosen or span.start >= chosen[-1].end):
            chosen.append(span)
    return chosen

"""Dosing frequencies ("every 8 h", "q12h", "BID", "twice daily") as hours between doses.

See `medcite.clinical.doses` for the equivalences; this module only reads the phrases.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

_N = r"\d+(?:\.\d+)?"
_TIME_UNIT = r"hours?|hrs?|h|days?|d|weeks?|wks?|months?|minutes?|mins?"
_UNIT_HOURS = {
    "h": Decimal(1),
    "hr": Decimal(1),
    "hour": Decimal(1),
    "d": Decimal(24),
    "day": Decimal(24),
    "wk": Decimal(168),
    "week": Decimal(168),
    "month": Decimal(720),
    "min": Decimal(1) / Decimal(60),
    "minute": Decimal(1) / Decimal(60),
}
_PERIOD_HOURS = {
    "day": Decimal(24),
    "d": Decimal(24),
    "daily": Decimal(24),
    "morning": Decimal(24),
    "evening": Decimal(24),
    "night": Decimal(24),
    "nightly": Decimal(24),
    "at bedtime": Decimal(24),
    "week": Decimal(168),
    "wk": Decimal(168),
    "weekly": Decimal(168),
    "fortnightly": Decimal(336),
    "month": Decimal(720),
    "monthly": Decimal(720),
    "year": Decimal(8760),
    "yearly": Decimal(8760),
    "annually": Decimal(8760),
    "hour": Decimal(1),
    "hourly": Decimal(1),
}
_COUNTS = {"once": 1, "one": 1, "twice": 2, "two": 2, "thrice": 3, "three": 3, "four": 4}
_COUNTS.update({"five": 5, "six": 6})
_ABBREVIATIONS: dict[str, tuple[Decimal, str | None]] = {
    "bid": (Decimal(12), None),
    "bd": (Decimal(12), None),
    "tid": (Decimal(8), None),
    "tds": (Decimal(8), None),
    "qid": (Decimal(6), None),
    "qds": (Decimal(6), None),
    "qhs": (Decimal(24), None),
    "qod": (
        Decimal(48),
        "'qod' is on the do-not-use list (read as 'qid'): write 'every other day'",
    ),
    "qd": (Decimal(24), "'qd' is on the do-not-use list (read as 'qid'): write 'daily'"),
}


@dataclass(frozen=True, slots=True)
class Interval:
    """Hours between doses (`high` for "every 4-6 hours").

    `strict` for a clock interval ("every 12 hours", "q12h"), not for doses per period
    ("twice daily", "BID"); `weak` for a bare word ("daily") that counts only after a dose.
    """

    hours: Decimal
    raw: str
    start: int
    end: int
    high: Decimal | None = None
    strict: bool = False
    weak: bool = False
    ambiguous: bool = False
    reason: str | None = None

    def same_schedule(self, other: Interval) -> bool:
        return self.hours == other.hours and self.high == other.high


Reader = Callable[[re.Match[str]], tuple[Decimal, Decimal | None, bool]]


def _unit_hours(unit: str) -> Decimal:
    u = unit.lower().rstrip("s")
    return _UNIT_HOURS["min" if u.startswith("min") else u]


def _every_n(m: re.Match[str]) -> tuple[Decimal, Decimal | None, bool]:
    per = _unit_hours(m.group("u"))
    high = Decimal(m.group("n2")) * per if m.group("n2") else None
    return Decimal(m.group("n")) * per, high, True


def _every_other(m: re.Match[str]) -> tuple[Decimal, Decimal | None, bool]:
    return 2 * _PERIOD_HOURS[m.group("u").lower()], None, True


def _every_word(m: re.Match[str]) -> tuple[Decimal, Decimal | None, bool]:
    word = m.group("w").lower()
    return _PERIOD_HOURS[word], None, word == "hour"


def _times(m: re.Match[str]) -> tuple[Decimal, Decimal | None, bool]:
    count_word = m.group("t").lower().split()[0]
    digits = re.match(r"\d+", count_word)
    count = int(digits.group(0)) if digits else _COUNTS[count_word]
    return _PERIOD_HOURS[m.group("p").lower()] / count, None, False


def _every_n_hours(m: re.Match[str]) -> tuple[Decimal, Decimal | None, bool]:
    high = Decimal(m.group("n2")) if m.group("n2") else None
    return Decimal(m.group("n")), high, True


def _word(m: re.Match[str]) -> tuple[Decimal, Decimal | None, bool]:
    word = " ".join(m.group("w").lower().split())
    return _PERIOD_HOURS[word], None, word == "hourly"


_I = re.IGNORECASE
_PATTERNS: tuple[tuple[re.Pattern[str], Reader, bool], ...] = (
    (
        re.compile(
            rf"\bevery\s+(?P<n>{_N})(?:\s*(?:-|–|to|or)\s*(?P<n2>{_N}))?\s*"
            rf"(?P<u>{_TIME_UNIT})(?![A-Za-z])",
            _I,
        ),
        _every_n,
        False,
    ),
    (
        re.compile(
            rf"(?<![A-Za-z])q\.?\s?(?P<n>\d+)(?:\s*[-–]\s*(?P<n2>\d+))?\s?(?P<u>{_TIME_UNIT})"
            r"(?![A-Za-z])",
            _I,
        ),
        _every_n,
        False,
    ),
    (
        re.compile(r"(?<![\w.])(?P<n>\d+)(?:\s*[-–]\s*(?P<n2>\d+))?[-\s]hourly", _I),
        _every_n_hours,
        False,
    ),
    (re.compile(r"\bevery\s+other\s+(?P<u>day|week)\b", _I), _every_other, False),
    (
        re.compile(r"\bevery\s+(?P<w>day|morning|evening|night|week|month|year|hour)\b", _I),
        _every_word,
        False,
    ),
    (
        re.compile(
            r"(?<![\w.])(?P<t>once|twice|thrice|(?:one|two|three|four|five|six)\s+times|"
            r"[1-6]\s*(?:times|x|×))[\s-]*(?:a|per|each|every|/|in\s+a)?\s*"
            r"(?P<p>daily|day|d|weekly|week|wk|monthly|month)(?![A-Za-z])",
            _I,
        ),
        _times,
        False,
    ),
    (
        re.compile(
            r"(?<![A-Za-z.])(?P<w>daily|weekly|monthly|nightly|hourly|fortnightly|yearly|"
            r"annually|at\s+bedtime)(?![A-Za-z-])",
            _I,
        ),
        _word,
        True,
    ),
)
_ABBREVIATION = re.compile(
    r"(?<![A-Za-z.])(?P<a>b\.i\.d\.?|bid|b\.d\.|t\.i\.d\.?|tid|t\.d\.s\.?|tds|q\.i\.d\.?|qid|"
    r"q\.d\.s\.?|qds|q\.h\.s\.?|qhs|q\.o\.d\.?|qod|q\.d\.?|qd)(?![A-Za-z])",
    _I,
)


def find_intervals(text: str) -> tuple[Interval, ...]:
    """Every frequency phrase of `text`, without overlaps, in order."""
    found: list[Interval] = []
    for pattern, read, weak in _PATTERNS:
        for m in pattern.finditer(text):
            hours, high, strict = read(m)
            found.append(Interval(hours, m.group(0), m.start(), m.end(), high, strict, weak))
    for m in _ABBREVIATION.finditer(text):
        hours, reason = _ABBREVIATIONS[m.group("a").lower().replace(".", "")]
        found.append(
            Interval(hours, m.group(0), m.start(), m.end(), ambiguous=bool(reason), reason=reason)
        )
    kept: list[Interval] = []
    for interval in sorted(found, key=lambda i: (i.start, i.start - i.end)):
        if not kept or interval.start >= kept[-1].end:
            kept.append(interval)
    return tuple(kept)

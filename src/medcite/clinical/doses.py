"""Numbers, doses and dosing frequencies in clinical text, parsed into frozen values.

`parse_measures(text)` finds every number (with its unit, per-weight or per-area basis, rate
and attached frequency) and every frequency phrase. The verifier compares a claim's measures
with its source's, so the rules below are the rules of what counts as "the same number":

- Amounts are `Decimal`s: "1,000" = "1 000" = "1000"; "1.58×10^5" = "158,000"; a range
  ("2-3 weeks", "2 to 3 weeks", "4.00‒10.00") keeps both ends.
- Units are normalised ("milligrams" -> mg, "µg"/"ug" -> mcg, "ml" -> mL, "hrs" -> h) but
  never converted here; whether "0.5 g" may stand for "500 mg" is the verifier's decision
  (it may not: a conversion is flagged; mg <-> mcg is a mismatch, never equal).
- "/kg" and "/m2" are the dose basis; "/day", "/h", "/min", "/dose" make a rate; other
  denominators stay in the unit ("copies/mL", "mg/dL"). "10 mg/kg/day" is 10 mg, per kg, per
  day, and differs from "10 mg/kg" and from "10 mg/kg once daily".
- Frequencies carry hours between doses: "every 12 hours" = "q12h" = "12-hourly" = 12 h,
  `strict` (a clock interval); "twice daily" = "twice a day" = "BID" = "b.i.d." = "2 times a
  day" = 12 h, not strict (doses per day). A strict interval implies its frequency, not the
  reverse: the verifier accepts "twice daily" for a source's "every 12 hours" but flags
  "every 12 hours" for a source's "twice daily". "daily", "weekly", "nightly" alone count only
  right after a dose ("300 mg daily"), not in prose ("daily life").
- Ambiguous notation is parsed but marked, never guessed: a naked decimal (".5 mg"), a
  trailing zero on a dose ("5.0 mg", read as 50 mg), and the do-not-use abbreviations "qd" and
  "qod" (read as "qid").
- Digits inside names are not numbers: CD4, H1N1, IL-6, COVID-19, 3D.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from medcite.clinical.frequency import Interval, find_intervals
from medcite.clinical.units import (
    BASES,
    DENOMINATOR_PATTERN,
    DOSE_UNITS,
    RATES,
    UNIT_PATTERN,
    normal_denominator,
    normal_unit,
)

__all__ = ["Interval", "Measures", "Quantity", "parse_measures"]

_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?![\d,]|[.·]\d)|\d+)"
    r"(?:[.·]\d+)?|[.·]\d+"
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_NUMBER = re.compile(
    rf"(?<![\w.·^/])(?<![A-Za-z]-)(?P<num>{_NUM})"
    rf"(?:\s*(?:-|–|‒|—|−|\bto\b)\s*(?P<high>{_NUM}))?"
    r"(?:\s*[x×*·]\s*10\s*(?:\^|\*\*)\s*(?P<exp>[-−]?\d{1,2})"
    r"|\s*[x×]\s*10(?P<sup>⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?"
)
_UNIT = re.compile(rf"(?:\s*|-)(?P<unit>{UNIT_PATTERN})")
_DENOMINATOR = re.compile(rf"(?:\s*/\s*|\s+per\s+)(?P<den>{DENOMINATOR_PATTERN})")
_ORDINAL = re.compile(r"(?:st|nd|rd|th)(?![A-Za-z])")
_GLUED = re.compile(r"[A-Za-z]")
# Words that may sit between a dose and its frequency: "900 mg orally (PO) twice daily".
_GAP = re.compile(
    r"(?:[\s,()]|(?:orally|by mouth|p\.o\.|PO|po|IV|i\.v\.|intravenously|intravenous|"
    r"subcutaneously|SC|SQ|s\.c\.|IM|i\.m\.|intramuscularly|given|taken|administered|"
    r"infused|tablets?|capsules?)(?![A-Za-z]))*"
)
_MAX_GAP = 40


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as written, with what the text says it counts.

    `amount` (and `high` for a range) as Decimal; `unit` normalised or None for a bare
    number; `basis` "kg" / "m2" for per-weight / per-area doses; `per` "day" / "h" / "min" /
    "week" / "dose" for rates; `interval` the dosing frequency written right after it.
    `raw`, `start`, `end` locate the number and its unit (not the frequency) in the text.
    """

    amount: Decimal
    raw: str
    start: int
    end: int
    high: Decimal | None = None
    unit: str | None = None
    basis: str | None = None
    per: str | None = None
    interval: Interval | None = None
    ambiguous: bool = False
    reason: str | None = None

    @property
    def interval_hours(self) -> Decimal | None:
        """Hours between doses when a frequency is attached ("every 12 hours" -> 12)."""
        return self.interval.hours if self.interval else None

    @property
    def notation(self) -> str:
        """The number exactly as written, without its unit ("5.0", ".5", "1,000")."""
        return self.raw[: self.number_length]

    @property
    def number_length(self) -> int:
        m = _NUMBER.match(self.raw)
        return m.end("num") if m else 0

    def describe(self) -> str:
        text = " ".join(self.raw.split())
        return f"{text} {self.interval.raw}" if self.interval else text


@dataclass(frozen=True, slots=True)
class Measures:
    """Every quantity and every frequency phrase of one text."""

    quantities: tuple[Quantity, ...]
    intervals: tuple[Interval, ...]

    @property
    def standalone(self) -> tuple[Interval, ...]:
        """Frequencies not attached to a quantity ("Repeat every 8 hours")."""
        attached = {q.interval for q in self.quantities if q.interval is not None}
        return tuple(i for i in self.intervals if i not in attached)

    def __len__(self) -> int:
        return len(self.quantities) + len(self.standalone)


@lru_cache(maxsize=16384)
def parse_measures(text: str) -> Measures:
    """Quantities and frequencies of `text`, in order of appearance."""
    intervals = find_intervals(text)
    taken = [(i.start, i.end) for i in intervals]
    quantities: list[Quantity] = []
    pos = 0
    while (m := _NUMBER.search(text, pos)) is not None:
        pos = m.end()
        overlap = next((e for s, e in taken if s < m.end() and m.start() < e), None)
        if overlap is not None:
            pos = max(pos, overlap)
            continue
        quantity = _quantity(text, m)
        if quantity is not None:
            quantities.append(quantity)
            pos = quantity.end
    attached = _attach(text, quantities, intervals)
    kept = {q.interval for q in attached if q.interval is not None}
    return Measures(tuple(attached), tuple(i for i in intervals if not i.weak or i in kept))


def _quantity(text: str, m: re.Match[str]) -> Quantity | None:
    end = m.end()
    unit_match = _UNIT.match(text, end)
    unit = normal_unit(unit_match.group("unit")) if unit_match else None
    if unit_match:
        end = unit_match.end()
    denominators: list[str] = []
    while (d := _DENOMINATOR.match(text, end)) is not None and (unit or not denominators):
        denominators.append(normal_denominator(d.group("den")))
        end = d.end()
    if unit is None and not denominators:
        glued = _GLUED.match(text, end)
        if glued and not _ORDINAL.match(text, end):
            return None  # digits inside a name: 3D, 5q
    basis = "/".join(d for d in denominators if d in BASES) or None
    per = "/".join(d for d in denominators if d in RATES) or None
    rest = [d for d in denominators if d not in BASES and d not in RATES]
    if rest:
        unit = "/".join([unit or "", *rest])
    amount, high = _amount(m.group("num"), m), None
    if m.group("high"):
        high = _amount(m.group("high"), m)
    ambiguous, reason = _ambiguity(m.group("num"), m.group("high"), unit)
    return Quantity(
        amount=amount,
        raw=text[m.start() : end],
        start=m.start(),
        end=end,
        high=high,
        unit=unit,
        basis=basis,
        per=per,
        ambiguous=ambiguous,
        reason=reason,
    )


def _amount(number: str, m: re.Match[str]) -> Decimal:
    digits = re.sub(r"[,\s\u00a0\u2009\u202f]", "", number).replace("·", ".")
    value = Decimal(digits)
    exponent = m.group("exp") or (m.group("sup") or "").translate(_SUPERSCRIPTS)
    if exponent:
        value = value.scaleb(int(exponent.replace("−", "-")))
    return value


def _ambiguity(number: str, high: str | None, unit: str | None) -> tuple[bool, str | None]:
    for written in (number, high or ""):
        if written[:1] in (".", "·"):
            return True, f"naked decimal {written!r}: write 0{written}"
        if unit in DOSE_UNITS and re.search(r"[.·]\d*0$", written):
            return True, f"trailing zero {written!r}: can be read as ten times the dose"
    return False, None


def _attach(
    text: str, quantities: list[Quantity], intervals: tuple[Interval, ...]
) -> list[Quantity]:
    """Give each quantity the frequency written right after it, if any."""
    out: list[Quantity] = []
    for q in quantities:
        following = next((i for i in intervals if i.start >= q.end), None)
        if following is not None and following.start - q.end <= _MAX_GAP:
            gap = _GAP.fullmatch(text, q.end, following.start)
            if gap is not None:
                q = replace(q, interval=following)
        out.append(q)
    return out

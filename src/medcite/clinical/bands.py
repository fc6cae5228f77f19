"""Kidney-function bands as sources write them, and which band a patient's value falls in.

"CrCl 30–49 mL/min", "creatinine clearance less than 30 mL/min", "eGFR ≥ 45", "CrCl between
30 and 60 mL/min": a band is a metric (CrCl or eGFR) and limits. A value is matched against
the limits as written, never rounded into a band: a value on a limit, or between the upper
limit of one band and the lower limit of the next (29.6 between "10–29" and "30–49"), is
shown against both bands, and the reader is told so.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

CRCL = "CrCl"
EGFR = "eGFR"
_METRIC = (
    r"(?P<metric>crcl|cr\s?cl|clcr|creatinine\s+clearance|egfr|estimated\s+gfr|"
    r"estimated\s+glomerular\s+filtration\s+rate|gfr)"
)
_LINK = r"(?:\s*(?:\(\s*(?:crcl|clcr|egfr)\s*\))?\s*(?:of|is|was|=|:|values?|between|from)?\s*)*"
_N = r"(\d+(?:\.\d+)?)"
_UNIT = r"(?:\s*(?:ml/min(?:ute)?(?:/1\.73\s?m(?:2|²))?|ml/minute))?"
_BAND = re.compile(
    rf"{_METRIC}{_LINK}"
    rf"(?:(?P<lo>\d+(?:\.\d+)?){_UNIT}\s*(?:–|-|to|and)\s*(?P<hi>\d+(?:\.\d+)?)"
    rf"|(?P<ge>≥|>=|at\s+least|greater\s+than\s+or\s+equal\s+to|of\s+at\s+least)\s*{_N}"
    rf"|(?P<gt>>|greater\s+than|above|more\s+than|over)\s*{_N}"
    rf"|(?P<le>≤|<=|less\s+than\s+or\s+equal\s+to|at\s+most)\s*{_N}"
    rf"|(?P<lt><|less\s+than|below|under)\s*{_N}"
    rf"|{_N}{_UNIT}\s*or\s+(?P<tail>less|lower|below|greater|more|higher|above))",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Band:
    """A range of kidney function as a source states it (limits as written)."""

    metric: str
    low: float
    high: float
    text: str

    def holds(self, value: float) -> bool:
        """True when the value lies within the limits, limits included."""
        return self.low <= value <= self.high

    def on_limit(self, value: float) -> bool:
        return value in (self.low, self.high)


@dataclass(frozen=True, slots=True)
class Placement:
    """The bands a value is shown against, and whether it sits on or between limits."""

    bands: tuple[Band, ...]
    edge: bool


def metric_of(name: str) -> str:
    return EGFR if "g" in name.lower().replace("clearance", "") else CRCL


def find_bands(text: str) -> list[Band]:
    """Every band a text states, in order."""
    out = []
    for m in _BAND.finditer(text):
        metric = metric_of(m.group("metric"))
        low, high = _limits(m)
        out.append(Band(metric, low, high, m.group(0).strip()))
    return out


def _limits(m: re.Match[str]) -> tuple[float, float]:
    numbers = [float(g) for g in m.groups()[1:] if g and re.fullmatch(r"\d+(?:\.\d+)?", g)]
    if m.group("lo"):
        return float(m.group("lo")), float(m.group("hi"))
    value = numbers[0]
    if m.group("ge") or m.group("gt"):
        return value, math.inf
    if m.group("le") or m.group("lt"):
        return 0.0, value
    tail = (m.group("tail") or "").lower()
    return (0.0, value) if tail in ("less", "lower", "below") else (value, math.inf)


def place(value: float, bands: Sequence[Band]) -> Placement:
    """The bands of one source (one metric) a value is shown against: the band holding it;
    both bands when it is on a limit shared with, or between the limits of, a neighbour."""
    ordered = sorted(bands, key=lambda b: (b.low, b.high))
    holding = [b for b in ordered if b.holds(value)]
    edge = any(b.on_limit(value) for b in holding)
    for lower, upper in itertools.pairwise(ordered):
        if lower.high <= value <= upper.low and lower.high < upper.low + 1:
            holding += [b for b in (lower, upper) if b not in holding]
            edge = True
    return Placement(tuple(b for b in ordered if b in holding), edge)


def fmt(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:g}"

"""Every number of a claim against the numbers of a cited passage.

Each quantity of the claim must be matched, one to one, by a quantity of the passage with
the same amount (and range end), the same normalised unit, the same basis (/kg, /m2) and
the same rate (/day); when the claim gives a frequency, the passage's quantity has the same
hours between doses. A bare number in the claim ("27 519 patients") matches any passage
quantity with the same amount. Frequencies written on their own must appear in the passage,
also one to one.

What is equal, flagged or a mismatch:
- equal: same value and unit in the supporting span ("1,000 mg" = "1000 mg";
  "twice daily" in the claim for "every 12 hours" in the source).
- flagged (shown with a warning; removed in strict mode):
  - a unit conversion of equal value ("500 mg" for "0.5 g", "14 days" for "2 weeks");
  - ambiguous notation the source does not share ("5.0 mg" or ".5 mg" for "5 mg" / "0.5 mg",
    "qd" for "once daily");
  - a clock interval for a per-day frequency ("every 12 hours" for "twice daily");
  - an exact match that lies outside the span supporting the claim.
- mismatch (the citation fails): anything else, including mg <-> mcg whatever the amounts,
  mg <-> mg/kg, every 12 h <-> every 8 h, 5 <-> 50.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from medcite.clinical.doses import Interval, Measures, Quantity
from medcite.clinical.units import to_base


class Match(IntEnum):
    """How a source value answers a claim's value; lower is better."""

    SAME = 0
    NOTATION = 1
    LOOSER = 2
    CONVERTED = 3
    NONE = 9


_FLAG_TEXT = {
    Match.NOTATION: "the claim writes {c} where the source writes {s} (ambiguous notation)",
    Match.LOOSER: "the claim says {c} where the source says {s}",
    Match.CONVERTED: "the claim converts the source's {s} to {c}",
}


@dataclass(frozen=True, slots=True)
class NumberCheck:
    checked: int
    flags: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()


def check_numbers(claim: Measures, source: Measures, span: tuple[int, int]) -> NumberCheck:
    """Compare every measure of the claim with the source; `span` is the supporting text."""
    flags: list[str] = []
    failures: list[str] = []
    used: set[int] = set()
    # Quantities with a unit first, so that a bare number cannot take their match.
    for q in sorted(claim.quantities, key=lambda q: q.unit is None):
        found = _best(q, source.quantities, span, used)
        if found is None:
            failures.append(f"{q.describe()} is not in the source")
            continue
        index, how, inside = found
        used.add(index)
        _note(how, inside, q.describe(), source.quantities[index].describe(), flags)
    taken: set[int] = set()
    for interval in claim.standalone:
        best = _best_interval(interval, source.intervals, span, taken)
        if best is None:
            failures.append(f"{interval.raw} is not in the source")
        else:
            taken.add(best[0])
            _note(best[1], best[2], interval.raw, source.intervals[best[0]].raw, flags)
    return NumberCheck(len(claim), tuple(dict.fromkeys(flags)), tuple(failures))


def _note(how: Match, inside: bool, claim: str, source: str, flags: list[str]) -> None:
    if how != Match.SAME:
        flags.append(_FLAG_TEXT[how].format(c=claim, s=source))
    elif not inside:
        flags.append(f"{claim} is in the source, but not in the text that supports the claim")


def _best(
    q: Quantity, pool: tuple[Quantity, ...], span: tuple[int, int], used: set[int]
) -> tuple[int, Match, bool] | None:
    ranked = sorted(
        (how, not _inside(s, span), index)
        for index, s in enumerate(pool)
        if index not in used and (how := relate(q, s)) != Match.NONE
    )
    if not ranked:
        return None
    how, outside, index = ranked[0]
    return index, how, not outside


def _inside(value: Quantity | Interval, span: tuple[int, int]) -> bool:
    return span[0] <= value.start and value.end <= span[1]


def relate(claim: Quantity, source: Quantity) -> Match:
    """How `source` answers `claim` (Match.NONE when it does not)."""
    how = _amounts(claim, source)
    if how == Match.NONE or claim.interval is None:
        return how
    if source.interval is None:
        return Match.NONE
    return max(how, relate_intervals(claim.interval, source.interval))


def _amounts(claim: Quantity, source: Quantity) -> Match:
    same_value = claim.amount == source.amount and claim.high == source.high
    if claim.unit is None:
        return _notation(claim, source) if same_value else Match.NONE
    if (claim.basis, claim.per) != (source.basis, source.per) or source.unit is None:
        return Match.NONE
    if claim.unit == source.unit:
        return _notation(claim, source) if same_value else Match.NONE
    return Match.CONVERTED if _converts(claim, source) else Match.NONE


def _notation(claim: Quantity, source: Quantity) -> Match:
    ambiguous = claim.ambiguous or source.ambiguous
    if ambiguous and _written(claim) != _written(source):
        return Match.NOTATION
    return Match.SAME


def _written(q: Quantity) -> str:
    return q.notation.replace("·", ".")


def _converts(claim: Quantity, source: Quantity) -> bool:
    if claim.unit is None or source.unit is None:
        return False
    a, b = to_base(claim.amount, claim.unit), to_base(source.amount, source.unit)
    if a is None or b is None or a != b:
        return False
    if claim.high is None or source.high is None:
        return claim.high is None and source.high is None
    return to_base(claim.high, claim.unit) == to_base(source.high, source.unit)


def relate_intervals(claim: Interval, source: Interval) -> Match:
    if not claim.same_schedule(source):
        return Match.NONE
    if claim.strict and not source.strict:
        return Match.LOOSER
    if (claim.ambiguous or source.ambiguous) and claim.raw.lower() != source.raw.lower():
        return Match.NOTATION
    return Match.SAME


def _best_interval(
    claim: Interval, pool: tuple[Interval, ...], span: tuple[int, int], used: set[int]
) -> tuple[int, Match, bool] | None:
    ranked = sorted(
        (how, not _inside(s, span), index)
        for index, s in enumerate(pool)
        if index not in used and (how := relate_intervals(claim, s)) != Match.NONE
    )
    if not ranked:
        return None
    how, outside, index = ranked[0]
    return index, how, not outside

"""A value the question states for a named measure, and statements about other values.

"CHA2DS2-VASc score of 3", "Wells score is 5", "GBS = 0": a question names a measure (a
score, an index, a grade) and its value. A source's statement that sets a band of the same
measure ("CHA2DS2-VASc = 1: …", "Wells score ≥ 7 …", "Score 0–1 (Low risk) …" under a
heading naming the score) and excludes the value is about another patient: it must not
answer this one. Only what both write is compared — the measure's name as a word of the
question and of the statement, and limits as written; nothing is computed or rounded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# "<measure> [score|index|class|grade] [of|is|was|=|:] <number>" in a question.
_STATED = re.compile(
    r"(?P<name>[A-Za-z][\w₂-]*(?:-\d+)?)(?:\s+(?:score|index|class|grade|stage|points?))?"
    r"\s*(?:\s(?:of|is|was|at)\s+|\s*[=:]\s*|\s+)(?P<value>\d+(?:\.\d+)?)(?![\d.])(?!\s*(?:%|mg|ml|g\b|"
    r"years?|yo|kg|mmol|µmol|umol|units?))",
    re.I,
)
# "<measure> = 1", "<measure> ≥ 3", "<measure> 0–1", "<measure> score < 2" in a statement.
_BAND = re.compile(
    r"(?P<name>[A-Za-z][\w₂-]*(?:-\d+)?)(?:\s+(?:score|index|class|grade|stage))?\s*"
    r"(?:(?P<op>=|≥|>=|≤|<=|<|>)\s*(?P<n>\d+(?:\.\d+)?)"
    r"|(?P<lo>\d+(?:\.\d+)?)\s*(?:–|-|to)\s*(?P<hi>\d+(?:\.\d+)?))(?![\d.])",
    re.I,
)
_NOT_MEASURES = frozenset(
    {"a", "an", "the", "of", "is", "was", "at", "and", "or", "with", "to", "in", "on", "for",
     "age", "aged", "day", "days", "week", "weeks", "month", "months", "year", "years",
     "dose", "doses", "mg", "ml", "hours", "hour", "times", "than", "over", "under", "about"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stated:
    """A measure's name, as the question writes it (lower case), and its value."""

    name: str
    value: float


def stated_values(question: str) -> tuple[Stated, ...]:
    """The named values a question states ("score of 3" after "CHA2DS2-VASc")."""
    found = []
    for m in _STATED.finditer(question):
        name = m.group("name").lower()
        if name not in _NOT_MEASURES and not name.isdigit():
            found.append(Stated(name, float(m.group("value"))))
    return tuple(found)


def about_other_value(text: str, context: str, stated: Sequence[Stated]) -> bool:
    """True when the statement (with its heading, `context`) sets a band of a measure the
    question gives a value for, and every such band excludes that value."""
    if not stated:
        return False
    names = {s.name: s.value for s in stated}
    verdicts = []
    for m in _BAND.finditer(text):
        name = m.group("name").lower()
        value = names.get(name)
        if value is None and name in ("score", "class", "grade", "stage"):
            # "Score 0–1 (Low risk)": the measure is named by the heading above it
            value = next((v for n, v in names.items() if n in context.lower()), None)
        if value is not None:
            verdicts.append(_holds(m, value))
    return bool(verdicts) and not any(verdicts)


def _holds(m: re.Match[str], value: float) -> bool:
    if m.group("lo") is not None:
        return float(m.group("lo")) <= value <= float(m.group("hi"))
    n, op = float(m.group("n")), m.group("op")
    return {
        "=": value == n,
        "≥": value >= n,
        ">=": value >= n,
        "≤": value <= n,
        "<=": value <= n,
        "<": value < n,
        ">": value > n,
    }[op]

"""Age, sex and weight as a question states them ("a 65-year-old woman", "70 kg", "45M")."""

from __future__ import annotations

import re

_LB_TO_KG = 0.45359237
_AGE_UNITS = {"year": 1.0, "yr": 1.0, "y": 1.0, "month": 1 / 12, "mo": 1 / 12, "week": 1 / 52}
_AGE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d)?)\s?-?\s?(years?|yrs?|y|months?|mo|weeks?)\s?-?\s?"
    r"(?:old\b|of\s+age\b|(?<=y)/?o\b|(?<=yr)s?\s?/?o\b)",
    re.I,
)
_AGED = re.compile(r"\b(?:aged?|age:?)\s+(?:of\s+)?(\d{1,3})\b(?!\s?(?:%|mg|kg))", re.I)
_IS_AGE = re.compile(
    r"\b(?:she|he|patient|who)\s+(?:is|was|'s|’s)\s+(?:now\s+)?(\d{1,3})\b"
    r"(?!\s?(?:%|mg|kg|kilo|lb|pound|cm|weeks?\s+pregnant|[.,]\d))",
    re.I,
)
_AGE_SEX = re.compile(r"(?<![\w.])(\d{1,3})\s?(?:yo\s?|y/o\s?)?([MF])\b")
_WEIGHT = re.compile(
    r"(?<!lost )(?<!gained )(?<![\w./])(\d{1,3}(?:\.\d+)?)\s?(kg|kilograms?|lbs?|pounds)\b"
    r"(?!\s?/)",
    re.I,
)
_FEMALE = re.compile(
    r"\b(?:woman|female|girl|lady|mother|mom|wife|daughter|sister|grandmother|she)\b", re.I
)
_MALE = re.compile(
    r"\b(?:man|male|boy|gentleman|father|dad|husband|son|brother|grandfather|he)\b", re.I
)
_PRONOUN = frozenset({"she", "he"})


def age_years(text: str) -> float | None:
    """The patient's age in years, if stated (months and weeks become fractions)."""
    m = _AGE.search(text)
    if m is not None:
        unit = m.group(2).lower().rstrip("s")
        value = float(m.group(1)) * _AGE_UNITS.get(unit, 1.0)
    elif (m2 := _AGED.search(text) or _AGE_SEX.search(text) or _IS_AGE.search(text)) is not None:
        value = float(m2.group(1))
    else:
        return None
    return round(value, 2) if 0 < value < 120 else None


def sex(text: str) -> str | None:
    """female | male, from the first noun that names the patient (pronouns only as a fallback)."""
    nouns: list[tuple[int, str]] = []
    pronouns: list[tuple[int, str]] = []
    for pattern, value in ((_FEMALE, "female"), (_MALE, "male")):
        for m in pattern.finditer(text):
            (pronouns if m.group(0).lower() in _PRONOUN else nouns).append((m.start(), value))
    if (m3 := _AGE_SEX.search(text)) is not None:
        nouns.append((m3.start(), "female" if m3.group(2) == "F" else "male"))
    found = sorted(nouns) or sorted(pronouns)
    return found[0][1] if found else None


def weight_kg(text: str) -> float | None:
    """Body weight in kilograms ("70 kg", "154 lb"); doses per kilogram are not weights."""
    m = _WEIGHT.search(text)
    if m is None:
        return None
    value = float(m.group(1))
    if m.group(2).lower().startswith(("lb", "pound")):
        value *= _LB_TO_KG
    return round(value, 1)

"""Units as written in clinical text, their normal forms, and which ones convert.

Abbreviations are matched case-sensitively with their usual variants ("mg", "mL" or "ml"),
so "3D" is not three days and "Mg" is not milligrams; spelled-out words ignore case.
"""

from __future__ import annotations

import re
from decimal import Decimal

# normal form -> surface forms. Abbreviations are case-sensitive, words are not.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "mg": ("mg", "MG"),
    "mcg": ("mcg", "µg", "μg", "ug", "MCG"),
    "g": ("g", "gm"),
    "kg": ("kg", "Kg", "KG"),
    "ng": ("ng",),
    "pg": ("pg",),
    "L": ("L", "l"),
    "mL": ("mL", "ml", "ML"),
    "dL": ("dL", "dl"),
    "µL": ("µL", "μL", "uL", "µl", "μl", "ul"),
    "cc": ("cc",),
    "mmol": ("mmol",),
    "µmol": ("µmol", "μmol", "umol"),
    "nmol": ("nmol",),
    "pmol": ("pmol",),
    "mol": ("mol",),
    "mEq": ("mEq", "meq", "mEQ"),
    "IU": ("IU", "iu"),
    "U": ("U",),
    "%": ("%",),
    "mmHg": ("mmHg", "mm Hg"),
    "°C": ("°C", "° C", "ºC"),
    "kcal": ("kcal",),
    "cm": ("cm",),
    "mm": ("mm",),
    "s": ("s", "sec", "secs"),
    "min": ("min", "mins"),
    "h": ("h", "hr", "hrs"),
    "day": ("d",),
    "week": ("wk", "wks"),
    "month": ("mo", "mos"),
    "year": ("yr", "yrs", "y"),
}
_WORDS: dict[str, tuple[str, ...]] = {
    "mg": ("milligrams", "milligram"),
    "mcg": ("micrograms", "microgram"),
    "g": ("grams", "gram"),
    "kg": ("kilograms", "kilogram"),
    "L": ("liters", "liter", "litres", "litre"),
    "mL": ("milliliters", "milliliter", "millilitres", "millilitre"),
    "units": ("international units", "units", "unit"),
    "million units": ("million units",),
    "copies": ("copies",),
    "cells": ("cells",),
    "tablets": ("tablets", "tablet"),
    "capsules": ("capsules", "capsule"),
    "puffs": ("puffs", "puff"),
    "drops": ("drops", "drop"),
    "fold": ("fold",),
    "s": ("seconds", "second"),
    "min": ("minutes", "minute"),
    "h": ("hours", "hour"),
    "day": ("days", "day"),
    "week": ("weeks", "week"),
    "month": ("months", "month"),
    "year": ("years", "year"),
}
# A denominator after "/" or "per": body weight or area (the dose basis), a time (a rate),
# "dose", or a volume (part of a concentration unit such as mg/dL).
_DENOMINATORS: dict[str, tuple[str, ...]] = {
    "kg": ("kg", "kilogram"),
    "m2": ("m2", "m²", "m^2", "square meter", "square metre"),
    "1.73m2": ("1.73 m2", "1.73m2", "1.73 m²", "1.73m²"),
    "day": ("day", "d", "24 h", "24h", "24 hours"),
    "h": ("hour", "hr", "h"),
    "min": ("minute", "min"),
    "week": ("week", "wk"),
    "dose": ("dose",),
    "L": ("L", "l", "liter", "litre"),
    "dL": ("dL", "dl"),
    "mL": ("mL", "ml"),
    "µL": ("µL", "μL", "uL", "µl", "μl"),
    "mm3": ("mm3", "mm³", "mm^3"),
    "hpf": ("hpf", "HPF"),
}
BASES = frozenset({"kg", "m2", "1.73m2"})
RATES = frozenset({"day", "h", "min", "week", "dose"})

# Conversions a writer might make between units of one dimension: (dimension, factor).
# Micrograms have no entry on purpose: mg <-> mcg is the thousandfold error, never "equal".
_SCALE: dict[str, tuple[str, Decimal]] = {
    "kg": ("mass", Decimal(1000)),
    "g": ("mass", Decimal(1)),
    "mg": ("mass", Decimal("0.001")),
    "L": ("volume", Decimal(1)),
    "dL": ("volume", Decimal("0.1")),
    "mL": ("volume", Decimal("0.001")),
    "s": ("time", Decimal(1)),
    "min": ("time", Decimal(60)),
    "h": ("time", Decimal(3600)),
    "day": ("time", Decimal(86400)),
    "week": ("time", Decimal(604800)),
}
# Units of a dose given to a patient: a trailing zero ("5.0 mg") is flagged only on these,
# because lab results ("4.00-10.00 ×10^9/L") write precision that way on purpose.
DOSE_UNITS = frozenset(
    {"mg", "mcg", "g", "kg", "ng", "L", "mL", "cc", "mmol", "mEq", "IU", "U", "units"}
)


def _alternation(table: dict[str, tuple[str, ...]], flags: str = "") -> str:
    forms = sorted({f for forms in table.values() for f in forms}, key=len, reverse=True)
    body = "|".join(r"\s*".join(re.escape(part) for part in f.split(" ")) for f in forms)
    return f"(?{flags}:{body})" if flags else f"(?:{body})"


UNIT_PATTERN = rf"(?:{_alternation(_ABBREVIATIONS)}|{_alternation(_WORDS, 'i')})(?![A-Za-z0-9µμ²³])"
DENOMINATOR_PATTERN = rf"{_alternation(_DENOMINATORS)}(?![A-Za-z0-9²³])"

_UNIT_LOOKUP = {f: unit for unit, forms in _ABBREVIATIONS.items() for f in forms}
_UNIT_LOOKUP.update({f.lower(): unit for unit, forms in _WORDS.items() for f in forms})
_WORDS_LOOKUP = frozenset(f.lower() for forms in _WORDS.values() for f in forms)
_DENOMINATOR_LOOKUP = {f: unit for unit, forms in _DENOMINATORS.items() for f in forms}


def is_unit(word: str) -> bool:
    """True when a word as written is a unit ("mg", "dL", "mmol"; "milligrams")."""
    return word in _UNIT_LOOKUP or word.lower() in _WORDS_LOOKUP


def _squash(surface: str) -> str:
    return re.sub(r"\s+", " ", surface)


def normal_unit(surface: str) -> str:
    """The normal form of a unit as written ("milligrams" -> "mg", "µg" -> "mcg")."""
    s = _squash(surface)
    return _UNIT_LOOKUP.get(s) or _UNIT_LOOKUP.get(s.lower()) or _UNIT_LOOKUP[s.replace(" ", "")]


def normal_denominator(surface: str) -> str:
    s = _squash(surface)
    return (
        _DENOMINATOR_LOOKUP.get(s)
        or _DENOMINATOR_LOOKUP.get(s.lower())
        or _DENOMINATOR_LOOKUP[s.replace(" ", "")]
    )


def to_base(amount: Decimal, unit: str) -> tuple[str, Decimal] | None:
    """The amount in its dimension's base unit, when the unit converts at all."""
    scale = _SCALE.get(unit)
    if scale is None:
        return None
    dimension, factor = scale
    return dimension, amount * factor


_UNIT_RUN = rf"{UNIT_PATTERN}(?:\s?(?:/|per\s)\s?{DENOMINATOR_PATTERN})*"
_AFTER_NUMBER = re.compile(rf"(\d)\s?{_UNIT_RUN}")
_WRITTEN_ALONE = re.compile(
    rf"(?<![\w/]){UNIT_PATTERN}\s?/\s?{DENOMINATOR_PATTERN}(?:\s?/\s?{DENOMINATOR_PATTERN})*"
)


_TIMES = frozenset({"s", "min", "h", "day", "week", "month", "year"})


def without_units(text: str) -> str:
    """The text with units of measure blanked out: after a number ("2.1 mg/dL", "28
    mL/min/1.73 m2") and written alone with a denominator ("reported in mg/dL"). A unit
    never names a subject, so it should never become a concept of the question. A time
    after a number ("14 hours later") is kept: it says when, which evidence may state."""

    def blank(m: re.Match[str]) -> str:
        unit = m.group(0)[len(m.group(1)) :].strip()
        if "/" not in unit and _UNIT_LOOKUP.get(unit, _UNIT_LOOKUP.get(unit.lower())) in _TIMES:
            return m.group(0)
        return m.group(1) + " "

    return _WRITTEN_ALONE.sub(" ", _AFTER_NUMBER.sub(blank, text))

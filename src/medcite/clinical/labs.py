"""Laboratory values in free text: "CMV PCR of 1700", "creatinine 2.1 mg/dL", "Hb 8 g/dL".

A value is read after a known test name (a small table below), across at most a few linking
words ("of", "was", "positive at"). A number with a viral-load unit and no test name before it
("1.58×10^5 copies/mL") is read as the viral load of the virus named just before, if any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from medcite.clinical.lab_units import UNIT_PATTERN, parse_unit, to_canonical
from medcite.types import LabValue

_VIRAL_UNITS = ("IU/mL", "copies/mL")
_IU_VS_COPIES = "thresholds differ between IU/mL and copies/mL"


@dataclass(frozen=True, slots=True)
class LabTest:
    """A test, the names it goes by, its units in use, and why a missing unit matters."""

    name: str
    pattern: str
    units: tuple[str, ...] = ()
    unit_note: str | None = None


def _scale_note(a: str, b: str) -> str:
    return f"{a} and {b} values differ in scale"


# Longer and more specific names first: "creatinine clearance" before "creatinine".
LAB_TESTS: tuple[LabTest, ...] = (
    LabTest(
        "CMV PCR",
        r"(?:cmv|cytomegalovirus)(?:\s+(?:dna|viral))?\s+(?:pcr|qpcr|viral\s+load|load|dna|"
        r"dnaemia|dnemia|viremia|viraemia)",
        _VIRAL_UNITS,
        _IU_VS_COPIES,
    ),
    LabTest(
        "EBV PCR",
        r"(?:ebv|epstein[- ]barr(?:\s+virus)?)(?:\s+dna)?\s+(?:pcr|viral\s+load|load|dna)",
        _VIRAL_UNITS,
        _IU_VS_COPIES,
    ),
    LabTest(
        "BK virus PCR",
        r"(?:bkv?|bk\s+virus|bk\s+polyomavirus)(?:\s+dna)?\s+(?:pcr|viral\s+load|load|dna)",
        _VIRAL_UNITS,
        _IU_VS_COPIES,
    ),
    LabTest(
        "HBV DNA",
        r"(?:hbv|hepatitis\s+b)(?:\s+virus)?\s+(?:dna|viral\s+load|pcr)",
        _VIRAL_UNITS,
        _IU_VS_COPIES,
    ),
    LabTest(
        "HCV RNA", r"(?:hcv|hepatitis\s+c)(?:\s+virus)?\s+(?:rna|viral\s+load|pcr)", ("IU/mL",)
    ),
    LabTest("HIV viral load", r"hiv(?:-1)?\s+(?:viral\s+load|rna|pcr)", ("copies/mL",)),
    LabTest("viral load", r"viral\s+load|\bvl", _VIRAL_UNITS, _IU_VS_COPIES),
    LabTest("CD4 count", r"cd4\+?(?:\s+t[- ]cells?)?(?:\s+(?:count|cells))?", ("cells/µL",)),
    LabTest("creatinine clearance", r"creatinine\s+clearance|crcl|cr\s?cl", ("mL/min",)),
    LabTest(
        "eGFR",
        r"e?gfr|(?:estimated\s+)?glomerular\s+filtration\s+rate",
        ("mL/min/1.73 m²",),
    ),
    LabTest(
        "creatinine",
        r"(?:serum\s+)?creatinine|(?-i:S?Cr)(?=\s*(?:of|is|was|=|:)?\s*\d)",
        ("mg/dL", "µmol/L"),
        _scale_note("mg/dL", "µmol/L"),
    ),
    LabTest(
        "HbA1c",
        r"hba1c|a1c|h(?:a)?emoglobin\s+a1c|glycated\s+h(?:a)?emoglobin",
        ("%", "mmol/mol"),
        _scale_note("%", "mmol/mol"),
    ),
    LabTest(
        "hemoglobin",
        r"h(?:a)?emoglobin|hgb|(?-i:Hb)(?!\w)",
        ("g/dL", "g/L"),
        _scale_note("g/dL", "g/L"),
    ),
    LabTest("platelets", r"platelets?(?:\s+count)?|plts?", ("×10^9/L", "cells/µL")),
    LabTest(
        "white cell count",
        r"wbc(?:\s+count)?|white\s+(?:blood\s+)?cell\s+count|white\s+count|leukocyte\s+count",
        ("×10^9/L",),
    ),
    LabTest(
        "neutrophil count",
        r"anc|absolute\s+neutrophil\s+count|neutrophils?(?:\s+count)?",
        ("×10^9/L", "cells/µL"),
    ),
    LabTest(
        "lymphocyte count",
        r"alc|absolute\s+lymphocyte\s+count|lymphocytes?(?:\s+count)?",
        ("×10^9/L", "cells/µL"),
    ),
    LabTest("INR", r"(?-i:INR)|international\s+normali[sz]ed\s+ratio"),
    LabTest(
        "ALT",
        r"(?-i:ALT)|alanine\s+(?:amino)?transaminase|alanine\s+aminotransferase|sgpt",
        ("U/L",),
    ),
    LabTest(
        "AST",
        r"(?-i:AST)|aspartate\s+(?:amino)?transaminase|aspartate\s+aminotransferase|sgot",
        ("U/L",),
    ),
    LabTest(
        "bilirubin",
        r"(?:total\s+)?bilirubin|t\.?\s?bili",
        ("mg/dL", "µmol/L"),
        _scale_note("mg/dL", "µmol/L"),
    ),
    LabTest(
        "glucose",
        r"(?:blood\s+|plasma\s+|fasting\s+)?glucose|blood\s+sugar",
        ("mg/dL", "mmol/L"),
        _scale_note("mg/dL", "mmol/L"),
    ),
    LabTest(
        "LDL cholesterol",
        r"ldl(?:-c|\s+cholesterol)?|low[- ]density\s+lipoprotein(?:\s+cholesterol)?",
        ("mg/dL", "mmol/L"),
        _scale_note("mg/dL", "mmol/L"),
    ),
    LabTest("potassium", r"potassium|(?-i:K)\+?(?=\s*(?:of|is|was|=|:)?\s*\d)", ("mmol/L",)),
    LabTest("sodium", r"sodium|(?-i:Na)\+?(?=\s*(?:of|is|was|=|:)?\s*\d)", ("mmol/L",)),
    LabTest("albumin", r"(?:serum\s+)?albumin", ("g/dL", "g/L"), _scale_note("g/dL", "g/L")),
    LabTest("CRP", r"crp|c-reactive\s+protein", ("mg/L", "mg/dL"), _scale_note("mg/L", "mg/dL")),
    LabTest(
        "troponin",
        r"(?:high[- ]sensitivity\s+|hs-?)?troponin(?:\s+[it])?",
        ("ng/L", "ng/mL"),
        _scale_note("ng/L", "ng/mL"),
    ),
    LabTest("ferritin", r"ferritin", ("ng/mL",)),
    LabTest("lactate", r"lactate|lactic\s+acid", ("mmol/L",)),
    LabTest("TSH", r"tsh|thyroid[- ]stimulating\s+hormone", ("mIU/L",)),
    LabTest("oxygen saturation", r"spo2|o2\s+sat(?:uration)?|oxygen\s+saturation|sats?", ("%",)),
)

_NUMBER = (
    r"(?<![\w.,^])(?:10\s?\^\s?\(?(?P<pow>\d{1,2})\)?(?!\s?/)|"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?[x×*]\s?10\s?\^?\(?(?P<exp>\d{1,2})\)?(?!\s?/))?)"
)
_LINK = (
    r"(?:[\s:=(]+|\s+(?:is|was|of|at|to|around|about|approximately|now|positive|detectable|"
    r"elevated|high|low|increased|rose|level|count|result|value|titer|titre|measured|a|"
    r"only|just|came|come|comes|has|have|had|returned|fell|dropped|risen|down|up|back|over|"
    r"under|[<>≤≥~])(?=[\s\d]))"
)
_VALUE = rf"(?:{_LINK}){{1,5}}\s*{_NUMBER}(?:\s?(?P<unit>{UNIT_PATTERN}))?"
_VIRUS_BEFORE = re.compile(
    r"\b(cmv|cytomegalovirus|ebv|epstein[- ]barr|bkv?|hbv|hepatitis b|hiv)\b[^.;]{0,40}$", re.I
)
_VIRUS_TEST = {
    "cmv": "CMV PCR",
    "cytomegalovirus": "CMV PCR",
    "ebv": "EBV PCR",
    "epstein-barr": "EBV PCR",
    "epstein barr": "EBV PCR",
    "bk": "BK virus PCR",
    "bkv": "BK virus PCR",
    "hbv": "HBV DNA",
    "hepatitis b": "HBV DNA",
    "hiv": "HIV viral load",
}


@dataclass(frozen=True, slots=True)
class LabMatch:
    """A lab value found in text, with where its test name and the whole match are."""

    value: LabValue
    start: int
    end: int
    name_end: int


@lru_cache(maxsize=1)
def _names() -> tuple[tuple[LabTest, re.Pattern[str]], ...]:
    """Each test's name alone: quick to compile, and a text without it needs no more."""
    return tuple(
        (test, re.compile(rf"(?<![\w-])(?:{test.pattern})(?![\w-])", re.I)) for test in LAB_TESTS
    )


@lru_cache(maxsize=len(LAB_TESTS))
def _pattern(test: LabTest) -> re.Pattern[str]:
    """The test's name and value, compiled when a text first names it (the value pattern,
    with its units, makes the 33 of them 50 ms to compile)."""
    return re.compile(rf"(?<![\w-])(?P<name>{test.pattern})(?![\w-]){_VALUE}", re.I)


@lru_cache(maxsize=1)
def _bare_viral() -> re.Pattern[str]:
    units = r"copies/m[lL]|IU/mL|log(?:10)?\s?(?:copies|IU)/mL"
    return re.compile(rf"{_NUMBER}\s?(?P<unit>{units})", re.I)


def lab_test(name: str) -> LabTest | None:
    return next((t for t in LAB_TESTS if t.name == name), None)


def find_labs(text: str) -> list[LabMatch]:
    """Lab values in order of appearance; a span claimed by one test is not read again."""
    found: list[LabMatch] = []
    taken: list[tuple[int, int]] = []
    for test, named in _names():
        if named.search(text) is None:
            continue
        for m in _pattern(test).finditer(text):
            if _overlaps(m.start(), m.end(), taken):
                continue
            found.append(
                LabMatch(_value(test.name, m, m.group(0)), m.start(), m.end(), m.end("name"))
            )
            taken.append((m.start(), m.end()))
    for m in _bare_viral().finditer(text):
        if not _overlaps(m.start(), m.end(), taken):
            virus = _VIRUS_BEFORE.search(text[: m.start()])
            name = _VIRUS_TEST.get(virus.group(1).lower(), "viral load") if virus else "viral load"
            found.append(LabMatch(_value(name, m, m.group(0)), m.start(), m.end(), m.start()))
    return sorted(found, key=lambda f: f.start)


def _value(test: str, m: re.Match[str], raw: str) -> LabValue:
    if m.group("pow"):
        value = float(10 ** int(m.group("pow")))
    else:
        value = float(m.group("num").replace(",", ""))
    if m.group("exp"):
        value *= 10 ** int(m.group("exp"))
    written = m.group("unit")
    unit = parse_unit(written) if written else None
    if unit is None:
        return LabValue(test, value, raw)
    return LabValue(
        test,
        value,
        raw,
        unit=unit.symbol,
        dimension=unit.dimension,
        canonical_value=to_canonical(value, unit),
        canonical_unit=unit.canonical,
    )


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in taken)


@lru_cache(maxsize=1)
def _drug_level() -> re.Pattern[str]:
    return re.compile(rf"\s+(?:trough\s+)?(?:levels?|concentrations?|troughs?){_VALUE}", re.I)


def drug_level(text: str, start: int, drug_end: int, generic: str) -> LabMatch | None:
    """A drug level right after a drug's name ("tacrolimus trough level 12 ng/mL")."""
    m = _drug_level().match(text, drug_end)
    if m is None:
        return None
    value = _value(f"{generic} level", m, text[start : m.end()])
    return LabMatch(value, start, m.end(), drug_end)

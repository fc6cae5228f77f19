"""The entities a claim must agree on with its source: drugs and conditions.

Drugs come from the offline drug dictionary (`find_drug_mentions`), compared by generic name
so "Jakafi" agrees with "ruxolitinib". Conditions are found by transparent rules: a form
from the curated vocabulary (with its synonyms: "CMV" agrees with "cytomegalovirus"), a word
with a disease suffix ("hepatitis", "lymphoma", "neuropathy"), or a word before a disease
noun ("Noonan syndrome", "valley fever", "kidney disease").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from medcite.text import STOPWORDS, term_set
from medcite.understand.drugs import find_drug_mentions
from medcite.understand.vocab import CASE_SENSITIVE, SYNONYM_GROUPS

_SUFFIXED = re.compile(
    r"\b[A-Za-z][a-z]+(?:itis|osis|emia|aemia|oma|omas|pathy|plasia|algia|penia|cytosis|"
    r"iasis|uria|trophy)\b"
)
_NOT_CONDITIONS = frozenset(
    """diagnosis prognosis apoptosis mitosis meiosis osmosis hypnosis symbiosis stoma
    diploma aroma genoma""".split()
)
_HEADED = re.compile(
    r"\b(?P<mod>[A-Za-z][\w'’-]*)\s+(?:syndrome|disease|infection|cancer|fever|disorder|"
    r"deficiency|virus|carcinoma|tumou?r|palsy|dystrophy)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition named in a claim, and the analyzed forms that count as naming it."""

    text: str
    start: int
    end: int
    forms: tuple[frozenset[str], ...]

    def found_in(self, terms: frozenset[str]) -> bool:
        return any(form <= terms for form in self.forms)


@dataclass(frozen=True, slots=True)
class Entities:
    """Drugs (generic name -> the text naming it) and conditions of one claim."""

    drugs: Mapping[str, str]
    conditions: tuple[Condition, ...]
    spans: tuple[tuple[int, int], ...]


@lru_cache(maxsize=4096)
def claim_entities(text: str) -> Entities:
    drugs: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    for mention in find_drug_mentions(text):
        drugs.setdefault(mention.drug.generic, mention.text)
        spans.append((mention.start, mention.end))
    conditions = _conditions(text, spans)
    spans += [(c.start, c.end) for c in conditions]
    return Entities(drugs, tuple(conditions), tuple(spans))


@lru_cache(maxsize=8192)
def drugs_in(text: str) -> frozenset[str]:
    """Generic names of the drugs a text names."""
    return frozenset(m.drug.generic for m in find_drug_mentions(text))


def blank(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """`text` with the given spans replaced by spaces (entities left out of word overlap)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _conditions(text: str, taken: list[tuple[int, int]]) -> list[Condition]:
    found: list[Condition] = []
    occupied = list(taken)
    for start, end, forms in _candidates(text):
        if any(s < end and start < e for s, e in occupied):
            continue
        occupied.append((start, end))
        found.append(Condition(text[start:end], start, end, forms))
    return sorted(found, key=lambda c: c.start)


def _candidates(text: str) -> list[tuple[int, int, tuple[frozenset[str], ...]]]:
    out: list[tuple[int, int, tuple[frozenset[str], ...]]] = []
    for m in _vocabulary().finditer(text):
        form = m.group(0).lower()
        if form in CASE_SENSITIVE and not m.group(0).isupper():
            continue
        out.append((m.start(), m.end(), _forms(_groups()[form])))
    for m in _HEADED.finditer(text):
        if m.group("mod").lower() not in STOPWORDS:
            out.append((m.start(), m.end(), _forms((m.group(0),))))
    for m in _SUFFIXED.finditer(text):
        if m.group(0).lower() not in _NOT_CONDITIONS:
            out.append((m.start(), m.end(), _forms((m.group(0),))))
    return out


def _forms(names: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    return tuple(f for f in (term_set(n) for n in names) if f)


@lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[str, ...]]:
    return {form: group for group in SYNONYM_GROUPS for form in group}


@lru_cache(maxsize=1)
def _vocabulary() -> re.Pattern[str]:
    forms = sorted(_groups(), key=len, reverse=True)
    body = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)

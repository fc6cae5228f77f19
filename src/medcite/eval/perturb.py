"""Adversarial perturbations of verified claims: the errors verification must catch.

Each kind rewrites one claim the way a careless writer (or a hostile source) would: a dose ten
times too large or too small, a tenfold-error notation, mg for mcg, a per-kg basis added or
dropped, a different dosing interval, a dropped or added "not", another drug or condition, a
citation to the wrong passage or to a passage that does not exist. `perturb` returns None
when a kind does not apply to a claim (no number to change, no drug to swap...).

The "hard" kinds (numbers, units, intervals, unknown citations) must be caught every time,
on any data; tests enforce it and `medcite eval faithfulness` fails if one is missed. The
others are measured: a lexical check catches negation and entity swaps in the tests' own
sentences, but not always in real text, and a citation moved to another retrieved passage
is not an error when that passage says the same thing (BioASQ abstracts often do).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from enum import StrEnum

from medcite.clinical.doses import Interval, Quantity, parse_measures
from medcite.clinical.units import DOSE_UNITS
from medcite.text import term_set
from medcite.types import Claim, Passage
from medcite.understand.drugs import find_drug_mentions
from medcite.verify.entities import claim_entities, drugs_in

UNKNOWN_PASSAGE = "no-such-passage"
_DRUGS = ("warfarin", "metformin", "amoxicillin", "methotrexate", "furosemide", "lisinopril")
_CONDITIONS = ("psoriasis", "gastritis", "leukemia", "neuropathy", "endometriosis")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class Perturbation(StrEnum):
    TIMES_10 = "dose x10"
    DIVIDED_10 = "dose /10"
    NAKED_DECIMAL = "naked decimal (.5 mg)"
    TRAILING_ZERO = "trailing zero (5.0 mg)"
    MG_MCG = "mg <-> mcg"
    WEIGHT_BASIS = "mg <-> mg/kg"
    INTERVAL = "dosing interval changed"
    DROP_NEGATION = "negation dropped"
    ADD_NEGATION = "negation added"
    DRUG_SWAP = "drug swapped"
    CONDITION_SWAP = "condition swapped"
    WRONG_CITATION = "cites the wrong passage"
    UNKNOWN_CITATION = "cites an unknown passage"

    @property
    def hard(self) -> bool:
        """Whether verification must catch every instance, on any data."""
        return self not in _SOFT


_SOFT = frozenset(
    {
        Perturbation.DROP_NEGATION,
        Perturbation.ADD_NEGATION,
        Perturbation.DRUG_SWAP,
        Perturbation.CONDITION_SWAP,
        Perturbation.WRONG_CITATION,
    }
)


def perturb(
    claim: Claim, kind: Perturbation, passages: Mapping[str, Passage], choice: int = 0
) -> Claim | None:
    """`claim` with one error of `kind` (the `choice`-th place it applies), or None."""
    if kind == Perturbation.UNKNOWN_CITATION:
        return replace(claim, passage_ids=(UNKNOWN_PASSAGE,), support=())
    if kind == Perturbation.WRONG_CITATION:
        return _wrong_citation(claim, passages, choice)
    cited = " ".join(passages[p].text for p in claim.passage_ids if p in passages)
    text = _REWRITERS[kind](claim.text, cited, choice)
    if text is None or text == claim.text:
        return None
    return replace(claim, text=text, support=())


# --- numbers -----------------------------------------------------------------------------


def _pick(items: list[Quantity], choice: int) -> Quantity | None:
    return items[choice % len(items)] if items else None


def _splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _scale_number(text: str, choice: int, factor: Decimal) -> str | None:
    q = _pick(list(parse_measures(text).quantities), choice)
    if q is None:
        return None
    number = _mantissa(q.notation)
    return _splice(text, q.start, q.start + len(q.notation), _plain(number * factor))


def _mantissa(notation: str) -> Decimal:
    return Decimal(re.sub(r"[,\s\u00a0\u2009\u202f]", "", notation).replace("·", "."))


def _times_10(text: str, _cited: str, choice: int) -> str | None:
    return _scale_number(text, choice, Decimal(10))


def _divided_10(text: str, _cited: str, choice: int) -> str | None:
    return _scale_number(text, choice, Decimal("0.1"))


def _simple(text: str) -> list[Quantity]:
    return [q for q in parse_measures(text).quantities if _PLAIN_NUMBER.fullmatch(q.notation)]


def _naked_decimal(text: str, _cited: str, choice: int) -> str | None:
    """ "0.5 mg" -> ".5 mg" (same value, ambiguous); "5 mg" -> ".5 mg" (a tenth)."""
    q = _pick(_simple(text), choice)
    if q is None:
        return None
    written = q.notation
    naked = written[1:] if written.startswith("0.") else "." + written.replace(".", "")
    return _splice(text, q.start, q.start + len(written), naked)


def _trailing_zero(text: str, _cited: str, choice: int) -> str | None:
    """ "5 mg" -> "5.0 mg", "2.5 mg" -> "2.50 mg" (doses only: read as ten times more)."""
    q = _pick([q for q in _simple(text) if q.unit in DOSE_UNITS and q.high is None], choice)
    if q is None:
        return None
    written = q.notation
    padded = f"{written}0" if "." in written else f"{written}.0"
    return _splice(text, q.start, q.start + len(written), padded)


_MASS = re.compile(r"(?<![A-Za-z])(mg|mcg|µg|μg|milligrams?|micrograms?)(?![A-Za-z])")
_MASS_SWAP = {"mg": "mcg", "mcg": "mg", "µg": "mg", "μg": "mg", "milligram": "microgram"}
_MASS_SWAP.update({"milligrams": "micrograms", "microgram": "milligram"})
_MASS_SWAP.update({"micrograms": "milligrams"})


def _mg_mcg(text: str, _cited: str, choice: int) -> str | None:
    q = _pick([q for q in parse_measures(text).quantities if q.unit in ("mg", "mcg")], choice)
    if q is None:
        return None
    m = _MASS.search(text, q.start + len(q.notation), q.end)
    if m is None:
        return None
    return _splice(text, m.start(), m.end(), _MASS_SWAP[m.group(1)])


def _weight_basis(text: str, _cited: str, choice: int) -> str | None:
    wanted = {"mg", "mcg", "g", "units", "IU", "mL"}
    pool = [q for q in parse_measures(text).quantities if q.unit in wanted]
    q = _pick(pool, choice)
    if q is None:
        return None
    if q.basis == "kg":
        raw = re.sub(r"\s*(?:/|per)\s*(?:kg|kilogram)", "", q.raw, count=1)
        return _splice(text, q.start, q.end, raw)
    unit_end = q.end if q.per is None else q.start + _unit_end(q.raw)
    return _splice(text, unit_end, unit_end, "/kg")


def _unit_end(raw: str) -> int:
    slash = re.search(r"\s*(?:/|\sper\s)", raw)
    return slash.start() if slash else len(raw)


# --- intervals ---------------------------------------------------------------------------

_NAMED_SWAP = {"bid": "tid", "tid": "bid", "qid": "tid", "qd": "bid", "qod": "qd", "qhs": "bid"}
_NAMED_SWAP.update({"bd": "tds", "tds": "bd", "qds": "tds"})
_COUNT_SWAP = {"once": "twice", "twice": "three times", "thrice": "twice", "one time": "twice"}
_COUNT_SWAP.update({"two times": "three times", "three times": "twice", "four times": "twice"})
_COUNT = re.compile(
    r"\b(?:once|twice|thrice|one time|two times|three times|four times)\b", re.IGNORECASE
)
_NEW_HOURS = {"12": "8", "8": "12", "24": "12", "6": "8", "4": "6", "48": "24", "2": "3"}


def _interval(text: str, _cited: str, choice: int) -> str | None:
    intervals = list(parse_measures(text).intervals)
    if not intervals:
        return None
    i = intervals[choice % len(intervals)]
    return _splice(text, i.start, i.end, _changed(i))


def _changed(interval: Interval) -> str:
    raw = interval.raw
    number = re.search(r"\d+", raw)
    if number is not None:
        new = _NEW_HOURS.get(number.group(0), str(int(number.group(0)) * 2))
        return _splice(raw, number.start(), number.end(), new)
    key = raw.lower().replace(".", "")
    if key in _NAMED_SWAP:
        return _NAMED_SWAP[key].upper() if raw.isupper() else _NAMED_SWAP[key]
    count = _COUNT.search(raw)
    if count is not None:
        new = _COUNT_SWAP[" ".join(count.group(0).lower().split())]
        return _splice(raw, count.start(), count.end(), new)
    # "daily", "every other week", "at bedtime": another clock interval altogether.
    return "every 12 hours" if interval.hours == 8 else "every 8 hours"


# --- negation and entities ---------------------------------------------------------------

_DROPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bcannot\b"), "can"),
    (re.compile(r"\b(do|does|did|is|are|was|were|ca|wo|should|could|would|has|have)n't\b"), ""),
    (re.compile(r"\bnot\s+"), ""),
    (re.compile(r"\bnever\b"), "always"),
    (re.compile(r"\bwithout\b"), "with"),
    (re.compile(r"\b[Nn]o\s+(?=[a-z])"), ""),
)
_AUXILIARY = re.compile(
    r"\b(is|are|was|were|should|must|may|can|could|will|would|does|do|did)\b"
    r"(?![\w'’]|\s+not\b)"
)


def _drop_negation(text: str, _cited: str, _choice: int) -> str | None:
    for pattern, new in _DROPS:
        m = pattern.search(text)
        if m is None:
            continue
        if new == "" and m.lastindex:  # "doesn't" -> "does", "won't" -> "wo" + "ll"
            stem = {"ca": "can", "wo": "will"}.get(m.group(1), m.group(1))
            return _splice(text, m.start(), m.end(), stem)
        return _splice(text, m.start(), m.end(), new)
    return None


def _add_negation(text: str, _cited: str, _choice: int) -> str | None:
    m = _AUXILIARY.search(text)
    if m is None:
        return None
    return _splice(text, m.end(), m.end(), " not")


def _drug_swap(text: str, cited: str, choice: int) -> str | None:
    """Another drug in place of one the claim names: one its own source names elsewhere if
    there is one (the hard case), else a drug the source never names."""
    mentions = find_drug_mentions(text)
    if not mentions:
        return None
    mention = mentions[choice % len(mentions)]
    named = {m.drug.generic for m in mentions}
    nearby = [m.text for m in find_drug_mentions(cited) if m.drug.generic not in named]
    other = next(iter(nearby), None) or next((d for d in _DRUGS if d not in drugs_in(cited)), None)
    if other is None:
        return None
    if mention.text[:1].isupper() and other[:1].islower():
        other = other.capitalize()
    return _splice(text, mention.start, mention.end, other)


def _condition_swap(text: str, cited: str, choice: int) -> str | None:
    """Another condition in place of one the claim names (not a synonym of it), preferring
    one its own source names elsewhere (the hard case)."""
    conditions = claim_entities(text).conditions
    if not conditions:
        return None
    original = conditions[choice % len(conditions)]
    claim_terms = term_set(text)
    nearby = [
        c.text
        for c in claim_entities(cited).conditions
        if not c.found_in(claim_terms) and not original.found_in(term_set(c.text))
    ]
    present = term_set(cited)
    other = next(iter(nearby), None) or next(
        (c for c in _CONDITIONS if not term_set(c) <= present), None
    )
    if other is None:
        return None
    return _splice(text, original.start, original.end, other)


def _wrong_citation(claim: Claim, passages: Mapping[str, Passage], choice: int) -> Claim | None:
    """Cite another retrieved passage instead, one that does not hold the claim's text."""
    claim_words = " ".join(claim.text.split())
    others = [
        pid
        for pid, p in passages.items()
        if pid not in claim.passage_ids and claim_words not in " ".join(p.text.split())
    ]
    if not others:
        return None
    return replace(claim, passage_ids=(others[choice % len(others)],), support=())


_REWRITERS: dict[Perturbation, Callable[[str, str, int], str | None]] = {
    Perturbation.TIMES_10: _times_10,
    Perturbation.DIVIDED_10: _divided_10,
    Perturbation.NAKED_DECIMAL: _naked_decimal,
    Perturbation.TRAILING_ZERO: _trailing_zero,
    Perturbation.MG_MCG: _mg_mcg,
    Perturbation.WEIGHT_BASIS: _weight_basis,
    Perturbation.INTERVAL: _interval,
    Perturbation.DROP_NEGATION: _drop_negation,
    Perturbation.ADD_NEGATION: _add_negation,
    Perturbation.DRUG_SWAP: _drug_swap,
    Perturbation.CONDITION_SWAP: _condition_swap,
}

"""PatientContext from a conversation: each turn read on its own, later turns overriding.

A turn is read for lab values, drugs (generic and brand names through the offline drug
dictionary), conditions and patient states, age, sex and weight; negation is applied to the
drugs and conditions it names. Doses are kept as the text written after the drug
("15 mg twice daily"); parsing them is `medcite.clinical.doses`' job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from medcite.clinical import facts
from medcite.clinical.conditions import (
    FACTS,
    TRANSPLANT,
    ConditionMatch,
    find_conditions,
    transplant_type,
)
from medcite.clinical.labs import LabMatch, drug_level, find_labs
from medcite.clinical.negation import negated
from medcite.clinical.renal import read_child_pugh
from medcite.types import DrugUse, Finding, LabValue, PatientContext
from medcite.understand.drugs import DrugMention, find_drug_mentions

_TAKING = re.compile(
    r"\b(?:on|taking|takes|took|receiving|receives|received|treated\s+with|started\s+on|using|"
    r"uses|prescribed|maintained\s+on|continuing|continues)\s+(?:[\w-]+\s+)?$",
    re.I,
)
_SAME_LIST = re.compile(r"^[\s,/()]*(?:and|or|plus|with)?[\s,/()]*$", re.I)
_ALLERGY_BEFORE = re.compile(
    r"\b(?:allergic|allergy|allergies|hypersensitivity|hypersensitive|intoleran(?:t|ce))"
    r"\s+(?:to\s+)?$",
    re.I,
)
_ALLERGY_AFTER = re.compile(
    r"\s*(?:allergy|allergies|allergic|intolerance|hypersensitivity)\b", re.I
)
# Allergens the drug dictionary does not know ("sulfa allergy", "allergic to latex").
_ALLERGEN = re.compile(
    r"\ballergic\s+to\s+([a-z][\w-]+)|\b([a-z][\w-]+)\s+(?:allergy|allergies)\b", re.I
)
_NOT_ALLERGENS = frozenset(
    "a an any the no known drug drugs food medication medicine severe mild seasonal multiple "
    "other his her my their has have had with".split()
)
_DOSE = re.compile(
    r"\s*(?:\([^)]{0,40}\)\s*)?(?:at\s+(?:a\s+dose\s+of\s+)?)?"
    r"((?:\d+(?:\.\d+)?|\.\d+)\s?(?:mg/kg|mg/m2|mg|mcg|µg|μg|g|units?|IU|mL)\b"
    r"(?:\s*(?:/\s?day|per\s+day|(?:once|twice|three\s+times|four\s+times)\s+(?:a\s+day|daily|"
    r"weekly)|daily|weekly|nightly|at\s+night|bid|b\.i\.d\.|tid|qid|qd|q\d+h|"
    r"every\s+\d+\s+(?:hours|h|days|weeks)|a\s+day)){0,2})",
    re.I,
)


@dataclass(frozen=True, slots=True)
class _Entity:
    """A drug or condition named in a turn, for the negation window."""

    start: int
    end: int
    drug: DrugMention | None = None
    condition: ConditionMatch | None = None


def extract_context(turns: Sequence[str]) -> PatientContext:
    """The patient context of a conversation, earliest turn first; later facts override."""
    context = PatientContext()
    for turn in turns:
        context = merge(context, read_turn(turn))
    return context


def read_turn(text: str) -> PatientContext:
    """Everything one piece of text says about the patient."""
    labs = find_labs(text)
    mentions, allergies = _drug_mentions(text, labs)
    entities = sorted(
        [_Entity(m.start, m.end, drug=m) for m in mentions]
        + [_Entity(c.start, c.end, condition=c) for c in find_conditions(text)],
        key=lambda e: e.start,
    )
    denied = negated(text, [(e.start, e.end) for e in entities])
    drugs, drug_labs = _drugs(
        text, [e for i, e in enumerate(entities) if e.drug and i not in denied]
    )
    context = PatientContext(
        drugs=drugs,
        labs=tuple(m.value for m in sorted([*labs, *drug_labs], key=lambda m: m.start)),
        allergies=allergies,
        age_years=facts.age_years(text),
        sex=facts.sex(text),
        weight_kg=facts.weight_kg(text),
        child_pugh=read_child_pugh(text),
    )
    return _with_conditions(context, text, entities, denied)


def _drug_mentions(text: str, labs: list[LabMatch]) -> tuple[list[DrugMention], tuple[str, ...]]:
    """Drug mentions that are not classes (`Drug.is_class`), lab analytes or allergies; and
    the allergies."""
    kept: list[DrugMention] = []
    allergies: list[str] = []
    for m in find_drug_mentions(text):
        if any(m.start < lab.name_end and lab.start < m.end for lab in labs):
            continue
        if _ALLERGY_BEFORE.search(text, max(0, m.start - 40), m.start) or _ALLERGY_AFTER.match(
            text, m.end
        ):
            allergies.append(m.drug.generic)
        elif not m.drug.is_class:
            kept.append(m)
    return kept, tuple(dict.fromkeys([*allergies, *_other_allergens(text, allergies)]))


def _other_allergens(text: str, resolved: list[str]) -> list[str]:
    """Allergens named as written, when the drug dictionary did not already resolve them."""
    out = []
    for m in _ALLERGEN.finditer(text):
        word = (m.group(1) or m.group(2)).lower()
        if word not in _NOT_ALLERGENS and not any(word in name for name in resolved):
            out.append(word)
    return out


def _drugs(text: str, entities: list[_Entity]) -> tuple[tuple[DrugUse, ...], list[LabMatch]]:
    """One DrugUse per generic name, with the names written, dose text and whether taken."""
    by_generic: dict[str, DrugUse] = {}
    levels: list[LabMatch] = []
    previous: tuple[int, bool] | None = None  # end and `current` of the previous drug
    for entity in entities:
        m = entity.drug
        if m is None:
            continue
        current = bool(_TAKING.search(text, max(0, m.start - 40), m.start))
        if previous is not None and _SAME_LIST.match(text[previous[0] : m.start]):
            current = current or previous[1]
        dose = _DOSE.match(text, m.end)
        level = drug_level(text, m.start, m.end, m.drug.generic)
        if level is not None:
            levels.append(level)
            current = True
        previous = (level.end if level else dose.end() if dose else m.end, current)
        use = DrugUse(
            generic=m.drug.generic,
            names=m.drug.names,
            mentions=(m.text,),
            dose=dose.group(1) if dose and level is None else None,
            current=current,
        )
        by_generic[use.generic] = _combine(by_generic.get(use.generic), use)
    return tuple(by_generic.values()), levels


def _combine(old: DrugUse | None, new: DrugUse) -> DrugUse:
    """Two statements about one drug: names merged, the newer dose, taken if either says so."""
    if old is None:
        return new
    return replace(
        old,
        names=new.names or old.names,
        mentions=tuple(dict.fromkeys((*old.mentions, *new.mentions))),
        dose=new.dose or old.dose,
        current=old.current or new.current,
    )


def _with_conditions(
    context: PatientContext, text: str, entities: list[_Entity], denied: set[int]
) -> PatientContext:
    """Conditions present or denied, and the patient facts they set."""
    present: dict[str, Finding] = {}
    absent: dict[str, Finding] = {}
    values: dict[str, bool] = {}
    organ: str | None = None
    for index, entity in enumerate(entities):
        surface = text[entity.start : entity.end]
        if entity.drug is not None and index in denied:
            generic = entity.drug.drug.generic
            absent.setdefault(generic, Finding(generic, surface))
        if entity.condition is None:
            continue
        spec, is_denied = entity.condition.spec, index in denied
        if spec.fact is not None:
            value = spec.fact_value != is_denied
            values[spec.fact] = values.get(spec.fact, False) or value
            if spec.fact == TRANSPLANT and value and organ is None:
                organ = transplant_type(surface)
        if spec.is_condition:
            (absent if is_denied else present).setdefault(spec.name, Finding(spec.name, surface))
    return replace(
        context,
        conditions=tuple(present.values()),
        negated=tuple(absent.values()),
        transplant_type=organ if values.get(TRANSPLANT) else None,
        **_facts(values),
    )


def _facts(values: dict[str, bool]) -> dict[str, Any]:
    return {name: values.get(name) for name in FACTS}


def merge(earlier: PatientContext, later: PatientContext) -> PatientContext:
    """`later` added to `earlier`: a fact stated again replaces the earlier statement."""
    denied_now = {f.name for f in later.negated}
    stated_now = {f.name for f in later.conditions} | {d.generic for d in later.drugs}
    drugs = {d.generic: d for d in earlier.drugs if d.generic not in denied_now}
    for drug in later.drugs:
        drugs[drug.generic] = _combine(drugs.get(drug.generic), drug)
    labs: dict[str, LabValue] = {lab.test: lab for lab in (*earlier.labs, *later.labs)}
    scalars = {
        name: value if (value := getattr(later, name)) is not None else getattr(earlier, name)
        for name in _SCALARS
    }
    if later.transplant is not None:
        scalars["transplant_type"] = later.transplant_type
    merged = PatientContext(
        drugs=tuple(drugs.values()),
        labs=tuple(labs.values()),
        conditions=_findings(earlier.conditions, later.conditions, denied_now),
        negated=_findings(earlier.negated, later.negated, stated_now),
        allergies=tuple(dict.fromkeys((*earlier.allergies, *later.allergies))),
    )
    return replace(merged, **scalars)


_SCALARS = ("age_years", "sex", "weight_kg", "transplant_type", "child_pugh", *FACTS)


def _findings(
    earlier: Iterable[Finding], later: Iterable[Finding], withdrawn: set[str]
) -> tuple[Finding, ...]:
    kept = {f.name: f for f in earlier if f.name not in withdrawn}
    kept.update({f.name: f for f in later})
    return tuple(kept.values())

"""A patient context in a few words, for the reader to check what medcite understood."""

from __future__ import annotations

from medcite.types import DrugUse, LabValue, PatientContext

_FACT_WORDS = (
    ("pregnant", "pregnant", "not pregnant"),
    ("breastfeeding", "breastfeeding", "not breastfeeding"),
    ("renal_impairment", "renal impairment", "no renal impairment"),
    ("hepatic_impairment", "hepatic impairment", "no hepatic impairment"),
    ("immunocompromised", "immunocompromised", "not immunocompromised"),
)
# Denied states already said as a fact ("not pregnant" rather than "no pregnancy").
_SAID_AS_FACTS = frozenset(
    {"pregnancy", "breastfeeding", "immunocompromise", "renal impairment", "hepatic impairment"}
)


def describe(context: PatientContext) -> list[str]:
    """Short phrases: "on ruxolitinib (Jakafi)", "CMV PCR 1700 (no unit given)", "no fever"."""
    parts = [_person(context)] if _person(context) else []
    parts += [_drug(d) for d in context.drugs]
    parts += [_lab(lab) for lab in context.labs]
    parts += [f.name for f in context.conditions if f.name != "transplant"]
    if context.transplant is not None:
        parts.append(_transplant(context))
    for field, yes, no in _FACT_WORDS:
        value = getattr(context, field)
        if value is not None and not (field == "pregnant" and value and "pregnancy" in parts):
            parts.append(yes if value else no)
    parts += [f"no {f.name}" for f in context.negated if f.name not in _SAID_AS_FACTS]
    parts += [f"allergic to {a}" for a in context.allergies]
    return list(dict.fromkeys(p for p in parts if p))


def _person(context: PatientContext) -> str:
    words = []
    if context.age_years is not None:
        age = context.age_years
        words.append(f"{age:g} years old" if age >= 2 else f"{round(age * 12):d} months old")
    if context.sex:
        words.append(context.sex)
    if context.weight_kg is not None:
        words.append(f"{context.weight_kg:g} kg")
    return ", ".join(words)


def _drug(drug: DrugUse) -> str:
    text = f"on {drug.display}" if drug.current else drug.display
    return f"{text} {drug.dose}" if drug.dose else text


def _lab(lab: LabValue) -> str:
    return lab.display if lab.unit else f"{lab.display} (no unit given)"


def _transplant(context: PatientContext) -> str:
    if not context.transplant:
        return "no transplant"
    kind = context.transplant_type
    return f"{kind} transplant" if kind else "transplant"

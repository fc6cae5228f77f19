"""The public JSON shapes of the patient: what the question (and earlier turns) say about
them, and what each turn carried over, added and computed. See schema.py."""

from __future__ import annotations

from pydantic import Field

from medcite.schema_references import PublicModel
from medcite.types import PatientContext, TurnContext


class DrugPublic(PublicModel):
    generic: str = Field(description="Generic name the drug was resolved to.")
    mentions: list[str] = Field(description="The names as written (brand or generic).")
    dose: str | None = Field(description="Dose text written after the drug, unparsed.")
    current: bool = Field(description="True when the patient is said to be on the drug.")


class LabPublic(PublicModel):
    test: str
    value: float
    unit: str | None = Field(description="Unit as normalised; null when none was given.")
    text: str = Field(description="The value as written in the question.")
    canonical_value: float | None = Field(description="Value in the canonical unit, if any.")
    canonical_unit: str | None


class PatientContextPublic(PublicModel):
    """What the question says about the patient; null means not stated."""

    drugs: list[DrugPublic]
    labs: list[LabPublic]
    conditions: list[str] = Field(description="Conditions and symptoms stated present.")
    negated: list[str] = Field(description="Conditions, states or drugs stated absent.")
    allergies: list[str]
    age_years: float | None
    sex: str | None
    weight_kg: float | None
    pregnant: bool | None
    breastfeeding: bool | None
    renal_impairment: bool | None
    hepatic_impairment: bool | None
    transplant: bool | None
    transplant_type: str | None
    immunocompromised: bool | None
    child_pugh: str | None = Field(
        default=None, description="Child–Pugh class (A, B or C) when the question states it."
    )


class ComputedPublic(PublicModel):
    """A value medcite derived from the patient's data, with what it was derived from."""

    name: str = Field(description='"CrCl", "eGFR" or "Child–Pugh class".')
    value: float | None = Field(description="The value; null when an input is missing.")
    unit: str | None
    method: str = Field(
        description='"Cockcroft–Gault", "CKD-EPI 2021 (race-free)", or "stated" (as given).'
    )
    inputs: list[str] = Field(description='Inputs as used ("creatinine 2.1 mg/dL", "68 y").')
    missing: list[str] = Field(description="Inputs the computation needed but was not given.")
    category: str | None = Field(
        default=None, description="GFR category of an eGFR (G1–G5), or the Child–Pugh class."
    )
    statement: str = Field(description="The computation as shown among the assumptions.")


class TurnContextPublic(PublicModel):
    """What this turn of a conversation knew: carried from earlier turns, new in this one."""

    carried: list[str] = Field(
        description="Patient details read from earlier turns and still true (short phrases)."
    )
    new: list[str] = Field(description="Patient details this turn added or changed.")
    carried_subjects: list[str] = Field(
        description="Subjects of earlier questions this answer kept (never a cause to abstain)."
    )
    dropped_subjects: list[str] = Field(
        description="Earlier subjects left behind because this question names a new one."
    )
    computed: list[ComputedPublic] = Field(
        description="Values computed from the patient's data (CrCl, eGFR), with their inputs."
    )


def context_public(c: PatientContext) -> PatientContextPublic:
    return PatientContextPublic(
        drugs=[
            DrugPublic(generic=d.generic, mentions=list(d.mentions), dose=d.dose, current=d.current)
            for d in c.drugs
        ],
        labs=[
            LabPublic(
                test=lab.test,
                value=lab.value,
                unit=lab.unit,
                text=lab.text,
                canonical_value=lab.canonical_value,
                canonical_unit=lab.canonical_unit,
            )
            for lab in c.labs
        ],
        conditions=[f.name for f in c.conditions],
        negated=[f.name for f in c.negated],
        allergies=list(c.allergies),
        age_years=c.age_years,
        sex=c.sex,
        weight_kg=c.weight_kg,
        pregnant=c.pregnant,
        breastfeeding=c.breastfeeding,
        renal_impairment=c.renal_impairment,
        hepatic_impairment=c.hepatic_impairment,
        transplant=c.transplant,
        transplant_type=c.transplant_type,
        immunocompromised=c.immunocompromised,
        child_pugh=c.child_pugh,
    )


def turn_public(t: TurnContext) -> TurnContextPublic:
    return TurnContextPublic(
        carried=list(t.carried),
        new=list(t.new),
        carried_subjects=list(t.carried_subjects),
        dropped_subjects=list(t.dropped_subjects),
        computed=[
            ComputedPublic(
                name=c.name,
                value=c.value,
                unit=c.unit,
                method=c.method,
                inputs=list(c.inputs),
                missing=list(c.missing),
                category=c.category,
                statement=c.statement,
            )
            for c in t.computed
        ],
    )

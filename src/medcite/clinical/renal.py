"""Kidney and liver function from what the question gives: computed, never guessed.

- **CrCl** by Cockcroft–Gault: (140 − age) × weight / (72 × creatinine in mg/dL), × 0.85 for
  a woman (Cockcroft & Gault, Nephron 1976). The weight is taken as written (assumed actual
  body weight); the result is mL/min, not normalised to body surface.
- **eGFR** by CKD-EPI 2021, without race (Inker et al., NEJM 2021):
  142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age (× 1.012 for a woman), κ 0.7
  (women) or 0.9 (men), α −0.241 (women) or −0.302 (men); mL/min/1.73 m².
- From one value the eGFR is placed in a KDIGO **GFR category** (G1–G5): a CKD *stage* needs
  the value to persist for three months, which one question cannot show; and a creatinine
  measured in acute illness may not be at steady state, which both formulas assume.
- Creatinine in µmol/L is converted at 88.4 µmol/L per mg/dL. Both formulas are for adults:
  under 18 the answer says they do not apply. A missing input is named, never filled in.
- A CrCl or eGFR stated in the question is used as stated. A Child–Pugh class is read when
  the question states one (or its score); it is never computed from labs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from medcite.types import Computed, LabValue, PatientContext

UMOL_PER_MG_DL = 88.4
ADULT_AGE = 18
CRCL = "CrCl"
EGFR = "eGFR"
CRCL_UNIT = "mL/min"
EGFR_UNIT = "mL/min/1.73 m²"
CG = "Cockcroft–Gault"
CKD_EPI = "CKD-EPI 2021 (race-free)"
STEADY_STATE = (
    "A single creatinine measured during acute illness may not reflect steady state; "
    "estimates from it may over- or underestimate kidney function."
)
# KDIGO GFR categories: (lowest eGFR of the category, name).
GFR_CATEGORIES: tuple[tuple[float, str], ...] = (
    (90, "G1"),
    (60, "G2"),
    (45, "G3a"),
    (30, "G3b"),
    (15, "G4"),
    (0, "G5"),
)
_CHILD_PUGH = re.compile(
    r"\bchild[- ]?(?:turcotte[- ])?pugh\s+(?:class\s+|grade\s+)?(?P<cls>[ABC])\b"
    r"|\bchild[- ]?pugh\s+(?:score\s+)?(?:of\s+)?(?P<score>\d{1,2})\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class OrganFunction:
    """What is known of the patient's kidney and liver function, with how it was obtained."""

    crcl: Computed | None = None
    egfr: Computed | None = None
    child_pugh: Computed | None = None
    notes: tuple[str, ...] = ()

    @property
    def computed(self) -> tuple[Computed, ...]:
        return tuple(c for c in (self.crcl, self.egfr, self.child_pugh) if c is not None)

    @property
    def renal_known(self) -> bool:
        return any(c.value is not None for c in (self.crcl, self.egfr) if c is not None)

    def statements(self) -> tuple[str, ...]:
        """Each computation as an assumption line, then the notes."""
        return (*(c.statement for c in self.computed), *self.notes)


def creatinine_mg_dl(lab: LabValue) -> float | None:
    """A creatinine value in mg/dL, or None when its unit was not given or is not known."""
    if lab.unit == "mg/dL":
        return lab.value
    if lab.unit == "µmol/L":
        return lab.value / UMOL_PER_MG_DL
    return None


def cockcroft_gault(creatinine: float, age: float, weight: float, female: bool) -> float:
    """Creatinine clearance in mL/min (creatinine in mg/dL, age in years, weight in kg)."""
    crcl = (140 - age) * weight / (72 * creatinine)
    return crcl * 0.85 if female else crcl


def ckd_epi_2021(creatinine: float, age: float, female: bool) -> float:
    """eGFR in mL/min/1.73 m² by the race-free CKD-EPI 2021 creatinine equation."""
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = creatinine / kappa
    egfr: float = 142 * min(ratio, 1.0) ** alpha * max(ratio, 1.0) ** -1.200 * 0.9938**age
    return egfr * 1.012 if female else egfr


def gfr_category(egfr: float) -> str:
    """The KDIGO GFR category of one eGFR value (G1–G5)."""
    return next(name for floor, name in GFR_CATEGORIES if egfr >= floor)


def organ_function(context: PatientContext) -> OrganFunction:
    """Kidney function from the labs (stated, or computed from creatinine) and the stated
    Child–Pugh class; empty when the context gives neither."""
    labs = {lab.test: lab for lab in context.labs}
    creatinine = labs.get("creatinine")
    crcl = _stated(labs.get("creatinine clearance"), CRCL, CRCL_UNIT)
    egfr = _stated(labs.get("eGFR"), EGFR, EGFR_UNIT)
    notes: list[str] = []
    if creatinine is not None:
        if crcl is None:
            crcl = _crcl(creatinine, context)
        if egfr is None:
            egfr = _egfr(creatinine, context)
        notes.append(STEADY_STATE)
    if egfr is not None and egfr.value is not None:
        egfr = _with_category(egfr)
    pugh = _child_pugh(context.child_pugh)
    return OrganFunction(crcl, egfr, pugh, tuple(notes))


def _stated(lab: LabValue | None, name: str, unit: str) -> Computed | None:
    if lab is None:
        return None
    statement = f"{name} {lab.value:g} {unit} as stated in the question."
    return Computed(name, lab.value, unit, "stated", (lab.text.strip(),), (), statement)


def _inputs(creatinine: LabValue, context: PatientContext) -> tuple[str, list[str]]:
    """The creatinine as written (and converted), and the other inputs as stated."""
    mg = creatinine_mg_dl(creatinine)
    shown = f"creatinine {creatinine.value:g} {creatinine.unit or '(no unit)'}"
    if creatinine.unit == "µmol/L" and mg is not None:
        shown += f" (= {mg:.2f} mg/dL)"
    others = []
    if context.age_years is not None:
        others.append(f"{context.age_years:g} y")
    if context.weight_kg is not None:
        others.append(f"{context.weight_kg:g} kg")
    if context.sex:
        others.append(context.sex)
    return shown, others


def _missing(creatinine: LabValue, context: PatientContext, weight: bool) -> tuple[str, ...]:
    needed = [
        ("the creatinine's unit (mg/dL or µmol/L)", creatinine_mg_dl(creatinine) is None),
        ("age", context.age_years is None),
        ("weight", weight and context.weight_kg is None),
        ("sex", context.sex is None),
    ]
    return tuple(name for name, absent in needed if absent)


def _crcl(creatinine: LabValue, context: PatientContext) -> Computed:
    shown, others = _inputs(creatinine, context)
    inputs = (shown, *others)
    mg, age, weight = creatinine_mg_dl(creatinine), context.age_years, context.weight_kg
    if age is not None and age < ADULT_AGE:
        return _not_applicable(CRCL, CRCL_UNIT, CG, inputs)
    if mg is None or age is None or weight is None or context.sex is None:
        return _cannot(CRCL, CRCL_UNIT, CG, inputs, _missing(creatinine, context, weight=True))
    value = cockcroft_gault(mg, age, weight, context.sex == "female")
    statement = (
        f"CrCl {value:.0f} mL/min by Cockcroft–Gault from {', '.join(inputs)} — "
        "weight assumed actual body weight."
    )
    return Computed(CRCL, round(value, 1), CRCL_UNIT, CG, inputs, (), statement)


def _egfr(creatinine: LabValue, context: PatientContext) -> Computed:
    shown, others = _inputs(creatinine, context)
    inputs = (shown, *(o for o in others if not o.endswith(" kg")))
    mg, age = creatinine_mg_dl(creatinine), context.age_years
    if age is not None and age < ADULT_AGE:
        return _not_applicable(EGFR, EGFR_UNIT, CKD_EPI, inputs)
    if mg is None or age is None or context.sex is None:
        return _cannot(EGFR, EGFR_UNIT, CKD_EPI, inputs, _missing(creatinine, context, False))
    value = ckd_epi_2021(mg, age, context.sex == "female")
    statement = f"eGFR {value:.0f} {EGFR_UNIT} by {CKD_EPI} from {', '.join(inputs)}."
    return Computed(EGFR, round(value, 1), EGFR_UNIT, CKD_EPI, inputs, (), statement)


def _with_category(egfr: Computed) -> Computed:
    """The eGFR's statement with its GFR category (one value: a category, not a CKD stage)."""
    category = gfr_category(egfr.value or 0.0)
    extra = (
        f" That is eGFR category {category} from a single value; a CKD stage needs it to "
        "persist for 3 months."
    )
    return replace(egfr, statement=egfr.statement + extra, category=category)


def _cannot(
    name: str, unit: str, method: str, inputs: tuple[str, ...], missing: tuple[str, ...]
) -> Computed:
    statement = (
        f"{name} not computed ({method}): {' and '.join(missing)} not stated "
        f"(given: {', '.join(inputs)})."
    )
    return Computed(name, None, unit, method, inputs, missing, statement)


def _not_applicable(name: str, unit: str, method: str, inputs: tuple[str, ...]) -> Computed:
    statement = (
        f"{name} not computed: {method} is for adults, and the patient is under {ADULT_AGE} "
        "(a pediatric equation such as bedside Schwartz applies)."
    )
    return Computed(name, None, unit, method, inputs, ("adult age",), statement)


def read_child_pugh(text: str) -> str | None:
    """The Child–Pugh class a text states ("Child-Pugh B", "Child-Pugh score 8" -> B)."""
    m = _CHILD_PUGH.search(text)
    if m is None:
        return None
    if m.group("cls"):
        return m.group("cls").upper()
    score = int(m.group("score"))
    if not 5 <= score <= 15:
        return None
    return "A" if score <= 6 else "B" if score <= 9 else "C"


def _child_pugh(stated: str | None) -> Computed | None:
    if stated is None:
        return None
    statement = f"Child–Pugh class {stated} as stated in the question (not computed)."
    return Computed("Child–Pugh class", None, None, "stated", (stated,), (), statement, stated)

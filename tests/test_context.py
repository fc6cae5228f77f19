"""Patient context read from questions: every field checked, for 49 hand-written questions."""

from __future__ import annotations

from typing import Any

import pytest

from medcite.clinical.context import extract_context, merge, read_turn
from medcite.clinical.describe import describe
from medcite.types import PatientContext

# A drug as (generic, names as written, on it?, dose text); a lab as (test, value, unit).
Drug = tuple[str, tuple[str, ...], bool, str | None]
Lab = tuple[str, float, str | None]

EMPTY: dict[str, Any] = {
    "drugs": [],
    "labs": [],
    "conditions": [],
    "negated": [],
    "allergies": [],
    "age_years": None,
    "sex": None,
    "weight_kg": None,
    "pregnant": None,
    "breastfeeding": None,
    "renal_impairment": None,
    "hepatic_impairment": None,
    "transplant": None,
    "transplant_type": None,
    "immunocompromised": None,
}


def summary(context: PatientContext) -> dict[str, Any]:
    """Every field of a context as plain values."""
    out: dict[str, Any] = {name: getattr(context, name) for name in EMPTY}
    out["drugs"] = [(d.generic, d.mentions, d.current, d.dose) for d in context.drugs]
    out["labs"] = [(lab.test, lab.value, lab.unit) for lab in context.labs]
    out["conditions"] = [f.name for f in context.conditions]
    out["negated"] = [f.name for f in context.negated]
    out["allergies"] = list(context.allergies)
    return out


def on(generic: str, *written: str, dose: str | None = None) -> Drug:
    return (generic, written or (generic,), True, dose)


def named(generic: str, *written: str) -> Drug:
    return (generic, written or (generic,), False, None)


CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "What is the management approach for a patient on ruxolitinib (Jakafi) with a "
        "positive CMV PCR of 1700?",
        {"drugs": [on("ruxolitinib", "ruxolitinib", "Jakafi")], "labs": [("CMV PCR", 1700, None)]},
    ),
    (
        "How should CMV viremia be treated in a kidney transplant recipient on Prograf and "
        "CellCept?",
        {
            "drugs": [on("tacrolimus", "Prograf"), on("mycophenolate", "CellCept")],
            "conditions": ["CMV infection", "transplant"],
            "transplant": True,
            "transplant_type": "kidney",
        },
    ),
    (
        "65-year-old woman on warfarin 5 mg daily with INR 3.5, no bleeding",
        {
            "drugs": [on("warfarin", dose="5 mg daily")],
            "labs": [("INR", 3.5, None)],
            "negated": ["bleeding"],
            "age_years": 65,
            "sex": "female",
        },
    ),
    (
        "Can I take ibuprofen if I am not pregnant but breastfeeding?",
        {
            "drugs": [named("ibuprofen")],
            "conditions": ["breastfeeding"],
            "negated": ["pregnancy"],
            "pregnant": False,
            "breastfeeding": True,
        },
    ),
    (
        "Dose of valganciclovir for CMV prophylaxis with eGFR 25",
        {"drugs": [named("valganciclovir")], "labs": [("eGFR", 25, None)]},
    ),
    (
        "Patient with creatinine 2.1 mg/dL on metformin 1000 mg twice daily",
        {
            "drugs": [on("metformin", dose="1000 mg twice daily")],
            "labs": [("creatinine", 2.1, "mg/dL")],
        },
    ),
    (
        "HIV patient with CD4 count 150 and viral load 12,000 copies/mL, not on antiretrovirals",
        {
            "labs": [("CD4 count", 150, None), ("viral load", 12000, "copies/mL")],
            "conditions": ["HIV infection"],
        },
    ),
    (
        "Platelets 30×10^9/L and Hb 8 g/dL in a man with myelofibrosis on Jakafi",
        {
            "drugs": [on("ruxolitinib", "Jakafi")],
            "labs": [("platelets", 30, "×10^9/L"), ("hemoglobin", 8, "g/dL")],
            "conditions": ["myelofibrosis"],
            "sex": "male",
        },
    ),
    (
        "The CMV PCR was 1.58×10^5 copies/mL in a 44-year-old woman",
        {"labs": [("CMV PCR", 158000, "copies/mL")], "age_years": 44, "sex": "female"},
    ),
    (
        "Should ganciclovir be started for a CMV viral load of 3.2 log10 IU/mL after "
        "allogeneic stem cell transplant?",
        {
            "drugs": [named("ganciclovir")],
            "labs": [("CMV PCR", 3.2, "log10 IU/mL")],
            "conditions": ["transplant"],
            "transplant": True,
            "transplant_type": "hematopoietic stem cell",
        },
    ),
    (
        "A 70 kg man with atrial fibrillation on Eliquis and amiodarone, no history of stroke",
        {
            "drugs": [on("apixaban", "Eliquis"), on("amiodarone")],
            "conditions": ["atrial fibrillation"],
            "negated": ["stroke"],
            "sex": "male",
            "weight_kg": 70,
        },
    ),
    (
        "Denies chest pain, cough or shortness of breath; on lisinopril",
        {
            "drugs": [on("lisinopril")],
            "negated": ["chest pain", "cough", "shortness of breath"],
        },
    ),
    ("A 3-month-old infant with fever", {"conditions": ["fever"], "age_years": 0.25}),
    (
        "Is Lipitor safe in a patient with cirrhosis?",
        {
            "drugs": [named("atorvastatin", "Lipitor")],
            "conditions": ["cirrhosis"],
            "hepatic_impairment": True,
        },
    ),
    (
        "Patient without renal impairment taking Tylenol 500 mg",
        {
            "drugs": [on("acetaminophen", "Tylenol", dose="500 mg")],
            "negated": ["renal impairment"],
            "renal_impairment": False,
        },
    ),
    (
        "45M with CKD stage 4, allergic to penicillin",
        {
            "conditions": ["chronic kidney disease"],
            "allergies": ["penicillins"],
            "age_years": 45,
            "sex": "male",
            "renal_impairment": True,
        },
    ),
    (
        "Not on aspirin or clopidogrel, platelets 45,000/µL",
        {"labs": [("platelets", 45000, "cells/µL")], "negated": ["aspirin", "clopidogrel"]},
    ),
    (
        "What is the INR target for a patient on Coumadin with a mechanical valve?",
        {"drugs": [on("warfarin", "Coumadin")]},
    ),
    (
        "Immunocompetent adult with EBV PCR 5000 IU/mL",
        {"labs": [("EBV PCR", 5000, "IU/mL")], "immunocompromised": False},
    ),
    (
        "Immunocompromised patient with BK virus PCR 10^4 copies/mL after kidney transplant",
        {
            "labs": [("BK virus PCR", 10000, "copies/mL")],
            "conditions": ["immunocompromise", "transplant"],
            "transplant": True,
            "transplant_type": "kidney",
            "immunocompromised": True,
        },
    ),
    (
        "Pregnant woman at 28 weeks with HbA1c 7.5% on insulin",
        {
            "drugs": [on("insulin")],
            "labs": [("HbA1c", 7.5, "%")],
            "conditions": ["pregnancy"],
            "sex": "female",
            "pregnant": True,
        },
    ),
    (
        "Elderly man, 82 years old, K 5.8 and sodium 130 mmol/L on spironolactone",
        {
            "drugs": [on("spironolactone")],
            "labs": [("potassium", 5.8, None), ("sodium", 130, "mmol/L")],
            "age_years": 82,
            "sex": "male",
        },
    ),
    (
        "ALT 250 U/L and bilirubin 3.2 mg/dL in a patient taking methotrexate",
        {
            "drugs": [on("methotrexate")],
            "labs": [("ALT", 250, "U/L"), ("bilirubin", 3.2, "mg/dL")],
        },
    ),
    (
        "No fever, no rash, on prednisone 20 mg daily",
        {"drugs": [on("prednisone", dose="20 mg daily")], "negated": ["fever", "rash"]},
    ),
    (
        "Tacrolimus trough level 12 ng/mL in a liver transplant recipient",
        {
            "drugs": [on("tacrolimus", "Tacrolimus")],
            "labs": [("tacrolimus level", 12, "ng/mL")],
            "conditions": ["transplant"],
            "transplant": True,
            "transplant_type": "liver",
        },
    ),
    (
        "What is the dose of Paxlovid for a 60 kg woman with eGFR 45 mL/min/1.73 m2?",
        {
            "drugs": [named("nirmatrelvir and ritonavir", "Paxlovid")],
            "labs": [("eGFR", 45, "mL/min/1.73 m²")],
            "sex": "female",
            "weight_kg": 60,
        },
    ),
    (
        "Creatinine clearance 30 mL/min: how to dose levofloxacin?",
        {"drugs": [named("levofloxacin")], "labs": [("creatinine clearance", 30, "mL/min")]},
    ),
    (
        "Hgb 7.2 g/dL and WBC 2.1 in a patient with aplastic anemia",
        {
            "labs": [("hemoglobin", 7.2, "g/dL"), ("white cell count", 2.1, None)],
            "conditions": ["anemia"],
        },
    ),
    (
        "Sats 88% on room air with COPD",
        {"labs": [("oxygen saturation", 88, "%")], "conditions": ["COPD"]},
    ),
    (
        "Glucose 250 mg/dL in type 2 diabetes on Ozempic",
        {
            "drugs": [on("semaglutide", "Ozempic")],
            "labs": [("glucose", 250, "mg/dL")],
            "conditions": ["diabetes"],
        },
    ),
    (
        "Bactrim in a patient with HIV and a sulfa allergy",
        {
            "drugs": [named("trimethoprim/sulfamethoxazole", "Bactrim")],
            "conditions": ["HIV infection"],
            "allergies": ["sulfa"],
        },
    ),
    (
        "CRP 150 mg/L with pneumonia, not septic",
        {"labs": [("CRP", 150, "mg/L")], "conditions": ["pneumonia"], "negated": ["sepsis"]},
    ),
    (
        "Does my 5 year old son with a cough need amoxicillin?",
        {"drugs": [named("amoxicillin")], "conditions": ["cough"], "age_years": 5, "sex": "male"},
    ),
    (
        "CD4 count 150 cells/µL, HIV, starting Biktarvy",
        {
            "drugs": [named("bictegravir, emtricitabine, and tenofovir", "Biktarvy")],
            "labs": [("CD4 count", 150, "cells/µL")],
            "conditions": ["HIV infection"],
        },
    ),
    (
        "A 30-year-old woman who is not breastfeeding on sertraline",
        {
            "drugs": [on("sertraline")],
            "negated": ["breastfeeding"],
            "age_years": 30,
            "sex": "female",
            "breastfeeding": False,
        },
    ),
    (
        "Troponin 45 ng/L with chest pain, no ST elevation",
        {"labs": [("troponin", 45, "ng/L")], "conditions": ["chest pain"]},
    ),
    (
        "Hepatitis B with HBV DNA 20,000 IU/mL before rituximab",
        {
            "drugs": [named("rituximab")],
            "labs": [("HBV DNA", 20000, "IU/mL")],
            "conditions": ["hepatitis B"],
        },
    ),
    (
        "Ferritin 15 ng/mL in a woman with heavy periods",
        {"labs": [("ferritin", 15, "ng/mL")], "sex": "female"},
    ),
    (
        "Lactate 4 mmol/L, septic shock, on norepinephrine",
        {
            "drugs": [on("norepinephrine")],
            "labs": [("lactate", 4, "mmol/L")],
            "conditions": ["sepsis"],
        },
    ),
    (
        "TSH 12 mIU/L on levothyroxine 100 mcg",
        {"drugs": [on("levothyroxine", dose="100 mcg")], "labs": [("TSH", 12, "mIU/L")]},
    ),
    (
        "Patient on Humira with latent TB",
        {"drugs": [on("adalimumab", "Humira")], "conditions": ["tuberculosis"]},
    ),
    (
        "Viral load 3.2 log10 copies/mL in hepatitis C",
        {"labs": [("viral load", 3.2, "log10 copies/mL")], "conditions": ["hepatitis C"]},
    ),
    (
        "ANC 500 cells/uL after chemotherapy with febrile neutropenia",
        {"labs": [("neutrophil count", 500, "cells/µL")], "conditions": ["neutropenia"]},
    ),
    (
        "LDL 190 mg/dL, on atorvastatin 80 mg, no diabetes",
        {
            "drugs": [on("atorvastatin", dose="80 mg")],
            "labs": [("LDL cholesterol", 190, "mg/dL")],
            "negated": ["diabetes"],
        },
    ),
    (
        "Is ruxolitinib contraindicated with fluconazole in a patient with polycythemia vera?",
        {
            "drugs": [named("ruxolitinib"), named("fluconazole")],
            "conditions": ["polycythemia vera"],
        },
    ),
    (
        "Patient on ruxolitinib 15 mg twice daily has a CMV PCR of 1700 IU/mL",
        {
            "drugs": [on("ruxolitinib", dose="15 mg twice daily")],
            "labs": [("CMV PCR", 1700, "IU/mL")],
        },
    ),
    ("Lost 5 kg in a month, weighs 62 kg", {"weight_kg": 62}),
    (
        "No transplant history; CMV IgG positive",
        {"negated": ["transplant"], "transplant": False},
    ),
    (
        "Hb 8 and no jaundice in a 7-month-old girl",
        {
            "labs": [("hemoglobin", 8, None)],
            "negated": ["jaundice"],
            "age_years": 0.58,
            "sex": "female",
        },
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES, ids=[q[:40] for q, _ in CASES])
def test_every_field_of_the_context(question: str, expected: dict[str, Any]) -> None:
    assert summary(read_turn(question)) == {**EMPTY, **expected}


def test_there_are_at_least_forty_questions() -> None:
    assert len(CASES) >= 40


def test_seed_question_reads_jakafi_as_ruxolitinib_and_flags_no_unit() -> None:
    context = extract_context(
        [
            "What is the management approach for a patient on ruxolitinib (Jakafi) "
            "with a positive CMV PCR of 1700?"
        ]
    )
    (drug,) = context.drugs
    assert drug.generic == "ruxolitinib" and "Jakafi" in drug.mentions and drug.current
    assert "jakafi" in drug.names
    (lab,) = context.labs
    assert (lab.test, lab.value, lab.unit, lab.text) == ("CMV PCR", 1700, None, "CMV PCR of 1700")


def test_units_are_normalised_to_a_canonical_value() -> None:
    labs = {lab.test: lab for lab in read_turn("creatinine 2.1 mg/dl, ANC 500/mm3").labs}
    creatinine, anc = labs["creatinine"], labs["neutrophil count"]
    assert (creatinine.unit, creatinine.canonical_unit) == ("mg/dL", "g/L")
    assert creatinine.canonical_value == pytest.approx(0.021)
    assert (anc.unit, anc.canonical_value, anc.canonical_unit) == ("cells/µL", 0.5, "×10^9/L")


def test_later_turns_override_earlier_facts() -> None:
    context = extract_context(
        [
            "My 60-year-old father is on ruxolitinib with a CMV PCR of 1700, no fever.",
            "The CMV PCR is now 3400 IU/mL and he has a fever.",
            "He is not on ruxolitinib now; he takes valganciclovir 900 mg twice daily.",
        ]
    )
    assert summary(context) == {
        **EMPTY,
        "drugs": [on("valganciclovir", dose="900 mg twice daily")],
        "labs": [("CMV PCR", 3400, "IU/mL")],
        "conditions": ["fever"],
        "negated": ["ruxolitinib"],
        "age_years": 60,
        "sex": "male",
    }


def test_merge_replaces_scalars_and_flips_denied_findings() -> None:
    first = read_turn("A 50-year-old woman with no fever on warfarin, CMV PCR of 1700")
    second = read_turn("She now has a fever, is not on warfarin, and weighs 70 kg.")
    merged = merge(first, second)
    assert [f.name for f in merged.conditions] == ["fever"]
    assert [f.name for f in merged.negated] == ["warfarin"]
    assert merged.drugs == ()
    assert (merged.age_years, merged.sex, merged.weight_kg) == (50, "female", 70)
    assert [lab.value for lab in merged.labs] == [1700]
    assert merge(merged, read_turn("She restarted warfarin.")).negated == ()
    assert extract_context([]) == PatientContext()


def test_negation_does_not_reach_past_the_end_of_its_scope() -> None:
    context = read_turn(
        "Why is ruxolitinib not recommended in pregnancy? Is there no cure for HIV?"
    )
    assert [f.name for f in context.conditions] == ["pregnancy", "HIV infection"]
    assert context.negated == ()
    listed = read_turn("not pregnant, kidney transplant recipient")
    assert listed.pregnant is False and listed.transplant is True


def test_classes_and_lab_analytes_are_not_drugs() -> None:
    context = read_turn(
        "On statins, monoclonal antibodies and immunosuppressants, ferritin 300 ng/mL, "
        "potassium 5.1"
    )
    assert context.drugs == ()
    assert context.immunocompromised is True
    assert [lab.test for lab in context.labs] == ["ferritin", "potassium"]


def test_the_context_is_described_in_a_few_words() -> None:
    context = read_turn(
        "A 7-month-old girl on ruxolitinib (Jakafi) 5 mg twice daily with Hb 8, eGFR 40 "
        "mL/min/1.73 m2, not pregnant, no fever, after a kidney transplant, allergic to sulfa"
    )
    assert describe(context) == [
        "7 months old, female",
        "on ruxolitinib (Jakafi) 5 mg twice daily",
        "hemoglobin 8 (no unit given)",
        "eGFR 40 mL/min/1.73 m²",
        "kidney transplant",
        "not pregnant",
        "no fever",
        "allergic to sulfa",
    ]
    assert describe(PatientContext()) == []

"""Kidney and liver function from the question (clinical/renal.py), against worked examples."""

import pytest

from medcite.clinical.context import extract_context
from medcite.clinical.renal import (
    STEADY_STATE,
    ckd_epi_2021,
    cockcroft_gault,
    gfr_category,
    organ_function,
    read_child_pugh,
)


def test_cockcroft_gault_worked_examples() -> None:
    # Cockcroft & Gault 1976: (140 - age) x kg / (72 x Scr); a 60-year-old 72 kg man with
    # Scr 1.0 mg/dL clears 80 mL/min; the same woman x 0.85 = 68.
    assert cockcroft_gault(1.0, 60, 72, female=False) == pytest.approx(80.0)
    assert cockcroft_gault(1.0, 60, 72, female=True) == pytest.approx(68.0)
    # 68 y, 70 kg, woman, Scr 2.1: 72 x 70 / 151.2 x 0.85 = 28.3
    assert cockcroft_gault(2.1, 68, 70, female=True) == pytest.approx(28.33, abs=0.01)


def test_ckd_epi_2021_worked_examples() -> None:
    # Inker et al. NEJM 2021 (race-free): 142 x min(Scr/k,1)^a x max(Scr/k,1)^-1.2 x 0.9938^age
    # 60-year-old man, Scr 1.0 mg/dL: 142 x (1/0.9)^-1.2 x 0.9938^60 = 86 (NKF calculator: 86)
    assert ckd_epi_2021(1.0, 60, female=False) == pytest.approx(86.0, abs=0.5)
    # 50-year-old woman, Scr 1.0: 142 x (1/0.7)^-1.2 x 0.9938^50 x 1.012 = 69 (NKF: 69)
    assert ckd_epi_2021(1.0, 50, female=True) == pytest.approx(68.6, abs=0.5)
    # below kappa the alpha exponent applies: woman 40 y, Scr 0.6:
    # 142 x (0.6/0.7)^-0.241 x 0.9938^40 x 1.012 = 142 x 1.038 x 0.780 x 1.012 = 116
    assert ckd_epi_2021(0.6, 40, female=True) == pytest.approx(116.3, abs=0.1)


@pytest.mark.parametrize(
    ("egfr", "category"),
    [(95, "G1"), (90, "G1"), (75, "G2"), (50, "G3a"), (44.9, "G3b"), (29, "G4"), (14, "G5")],
)
def test_gfr_categories(egfr: float, category: str) -> None:
    assert gfr_category(egfr) == category


def test_creatinine_in_mg_dl_gives_crcl_and_egfr_with_their_inputs() -> None:
    context = extract_context(["A 68-year-old woman, 70 kg, creatinine 2.1 mg/dL."])
    found = organ_function(context)
    assert found.crcl is not None and found.crcl.value == pytest.approx(28.3, abs=0.05)
    assert found.crcl.statement == (
        "CrCl 28 mL/min by Cockcroft–Gault from creatinine 2.1 mg/dL, 68 y, 70 kg, female — "
        "weight assumed actual body weight."
    )
    assert found.egfr is not None and found.egfr.category == "G4"
    assert "eGFR category G4" in found.egfr.statement
    assert "CKD stage" not in " ".join(found.statements()).replace("a CKD stage needs", "")
    assert STEADY_STATE in found.notes


def test_creatinine_in_umol_per_litre_is_converted() -> None:
    context = extract_context(["72 year old man weighing 80 kg with creatinine 150 µmol/L"])
    found = organ_function(context)
    # 150 / 88.4 = 1.70 mg/dL; (140 - 72) x 80 / (72 x 1.697) = 44.5 mL/min
    assert found.crcl is not None and found.crcl.value == pytest.approx(44.5, abs=0.1)
    assert "(= 1.70 mg/dL)" in found.crcl.statement


def test_missing_weight_is_named_not_guessed() -> None:
    found = organ_function(extract_context(["A 70-year-old man with creatinine 1.8 mg/dL"]))
    assert found.crcl is not None and found.crcl.value is None
    assert found.crcl.missing == ("weight",)
    assert "weight not stated" in found.crcl.statement
    assert found.egfr is not None and found.egfr.value is not None  # eGFR needs no weight


def test_missing_unit_and_sex_are_named() -> None:
    found = organ_function(extract_context(["70 years old, 60 kg, creatinine 2.0"]))
    assert found.crcl is not None and found.crcl.value is None
    assert "unit" in found.crcl.missing[0] and "sex" in found.crcl.missing


def test_children_are_told_the_formulas_do_not_apply() -> None:
    found = organ_function(extract_context(["A 9-year-old boy, 30 kg, creatinine 0.9 mg/dL"]))
    assert found.crcl is not None and found.crcl.value is None
    assert "for adults" in found.crcl.statement
    assert found.egfr is not None and found.egfr.value is None


def test_a_stated_egfr_is_used_as_stated_with_its_category() -> None:
    found = organ_function(extract_context(["eGFR 25 in a 60 year old"]))
    assert found.egfr is not None and found.egfr.value == 25 and found.egfr.method == "stated"
    assert found.egfr.category == "G4" and not found.notes
    assert found.crcl is None


def test_child_pugh_class_only_when_stated() -> None:
    assert read_child_pugh("cirrhosis, Child-Pugh class B") == "B"
    assert read_child_pugh("Child Pugh score 11") == "C"
    assert read_child_pugh("Child-Pugh 6") == "A"
    assert read_child_pugh("cirrhosis with ascites") is None
    found = organ_function(extract_context(["on metformin", "she has Child-Pugh B cirrhosis"]))
    assert found.child_pugh is not None and found.child_pugh.category == "B"
    assert "not computed" in found.child_pugh.statement


def test_nothing_known_gives_nothing() -> None:
    found = organ_function(extract_context(["What is the dose of Lipitor?"]))
    assert found.computed == () and not found.renal_known

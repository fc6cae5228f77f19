"""Units (dimension, canonical unit, factor), lab values in text, and the negation window."""

import pytest

from medcite.clinical.lab_units import convert, parse_unit, to_canonical
from medcite.clinical.labs import drug_level, find_labs
from medcite.clinical.negation import negated


@pytest.mark.parametrize(
    ("written", "symbol", "dimension"),
    [
        ("mg/dl", "mg/dL", "mass_concentration"),
        ("copies per mL", "copies/mL", "copies"),
        ("IU/ml", "IU/mL", "international_units"),
        ("x10^9/L", "×10^9/L", "cell_concentration"),
        ("K/uL", "×10^9/L", "cell_concentration"),
        ("cells/mm3", "cells/µL", "cell_concentration"),
        ("umol/L", "µmol/L", "substance_concentration"),
        ("mcg/mL", "µg/mL", "mass_concentration"),
        ("mL/min/1.73m2", "mL/min/1.73 m²", "filtration_rate_bsa"),
        ("log10 copies/mL", "log10 copies/mL", "log_copies"),
    ],
)
def test_spellings_resolve_to_one_unit(written: str, symbol: str, dimension: str) -> None:
    unit = parse_unit(written)
    assert unit is not None and (unit.symbol, unit.dimension) == (symbol, dimension)


def test_conversion_within_a_dimension_only() -> None:
    mg_dl, g_l, umol = parse_unit("mg/dL"), parse_unit("g/L"), parse_unit("µmol/L")
    iu, copies = parse_unit("IU/mL"), parse_unit("copies/mL")
    assert mg_dl and g_l and umol and iu and copies
    assert convert(8, parse_unit("g/dL"), g_l) == pytest.approx(80)  # type: ignore[arg-type]
    assert to_canonical(2.1, mg_dl) == pytest.approx(0.021)
    assert convert(1700, iu, copies) is None  # assay-specific: never converted
    assert convert(1700, copies, iu) is None
    assert convert(2.1, mg_dl, umol) is None  # needs a molar mass
    assert parse_unit("furlongs/fortnight") is None


def test_platelet_exponent_is_part_of_the_unit_but_a_viral_exponent_is_part_of_the_value() -> None:
    platelets, viral = (m.value for m in find_labs("platelets 30 x 10^9/L; CMV 1.5×10^4 IU/mL"))
    assert (platelets.value, platelets.unit, platelets.canonical_value) == (30, "×10^9/L", 30)
    assert (viral.test, viral.value, viral.unit) == ("CMV PCR", 15000, "IU/mL")


def test_values_need_a_test_name_or_a_viral_unit() -> None:
    assert find_labs("He took 2 tablets at 8 pm for 3 days") == []
    (bare,) = find_labs("the result was 12,000 copies/mL")
    assert (bare.value.test, bare.value.value) == ("viral load", 12000)


def test_a_drug_level_is_read_after_the_drug_name() -> None:
    text = "tacrolimus trough level 12 ng/mL"
    level = drug_level(text, 0, len("tacrolimus"), "tacrolimus")
    assert level is not None and level.value.display == "tacrolimus level 12 ng/mL"
    assert drug_level("tacrolimus 2 mg twice daily", 0, 10, "tacrolimus") is None


def spans(text: str, *names: str) -> list[tuple[int, int]]:
    return [(text.index(n), text.index(n) + len(n)) for n in names]


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("no fever", ("fever",), {0}),
        ("denies chest pain or cough", ("chest pain", "cough"), {0, 1}),
        ("no fever, cough or rash", ("fever", "cough", "rash"), {0, 1, 2}),
        ("no fever, on ruxolitinib", ("fever", "ruxolitinib"), {0}),
        ("not pregnant, transplant recipient", ("pregnant", "transplant"), {0}),
        ("without known underlying immunodeficiency", ("immunodeficiency",), {0}),
        ("not recommended in pregnancy", ("pregnancy",), set()),
        ("there is no cure for HIV", ("HIV",), set()),
        ("pneumonia was ruled out", ("pneumonia",), {0}),
        ("no history of stroke but has diabetes", ("stroke", "diabetes"), {0}),
        ("fever and no rash", ("fever", "rash"), {1}),
    ],
)
def test_negation_window(text: str, names: tuple[str, ...], expected: set[int]) -> None:
    assert negated(text, spans(text, *names)) == expected

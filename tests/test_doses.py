"""Dose, unit and frequency parsing (medcite.clinical.doses)."""

from decimal import Decimal

import pytest

from medcite.clinical.doses import Quantity, parse_measures


def only(text: str) -> Quantity:
    (q,) = parse_measures(text).quantities
    return q


@pytest.mark.parametrize(
    ("text", "amount", "unit", "basis", "hours", "strict"),
    [
        ("5 mg/kg every 12 hours", "5", "mg", "kg", "12", True),
        ("900 mg twice daily", "900", "mg", None, "12", False),
        ("900 mg BID", "900", "mg", None, "12", False),
        ("900 mg b.i.d.", "900", "mg", None, "12", False),
        ("900 mg orally twice a day", "900", "mg", None, "12", False),
        ("5 mg/kg IV q12h", "5", "mg", "kg", "12", True),
        ("0.25 g three times daily", "0.25", "g", None, "8", False),
        ("40 mg every other week", "40", "mg", None, "336", True),
        ("400 mg once daily", "400", "mg", None, "24", False),
        ("0.3 g", "0.3", "g", None, None, None),
        ("15 mg", "15", "mg", None, None, None),
        ("2.5g", "2.5", "g", None, None, None),
        ("40 mg/m2", "40", "mg", "m2", None, None),
        ("100 units/kg", "100", "units", "kg", None, None),
        ("500 micrograms", "500", "mcg", None, None, None),
        ("500 µg", "500", "mcg", None, None, None),
    ],
)
def test_doses_parse_into_amount_unit_basis_and_interval(
    text: str, amount: str, unit: str, basis: str | None, hours: str | None, strict: bool | None
) -> None:
    q = only(text)
    assert (q.amount, q.unit, q.basis) == (Decimal(amount), unit, basis)
    if hours is None:
        assert q.interval is None
    else:
        assert q.interval is not None
        assert q.interval_hours == Decimal(hours) and q.interval.strict == strict
    assert text.startswith(q.raw) and q.start == 0


@pytest.mark.parametrize(
    ("text", "hours", "strict"),
    [
        ("every 8 h", "8", True),
        ("q12h", "12", True),
        ("q 8 hrs", "8", True),
        ("12-hourly", "12", True),
        ("once daily", "24", False),
        ("BID", "12", False),
        ("t.i.d.", "8", False),
        ("QID", "6", False),
        ("3x/day", "8", False),
        ("twice weekly", "84", False),
        ("every 2 weeks", "336", True),
    ],
)
def test_frequencies_alone_become_hours_between_doses(text: str, hours: str, strict: bool) -> None:
    (interval,) = parse_measures(f"Repeat {text}.").intervals
    assert (interval.hours, interval.strict) == (Decimal(hours), strict)


def test_bare_daily_counts_only_after_a_dose() -> None:
    assert not parse_measures("Pain can disturb daily life.").intervals
    q = only("Take 300 mg daily.")
    assert q.interval is not None and q.interval.hours == 24


def test_rates_differ_from_frequencies() -> None:
    per_day = only("10 mg/kg/day")
    assert (per_day.basis, per_day.per, per_day.interval) == ("kg", "day", None)
    assert only("18 units/kg/h").per == "h"


def test_ranges_thousands_and_powers_of_ten() -> None:
    weeks = only("for 2-3 weeks")
    assert (weeks.amount, weeks.high, weeks.unit) == (Decimal(2), Decimal(3), "week")
    assert only("for 2 to 3 weeks").high == Decimal(3)
    wbc = only("WBC 4.00‒10.00 ×10^9/L")
    assert (wbc.amount, wbc.high, wbc.unit) == (Decimal("4e9"), Decimal("1e10"), "/L")
    assert not wbc.ambiguous  # lab precision, not a dose
    assert only("27 519 patients").amount == Decimal(27519)
    assert only("1,000 mg").amount == Decimal(1000)
    load = only("1.58×10^5 copies/mL")
    assert (load.amount, load.unit) == (Decimal(158000), "copies/mL")
    assert only("71×10⁹/L").amount == Decimal("7.1e10")


def test_tenfold_error_notation_is_parsed_but_marked_ambiguous() -> None:
    naked = only(".5 mg")
    assert naked.amount == Decimal("0.5") and naked.ambiguous
    assert naked.reason is not None and "naked decimal" in naked.reason
    trailing = only("5.0 mg")
    assert trailing.amount == Decimal(5) and trailing.ambiguous
    assert trailing.reason is not None and "trailing zero" in trailing.reason
    assert not only("0.5 mg").ambiguous and not only("5 mg").ambiguous
    (qd,) = parse_measures("5 mg qd").intervals
    assert qd.ambiguous and qd.reason is not None and "do-not-use" in qd.reason


def test_digits_inside_names_are_not_numbers() -> None:
    measures = parse_measures("CD4, IL-6, H1N1, COVID-19 and 3D imaging")
    assert measures.quantities == ()


def test_units_are_normalised_but_never_converted() -> None:
    assert only("5 milligrams").unit == "mg"
    assert only("5 ml").unit == "mL"
    assert only("0.5 g").unit == "g" and only("0.5 g").amount == Decimal("0.5")
    assert only("3 hrs").unit == "h"


def test_numbers_without_a_unit_and_every_number_of_a_sentence() -> None:
    text = "In 2019, 12 of 40 patients received 5 mg/kg every 12 hours for 14 days."
    found = [(q.raw, q.unit) for q in parse_measures(text).quantities]
    assert found == [
        ("2019", None),
        ("12", None),
        ("40", None),
        ("5 mg/kg", "mg"),
        ("14 days", "day"),
    ]
    assert len(parse_measures(text)) == 5

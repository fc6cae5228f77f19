"""A value the question states for a named measure, against the bands statements set."""

from __future__ import annotations

import pytest

from medcite.answer.values import Stated, about_other_value, stated_values


def test_named_values_are_read_and_measured_quantities_left_to_the_labs() -> None:
    assert stated_values("AF with a CHA2DS2-VASc score of 3, Wells score is 5, GBS = 0") == (
        Stated("cha2ds2-vasc", 3.0),
        Stated("wells", 5.0),
        Stated("gbs", 0.0),
    )
    # a value with a unit is a laboratory value (clinical/labs.py), an age is not a measure
    assert stated_values("creatinine 1.6 mg/dL in a 70 year old") == ()


@pytest.mark.parametrize(
    ("text", "context", "other"),
    [
        ("CHA2DS2-VASc = 1 (sex only): no antithrombotic therapy (Class III).", "", True),
        ("CHA2DS2-VASc ≥ 3: OAC is recommended (Class I).", "", False),
        ("Score 0–1 (Low risk): suitable for home treatment.", "CHA2DS2-VASc table", True),
        ("Score 2–4: anticoagulate.", "CHA2DS2-VASc table", False),
        ("Apixaban 5 mg twice daily.", "", False),  # no band: nothing to compare
        ("Wells score > 6: high probability.", "", False),  # another measure
    ],
)
def test_a_statement_about_another_value_is_recognised(
    text: str, context: str, other: bool
) -> None:
    assert about_other_value(text, context, (Stated("cha2ds2-vasc", 3.0),)) is other

"""Template helpers: certainty when a claim carries one, dates, evidence summary."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from types import SimpleNamespace

from medcite.web.templating import certainty, day, make_templates


class Level(Enum):
    LOW = "low"


def test_certainty_is_read_from_whatever_the_claim_carries() -> None:
    assert certainty(SimpleNamespace(text="x")) is None
    assert certainty(SimpleNamespace(certainty=None)) is None
    assert certainty(SimpleNamespace(certainty="moderate")) == "moderate"
    assert certainty(SimpleNamespace(certainty=Level.LOW)) == "low"
    assert certainty(SimpleNamespace(certainty=SimpleNamespace(label="Low (case report)"))) == (
        "Low (case report)"
    )


def test_claims_render_certainty_and_flags_beside_the_quote() -> None:
    env = make_templates().env
    macro = env.get_template("_answer.html").module.claim_line  # type: ignore[attr-defined]
    claim = SimpleNamespace(
        text="Ganciclovir was given.",
        citations=[],
        quotes=[],
        status="flagged",
        note="a number differs",
        certainty="low",
    )
    html = str(macro(claim, {}, "pop-x"))
    assert "Ganciclovir was given." in html
    assert "certainty: low" in html
    assert "Flagged: a number differs" in html
    plain = SimpleNamespace(text="A.", citations=[], quotes=[], status="verified", note=None)
    assert "certainty" not in str(macro(plain, {}, "pop-y"))


def test_unknown_dates_are_said_so() -> None:
    assert day(None) == "date unknown"
    assert day(dt.date(2024, 3, 1)) == "2024-03-01"

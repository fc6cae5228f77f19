"""Template helpers: certainty and grades when a claim carries them, gap lines, dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from enum import Enum
from types import SimpleNamespace

from medcite.schema import ClaimPublic, ReferencePublic, to_public
from medcite.types import Answer, Audience
from medcite.web.templating import (
    certainty,
    cited_version,
    day,
    make_templates,
    quotes_for,
    reference_date,
)


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
        grade=None,
        frame=None,
    )
    html = str(macro(claim, {}, "pop-x"))
    assert "Ganciclovir was given." in html
    assert "certainty: low" in html
    assert "Flagged: a number differs" in html
    plain = SimpleNamespace(
        text="A.", citations=[], quotes=[], status="verified", note=None, grade=None, frame=None
    )
    assert "certainty" not in str(macro(plain, {}, "pop-y"))


def test_unknown_dates_are_said_so() -> None:
    assert day(None) == "date unknown"
    assert day(dt.date(2024, 3, 1)) == "2024-03-01"


def test_a_grade_sits_beside_its_claim_when_the_claim_has_one() -> None:
    macro = make_templates().env.get_template("_answer.html").module.claim_line  # type: ignore[attr-defined]
    graded = SimpleNamespace(
        text="Treat with ganciclovir.", citations=[], quotes=[], status="verified", note=None,
        certainty="high", grade="Strong, High", frame=None,
    )  # fmt: skip
    assert '<span class="grade">grade: Strong, High</span>' in str(macro(graded, {}, "pop-g"))
    ungraded = SimpleNamespace(
        text="A.", citations=[], quotes=[], status="verified", note=None, grade=None, frame=None
    )
    assert "grade" not in str(macro(ungraded, {}, "pop-u"))


def test_a_frame_introduces_its_claim_outside_the_quote() -> None:
    macro = make_templates().env.get_template("_answer.html").module.claim_line  # type: ignore[attr-defined]
    framed = SimpleNamespace(
        text="We gave 5 mg.", citations=[], quotes=[], status="verified", note=None,
        grade=None, frame="Case report, a 44-year-old woman",
    )  # fmt: skip
    html = str(macro(framed, {}, "pop-f"))
    assert '<em class="frame">Case report, a 44-year-old woman:</em>' in html
    assert html.index("frame") < html.index('<span class="claim">We gave 5 mg.</span>')


def test_the_gap_line_is_shown_when_the_answer_has_one() -> None:
    view = make_templates().env.get_template("_answer.html").module.answer_view  # type: ignore[attr-defined]
    answer = Answer(
        question="Q?", question_type="treatment", audience=Audience.CLINICIAN, bottom_line=(),
        sections=(), references=(), abstained=True, abstention="No answer.", disclaimer="D.",
        generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), settings_hash="h",
    )  # fmt: skip
    assert "What the evidence does not cover" not in str(view(to_public(answer), "t1", 1))
    line = "No guideline or drug label among the sources found addresses antiviral treatment."
    public = to_public(replace(answer, gaps=(line,)))
    assert public.gaps == [line]
    html = str(view(public, "t2", 1))
    assert "What the evidence does not cover" in html and line in html


def test_reference_dates_fall_back_to_the_stated_year() -> None:
    base = {"number": 1, "document_id": "d", "title": "T", "source": "S", "kind": "other",
            "kind_label": "Other", "url": None, "passages": []}  # fmt: skip
    assert reference_date(ReferencePublic(**base, date=dt.date(2024, 3, 1))) == "2024-03-01"
    assert reference_date(ReferencePublic(**base, date=None, year=2023)) == "2023"
    assert reference_date(ReferencePublic(**base, date=None)) == "date unknown"


def test_a_quote_found_in_two_versions_of_a_label_is_shown_once_from_the_newest() -> None:
    def cited(pid: str, doc: str) -> dict[str, object]:
        return {"passage_id": pid, "document_id": doc, "section": "Dosage", "start": 0,
                "end": 9, "passage": "Take 10 mg daily."}  # fmt: skip

    reference = ReferencePublic(
        number=1, document_id="new", title="Lipitor", source="FDA SPL", kind="drug_label",
        kind_label="Drug label", date=dt.date(2014, 1, 13), url=None,
        passages=[cited("old1", "old"), cited("new1", "new"), cited("new2", "new")],
        also=[{"document_id": "old", "title": "Lipitor", "source": "FDA SPL — repackager",
               "date": dt.date(2012, 2, 29), "url": None}],
    )  # fmt: skip
    quote = {"start": 0, "end": 9, "quote": "Take 10 mg"}
    claim = ClaimPublic(
        text="Take 10 mg", citations=[1], status="verified", passage_ids=["old1", "new1"],
        quotes=[{"passage_id": "old1", **quote}, {"passage_id": "new1", **quote}],
    )  # fmt: skip
    assert [q.passage_id for q in quotes_for(claim, reference)] == ["new1"]
    assert cited_version(reference, reference.passages[0]) == "the 2012-02-29 version"
    assert cited_version(reference, reference.passages[1]) is None

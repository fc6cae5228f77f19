import pytest

from medcite.answer.sections import TEMPLATES, assign_section, template
from medcite.types import DocKind, Document, Passage


def passage(section: str | None = None, qtype: str = "") -> Passage:
    doc = Document("d", "t", DocKind.OTHER, "s", "o", "v", extra={"qtype": qtype} if qtype else {})
    return Passage("p", doc, 0, "x", 0, 1, section)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("We commenced ganciclovir 5 mg/kg every 12 h as initial therapy.", "first_line"),
        ("Foscarnet is an alternative when the virus is resistant.", "alternatives"),
        ("Monitor blood counts and viral load weekly.", "monitoring"),
        ("Continue therapy for 3 weeks until the PCR is negative.", "duration"),
        ("Dose adjustment is needed in renal impairment and in pregnancy.", "special"),
        ("Neutropenia is a common adverse effect and a warning applies.", "adverse"),
        ("At a 2-month follow-up after discharge she remained well.", "follow_up"),
        ("Viruses are common in the general population of many countries.", "background"),
    ],
)
def test_treatment_sentences_go_to_the_section_their_cues_name(
    sentence: str, expected: str
) -> None:
    assert assign_section("treatment", sentence, passage()) == expected


def test_source_section_names_outweigh_a_single_cue() -> None:
    label_section = passage("Adverse Reactions")
    assert assign_section("treatment", "Nausea was reported in 5% of patients.", label_section) == (
        "adverse"
    )
    medquad = passage("Symptoms", qtype="symptoms")
    assert assign_section("symptoms", "Affected people may have pale skin.", medquad) == "symptoms"


def test_unmatched_sentences_are_left_out_when_the_template_has_no_background() -> None:
    assert assign_section("symptoms", "The weather was pleasant that year.", passage()) is None


def test_every_question_type_has_a_template_and_unknown_types_fall_back() -> None:
    assert template("nonsense") == TEMPLATES["definition"]
    assert template("treatment")[0] == "first_line"

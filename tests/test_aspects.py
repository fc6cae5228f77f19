"""What a question asks about its subject (understand/aspects.py)."""

from __future__ import annotations

import pytest

from medcite.understand.aspects import asked_aspects, section_aspects, states


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("What starting dose of drug X should I use?", "dose"),
        ("How many people are affected by X?", "frequency"),
        ("How common is X in children?", "frequency"),
        ("Can he pass it on to his own kids?", "inheritance"),
        ("Which genes cause X?", "causes"),
        ("How would anyone pick it up?", "diagnosis"),
        ("Will her face go back to normal?", "prognosis"),
        ("How long does that usually take?", "duration"),
        ("What can he do himself to keep his lungs from getting worse?", "prevention"),
        ("Can I give him drug X while he is on an MAOI antidepressant?", "interaction"),
        ("I forgot last night's tablet. Should I take it now?", "missed_dose"),
        ("Is it safe to use in pregnancy?", "pregnancy"),
    ],
)
def test_a_question_asks_for_its_aspect(question: str, aspect: str) -> None:
    assert aspect in asked_aspects(question)


def test_a_definition_question_asks_for_no_aspect() -> None:
    assert asked_aspects("What is Brindle syndrome?") == ()


def test_sentences_and_sections_state_aspects() -> None:
    assert states(("dose",), "The recommended dose is 20 mg every other week.") == 1
    assert states(("dose",), "Most people recover within weeks.") == 0
    assert "dose" in section_aspects("Dosage & Administration — 2.2 Juvenile Arthritis")
    assert "frequency" in section_aspects("frequency")
    assert section_aspects("Clinical Studies") == frozenset()


def test_statements_describing_the_case_do_not_add_aspects() -> None:
    question = "Our son was just diagnosed with it. Can he pass it on to his kids?"
    assert asked_aspects(question) == ("inheritance",)
    assert "diagnosis" not in asked_aspects(question)


def test_nonpregnant_is_not_a_question_about_pregnancy() -> None:
    assert "pregnancy" not in asked_aspects("Which level is diagnostic in a nonpregnant adult?")

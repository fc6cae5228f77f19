"""A question that asks several things, and a bottom line that answers each."""

from __future__ import annotations

from medcite.understand.parts import question_parts


def test_a_two_part_question_is_cut_into_its_parts() -> None:
    parts = question_parts(
        "My mother has Bell's palsy. Will her face go back to normal, and how long does "
        "that usually take?"
    )
    assert [p.aspects for p in parts] == [("prognosis",), ("duration",)]
    assert "long" in parts[1].terms and "face" in parts[0].terms


def test_a_question_asking_one_thing_has_no_parts() -> None:
    assert question_parts("What are the symptoms of Brindle syndrome?") == ()
    assert question_parts("My son has asthma. What dose of budesonide is right?") == ()


def test_the_subjects_words_belong_to_no_part() -> None:
    parts = question_parts(
        "How common is zorbic syndrome, and is zorbic syndrome inherited?",
        frozenset({"zorbic", "syndrom"}),
    )
    assert len(parts) == 2 and all("zorbic" not in p.terms for p in parts)

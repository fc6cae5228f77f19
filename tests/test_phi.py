"""Patient identifiers replaced by placeholders, clinical content left alone, and restored."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcite.engine import Engine
from medcite.index import Library
from medcite.privacy import scrub, without_identifiers
from medcite.settings import Settings


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Mrs. Jane Smith has CMV.", "Jane Smith"),
        ("Dr. Lee asked about dosing.", "Lee"),
        ("Dr Lee asked about dosing.", "Lee"),
        ("patient John Doe, 52, has gout", "John Doe"),
        ("Patient: Mary O'Neil has CMV", "Mary O'Neil"),
        ("name: Ravi Kumar. Fever for 3 days.", "Ravi Kumar"),
        ("my husband Peter has gout", "Peter"),
        ("My 5-year-old son Tom has a rash", "Tom"),
        ("Mr. McDonald and Mrs Anne-Marie Smith-Jones", "Anne-Marie Smith-Jones"),
        ("DOB 03/14/1962", "03/14/1962"),
        ("born on 4 July 1950, now frail", "4 July 1950"),
        ("date of birth: 1950", "1950"),
        ("seen on March 3, 2024 for CMV", "March 3, 2024"),
        ("admitted 2023-01-05", "2023-01-05"),
        ("MRN 00482913", "00482913"),
        ("MRN: A-1234567", "A-1234567"),
        ("NHS number 943 476 5919", "943 476 5919"),
        ("SSN 123-45-6789", "123-45-6789"),
        ("call me at 555-123-4567", "555-123-4567"),
        ("phone (555) 867-5309", "(555) 867-5309"),
        ("mobile: +44 20 7946 0958", "+44 20 7946 0958"),
        ("write to jane.smith+cmv@example.co.uk", "jane.smith+cmv@example.co.uk"),
        ("lives at 42 Elm Street, Springfield, IL 62704", "42 Elm Street, Springfield, IL 62704"),
        ("address: Flat 3, Rose Court, London", "Flat 3, Rose Court, London"),
        ("postcode SW1A 1AA", "SW1A 1AA"),
    ],
)
def test_identifiers_are_replaced_and_restored(text: str, secret: str) -> None:
    scrubbed = scrub(text)
    assert secret not in scrubbed.text
    assert secret in scrubbed.replacements.values()
    assert scrubbed.restore(scrubbed.text) == text


def test_a_name_found_once_is_replaced_everywhere_with_stable_placeholders() -> None:
    text = "Mrs. Jane Smith on ruxolitinib. Smith's CMV PCR is 1700. Is Mrs. Jane Smith at risk?"
    scrubbed = scrub(text)
    assert "Smith" not in scrubbed.text and "Jane" not in scrubbed.text
    assert scrubbed.text.count("[NAME_1]") == 2
    assert scrubbed.counts() == {"NAME": 2}
    assert scrubbed.restore("Ask [NAME_1] and [NAME_9].") == "Ask Jane Smith and [NAME_9]."


@pytest.mark.parametrize(
    "question",
    [
        "What is the management approach for a patient on ruxolitinib (Jakafi) with a "
        "positive CMV PCR of 1700?",
        "Ganciclovir 5 mg/kg every 12 hours for 14 days in a 52-year-old man?",
        "BP 120/80, HbA1c 7.2%, eGFR 45 mL/min/1.73 m2: metformin 500-1000 mg twice daily?",
        "Viral load 1000000 copies/mL; CD4 count 350 cells/mm3; ID consult requested.",
        "A patient with Noonan syndrome and a platelet count of 71×10^9/L.",
        "The patient With CMV retinitis, on Valcyte 900 mg.",
        "Dr. appointment in 2 weeks; fever of 39.5 C for 3 days; dose 0.5-1.0 mg/kg.",
    ],
)
def test_clinical_questions_pass_through_untouched(question: str) -> None:
    scrubbed = scrub(question)
    assert scrubbed.text == question and not scrubbed.replacements


def test_existing_placeholder_like_text_is_not_confused(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    text = "Mr. Ada Lovelace wrote [NAME_1] in his notes."
    scrubbed = scrub(text)
    assert "[NAME_2]" in scrubbed.text and scrubbed.restore(scrubbed.text) == text
    assert "Lovelace" not in caplog.text and "NAME" in caplog.text


_FRAGMENTS = st.sampled_from(
    [
        "Mrs. Jane Smith",
        "Dr. Lee",
        "my wife Ana",
        "patient Bo Tran",
        "DOB 01/02/1960",
        "MRN 99887766",
        "555-123-4567",
        "a@b.org",
        "12 Oak Road",
        "ruxolitinib 10 mg",
        "CMV PCR 1700",
        "[NAME_1]",
        "Smith",
        "and",
        ",",
        ".",
        "?",
    ]
)


@given(st.lists(_FRAGMENTS | st.text(max_size=12), max_size=12))
def test_restore_inverts_scrub(parts: list[str]) -> None:
    text = " ".join(parts)
    scrubbed = scrub(text)
    assert scrubbed.restore(scrubbed.text) == text
    for value in ("Jane Smith", "01/02/1960", "99887766", "a@b.org"):
        assert value not in scrubbed.text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("SSN: 123 45 6789", "123 45 6789"),
        ("social security number 123456789", "123456789"),
        ("Mrs. JANE SMITH has gout", "JANE SMITH"),
        ("Dr Who referred me", "Who"),
        ("name: JOHN DOE. Fever.", "JOHN DOE"),
        ("see https://jsmith.example.org/about for my notes", "https://jsmith.example.org/about"),
        ("my blog www.janes-health.net, gout since May", "www.janes-health.net"),
        ("my IP is 192.168.1.23", "192.168.1.23"),
        ("from fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a"),
        ("reach me on 07700 900123", "07700 900123"),
        ("fax 020 7946 0958", "020 7946 0958"),
        ("account number 88301274", "88301274"),
    ],
)
def test_identifiers_the_scrubber_used_to_miss(text: str, secret: str) -> None:
    scrubbed = scrub(text)
    assert secret not in scrubbed.text
    assert scrubbed.restore(scrubbed.text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Dr. appointment at 10:30:45; ratio 1:2:3; HbA1c 7.2%",
        "Mr. and Mrs. have gout",  # no name after the titles
        "The patient With HIV, CD4 350 cells/mm3, viral load 1000000 copies/mL",
    ],
)
def test_lookalikes_of_the_new_identifiers_are_left_alone(text: str) -> None:
    assert scrub(text).text == text


def test_without_identifiers_blanks_identifiers_and_stored_placeholders() -> None:
    assert without_identifiers("Gout in Mrs. Jane Smith, call 555-123-4567?").split() == [
        "Gout",
        "in",
        "Mrs.",
        ",",
        "call",
        "?",
    ]
    assert "NAME" not in without_identifiers("Gout in Mrs. [NAME_1]?")


@pytest.mark.parametrize(
    "contact",
    [
        "Call me at 555-123-4567.",
        "My email is jane.doe@example.com.",
        "I live at 42 Elm Street, Springfield, IL 62704.",
        "My notes: https://jsmith.example.org/brindle-notes",
        "Reach me on 07700 900123 or at 10.0.0.12.",
        "Mrs. JANE SMITH, SSN: 123 45 6789.",
    ],
)
def test_a_question_with_contact_details_is_answered_without_them(
    library: Library, settings: Settings, contact: str
) -> None:
    engine = Engine(settings)
    try:
        answer = engine.ask(f"What are the symptoms of Brindle syndrome? {contact}")
    finally:
        engine.close()
    assert not answer.abstained, answer.abstention
    assert any("Brindle" in c.text or "pigmentation" in c.text for c in answer.bottom_line)


def test_a_name_found_in_capitals_is_replaced_in_title_case_too() -> None:
    scrubbed = scrub("Mrs. JANE SMITH has gout. Jane Smith is worried; Smith asks about diet.")
    assert "Jane" not in scrubbed.text and "Smith" not in scrubbed.text
    assert "JANE" not in scrubbed.text and "diet" in scrubbed.text

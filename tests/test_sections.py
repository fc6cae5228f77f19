import pytest

from medcite.answer.sections import (
    TEMPLATES,
    assign_section,
    drug_pattern,
    section_title,
    special_drugs,
    template,
)
from medcite.types import DocKind, Document, DrugUse, Passage, PatientContext


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
        ("At a 2-month follow-up after discharge she remained well, with no relapse.", "follow_up"),
        ("Viruses are common in the general population of many countries.", None),
        ("The virus cycles through periods of dormancy and is shed periodically.", None),
    ],
)
def test_treatment_sentences_go_to_the_section_their_cues_name(
    sentence: str, expected: str | None
) -> None:
    assert assign_section(template("treatment"), sentence, passage()) == expected


def test_source_section_names_outweigh_a_single_cue() -> None:
    label_section = passage("Adverse Reactions")
    assert assign_section(
        template("treatment"), "Nausea was reported in 5% of patients.", label_section
    ) == ("adverse")
    medquad = passage("Symptoms", qtype="symptoms")
    assert (
        assign_section(template("symptoms"), "Affected people may have pale skin.", medquad)
        == "symptoms"
    )


def test_unmatched_sentences_are_left_out() -> None:
    assert (
        assign_section(template("symptoms"), "The weather was pleasant that year.", passage())
        is None
    )


def test_every_question_type_has_a_template_and_unknown_types_fall_back() -> None:
    assert template("nonsense") == TEMPLATES["definition"]
    assert template("treatment")[0] == "first_line"
    assert "background" not in template("treatment")


def test_the_asked_aspects_open_the_answer() -> None:
    keys = template("treatment", ("dose", "pregnancy"))
    assert keys[:2] == ("dosing", "special")
    assert "first_line" in keys


def label(section: str, title: str = "Jakafi (ruxolitinib)") -> Passage:
    doc = Document("l", title, DocKind.DRUG_LABEL, "FDA SPL", "o", "v")
    return Passage("p", doc, 0, "x", 0, 1, section)


@pytest.mark.parametrize(
    ("section", "sentence", "expected"),
    [
        ("Dosage & Administration", "Take 20 mg by mouth with water.", "first_line"),
        ("Drug Interactions", "Fluconazole raises exposure to the drug.", "special"),
        ("Use in Specific Populations", "Exposure is higher in older people.", "special"),
        ("Contraindications", "Do not use in people with a known allergy.", "adverse"),
        ("Warnings", "Stop use if a rash appears.", "adverse"),
        ("Warnings and Precautions", "Fatal bleeding was reported.", "adverse"),
        ("Boxed Warning", "Serious reactions were reported.", "adverse"),
    ],
)
def test_drug_label_sections_map_to_answer_sections(
    section: str, sentence: str, expected: str
) -> None:
    assert assign_section(template("treatment"), sentence, label(section)) == expected


def context_on(*generics: str, current: bool = True) -> PatientContext:
    drugs = tuple(DrugUse(g, (g,), (g.capitalize(),), current=current) for g in generics)
    return PatientContext(drugs=drugs)


def test_special_considerations_hold_only_sentences_about_the_patients_drug() -> None:
    drugs = drug_pattern(special_drugs(context_on("ruxolitinib")))
    about = "Ruxolitinib suppresses the bone marrow and can cause anemia."
    other = "Dose adjustment is needed in renal impairment and in pregnancy."
    assert assign_section(template("treatment"), about, passage(), drugs) == "special"
    assert assign_section(template("treatment"), about, passage()) is None
    assert assign_section(template("treatment"), other, passage(), drugs) != "special"
    assert assign_section(template("treatment"), other, passage()) == "special"
    unnamed = "Serious infections occurred during treatment."  # named by the label's title
    assert assign_section(
        template("treatment"), unnamed, label("Warnings and Precautions"), drugs
    ) in (
        "special",
        "adverse",
    )
    assert drug_pattern(()) is None


def test_special_considerations_title_names_the_drugs() -> None:
    assert section_title("special", PatientContext()) == "Special considerations"
    assert section_title("monitoring", context_on("ruxolitinib")) == "Monitoring"
    jakafi = PatientContext(drugs=(DrugUse("ruxolitinib", (), ("Jakafi",), current=True),))
    assert section_title("special", jakafi) == (
        "Special considerations for patients on ruxolitinib (Jakafi)"
    )
    assert section_title("special", context_on("tacrolimus", "prednisone")) == (
        "Special considerations for patients on tacrolimus and prednisone"
    )
    assert section_title("special", context_on("atorvastatin", current=False)) == (
        "Special considerations for atorvastatin"
    )

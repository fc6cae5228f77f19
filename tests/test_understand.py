import pytest

from medcite.clinical.context import read_turn
from medcite.types import PatientContext
from medcite.understand.query import (
    MAX_DRUG_FORMS,
    drug_forms,
    extract_concepts,
    question_type,
    understand,
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the management approach for a patient on ruxolitinib?", "treatment"),
        ("What are the side effects of the treatment for gout?", "side_effects"),
        ("What are the symptoms of Noonan syndrome?", "symptoms"),
        ("What causes kidney stones?", "causes"),
        ("How is lupus diagnosed?", "diagnosis"),
        ("Is Noonan syndrome inherited?", "inheritance"),
        ("How many people are affected by cystic fibrosis?", "frequency"),
        ("What is Noonan syndrome?", "definition"),
    ],
)
def test_question_type(question: str, expected: str) -> None:
    assert question_type(question) == expected


def test_abbreviations_and_brand_names_merge_into_one_concept() -> None:
    concepts = extract_concepts(
        "Patient on ruxolitinib (Jakafi) with Cytomegalovirus (CMV) PCR of 1700"
    )
    by_label = {c.label: c for c in concepts}
    assert set(by_label) == {"ruxolitinib", "cytomegalovirus", "polymerase chain reaction", "1700"}
    assert "jakafi" in by_label["ruxolitinib"].forms
    assert "cmv" in by_label["cytomegalovirus"].forms
    assert by_label["1700"].is_number


def test_case_sensitive_abbreviations_only_count_in_capitals() -> None:
    assert "acute lymphoblastic leukemia" in {c.label for c in extract_concepts("Is ALL curable?")}
    assert all(c.label != "acute lymphoblastic leukemia" for c in extract_concepts("all of them"))


def test_weights_favour_rare_subject_words_over_aspects_and_patient_words() -> None:
    df = {"noonan": 5, "syndrom": 900, "symptom": 3000}.get
    query = understand(
        "What are the symptoms of Noonan syndrome in my 5 year old son?",
        lambda t: df(t, 0),
        10_000,
    )
    weights = {c.label: c.weight for c in query.concepts}
    assert weights["noonan"] > weights["syndrome"] > weights["symptoms"]
    assert not {"year", "old", "son"} & set(weights)


def test_a_measured_test_name_counts_as_an_aspect() -> None:
    query = understand("CMV PCR of 1700", lambda t: 10, 10_000)
    weights = {c.label: c.weight for c in query.concepts}
    assert weights["polymerase chain reaction"] < weights["cytomegalovirus"]


def test_drugs_from_the_context_become_one_concept_with_their_brand_names() -> None:
    question = "Is a kidney transplant recipient on Prograf with no fever at risk of CMV?"
    context = read_turn(question)
    by_label = {c.label: c for c in extract_concepts(question, context)}
    assert (
        "prograf" in by_label["tacrolimus"].forms and "tacrolimus" in by_label["tacrolimus"].forms
    )
    assert "prograf" not in by_label and "fever" not in by_label  # merged; denied
    assert "fever" in {c.label for c in extract_concepts(question)}


def test_drug_forms_keep_single_word_names_only() -> None:
    drug = read_turn("on Tylenol").drugs[0]
    forms = drug_forms(drug)
    assert forms[:2] == ("acetaminophen", "tylenol") and "paracetamol" in forms
    assert len(forms) <= MAX_DRUG_FORMS
    assert all(" " not in f and not any(ch.isdigit() for ch in f) for f in forms)


def test_understand_attaches_the_context_to_the_query() -> None:
    context = read_turn("patient on ruxolitinib with CMV PCR of 1700")
    query = understand(
        "patient on ruxolitinib with CMV PCR of 1700", lambda t: 1, 100, context=context
    )
    assert query.context is context
    assert understand("What is gout?", lambda t: 1, 100).context == PatientContext()


def test_one_letter_suffixes_stay_with_their_word() -> None:
    labels = [c.label for c in extract_concepts("Humira with hepatitis B and low vitamin D?")]
    assert "hepatitis b" in labels and "vitamin d" in labels
    assert [c.label for c in extract_concepts("stage 3 cancer, dose 5 mg")][:2] == [
        "stage 3",
        "cancer",
    ]


def test_patient_identifiers_are_not_concepts() -> None:
    question = "Mrs. Zebedee Quintrell (MRN 12345678, DOB 03/04/1956) is on Jakafi with CMV"
    query = understand(question, lambda t: 10, 10_000)
    labels = {c.label for c in query.concepts}
    assert {"ruxolitinib", "cytomegalovirus"} <= labels
    assert not labels & {"zebedee", "quintrell", "mrs", "mrn", "dob", "12345678"}

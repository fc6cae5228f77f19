import pytest

from medcite.understand.query import extract_concepts, question_type, understand


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

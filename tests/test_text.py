from medcite.text import content_terms, jaccard, normalize_ws, sentences, terms


def test_sentences_respect_abbreviations_decimals_and_citations() -> None:
    text = (
        "Keenan et al. (2021) reviewed 115 reports. The dose was 1.5 mg (Fig. 2). "
        "Dr. Lee agreed, e.g. in clinic. Levels rose (Das et al., 2016). What next? Done now."
    )
    assert sentences(text) == [
        "Keenan et al. (2021) reviewed 115 reports.",
        "The dose was 1.5 mg (Fig. 2).",
        "Dr. Lee agreed, e.g. in clinic.",
        "Levels rose (Das et al., 2016).",
        "What next?",
        "Done now.",
    ]


def test_blank_line_always_ends_a_sentence() -> None:
    assert sentences("How to store it\n\nStore it cold. Keep dry.") == [
        "How to store it",
        "Store it cold.",
        "Keep dry.",
    ]


def test_terms_are_stemmed_and_lowercased_like_the_index() -> None:
    assert terms("Symptoms treated") == ["symptom", "treat"]
    assert normalize_ws("  a \n\t b ") == "a b"


def test_content_terms_ignore_stopwords_for_duplicate_detection() -> None:
    a = content_terms("The patient was given ganciclovir for the infection.")
    b = content_terms("Patient given ganciclovir for infection")
    assert jaccard(a, b) == 1.0
    assert jaccard(a, content_terms("Foscarnet was given")) < 0.5


def test_a_section_label_glued_to_a_full_stop_starts_a_sentence() -> None:
    assert sentences("Rates were 5% and 7%, respectively.CONCLUSIONS: Drug X works.") == [
        "Rates were 5% and 7%, respectively.",
        "CONCLUSIONS: Drug X works.",
    ]

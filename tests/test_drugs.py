from medcite.understand.drugs import find_drug_mentions, lookup_drug


def test_brand_names_resolve_to_generics_with_punctuation_stripped() -> None:
    mentions = find_drug_mentions("a patient on ruxolitinib (Jakafi), Humira; and Lipitor.")
    assert [(m.text, m.drug.generic) for m in mentions] == [
        ("ruxolitinib", "ruxolitinib"),
        ("Jakafi", "ruxolitinib"),
        ("Humira", "adalimumab"),
        ("Lipitor", "atorvastatin"),
    ]
    jakafi = mentions[1]
    assert "a patient on ruxolitinib (Jakafi)"[jakafi.start : jakafi.end] == "Jakafi"
    assert "jakafi" in jakafi.drug.names and jakafi.drug.drugbank_id == "DB08877"


def test_lookup_of_single_names_and_unknown_words() -> None:
    found = lookup_drug("Valcyte")
    assert found is not None and found.generic == "valganciclovir"
    assert lookup_drug("zorblaxin") is None
    assert lookup_drug("antibiotics") is None  # a class, not a drug


def test_classes_are_marked() -> None:
    by_text = {
        m.text: m.drug for m in find_drug_mentions("statins, monoclonal antibodies, Bactrim")
    }
    assert by_text["statins"].is_class and by_text["monoclonal antibodies"].is_class
    assert not by_text["Bactrim"].is_class
    insulin = lookup_drug("insulin")
    assert insulin is not None and not insulin.is_class

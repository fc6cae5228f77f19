"""Query expansion: the curated table, drug names, and weights below the question's own."""

import pytest

from medcite.retrieve.expand import NON_SUBJECT_BOOST, expanded_groups, question_groups
from medcite.text import terms
from medcite.types import Query
from medcite.understand.query import understand
from medcite.understand.vocab import SYNONYM_GROUPS, synonyms


def _query(question: str) -> Query:
    return understand(question, lambda _t: 1, 100)


@pytest.mark.parametrize(
    ("form", "canonical"),
    [
        ("cmv", "cytomegalovirus"),
        ("hlh", "hemophagocytic lymphohistiocytosis"),
        ("jakafi", "ruxolitinib"),
        ("mi", "myocardial infarction"),
        ("nsclc", "non-small cell lung cancer"),
        ("leukaemia", "leukemia"),
        ("keytruda", "pembrolizumab"),
    ],
)
def test_table_maps_forms_to_their_canonical_name(form: str, canonical: str) -> None:
    group = synonyms(form)
    assert group is not None and group[0] == canonical


def test_no_form_belongs_to_two_groups() -> None:
    forms = [f for group in SYNONYM_GROUPS for f in group]
    assert len(forms) == len(set(forms))
    assert all(f == f.lower() for f in forms)


def test_question_groups_keep_only_the_words_asked() -> None:
    groups = question_groups(_query("Is CMV reactivation common?"))
    flat = {t for g in groups for t in g.terms}
    assert "cmv" in flat and "cytomegalovirus" not in flat
    boosts = {g.terms: g.boost for g in groups}
    assert boosts[("cmv",)] == 1.0  # the subject at full weight
    assert boosts[("common",)] == NON_SUBJECT_BOOST  # an aspect word helps a little


def test_expansion_adds_synonyms_at_a_lower_weight() -> None:
    groups = expanded_groups(_query("Is CMV reactivation common?"), 0.4)
    own = {t for g in groups if g.boost == 1.0 for t in g.terms}
    extra = {t for g in groups if g.boost == 0.4 for t in g.terms}
    assert "cmv" in own
    assert set(terms("cytomegalovirus")) <= extra
    assert not own & extra


def test_brand_names_from_the_drug_dictionary_add_their_generic() -> None:
    # Opzelura is not in the curated table; the offline drug dictionary knows it.
    assert synonyms("opzelura") is None
    groups = expanded_groups(_query("Does Opzelura help vitiligo?"), 0.5)
    extra = {t for g in groups if g.boost == 0.5 for t in g.terms}
    assert set(terms("ruxolitinib")) <= extra


def test_a_question_without_known_forms_is_not_expanded() -> None:
    query = _query("Which factor is inhibited by milvexian?")
    assert expanded_groups(query, 0.5) == question_groups(query)

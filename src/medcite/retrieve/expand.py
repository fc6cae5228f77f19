"""Lexical query terms: the question's own words, plus synonyms, drug names and the words of
the asked aspects ("inherited" for "can he pass it on") at a lower weight.

Understanding already groups a concept's forms (CMV ↔ cytomegalovirus, from `vocab.py`); here
each concept's terms are split into those the question wrote (full weight) and the expansion
(`weight`). Brand names found by the offline drug dictionary add their generic name.
"""

from __future__ import annotations

from medcite.index.lexical import TermGroup
from medcite.text import term_set, terms
from medcite.types import Concept, Query
from medcite.understand.aspects import search_words
from medcite.understand.drugs import find_drug_mentions

# A word that does not name the question's subject ("kids", "really", "instructions") still
# helps to rank, at this share of a subject word's weight (see understand/subject.py).
NON_SUBJECT_BOOST = 0.3


def question_groups(query: Query) -> list[TermGroup]:
    """One OR-group per concept, only with terms the question itself contains."""
    asked = term_set(query.question)
    groups = []
    for concept in _searchable(query):
        own = sorted(_concept_terms(concept) & asked) or sorted(_concept_terms(concept))
        groups.append(TermGroup(tuple(own), _boost(concept)))
    return groups


def expanded_groups(query: Query, weight: float) -> list[TermGroup]:
    """The question's groups, plus each concept's other forms and drugs' generic names."""
    asked = term_set(query.question)
    groups = question_groups(query)
    for concept in _searchable(query):
        extra = sorted(_concept_terms(concept) - asked)
        if extra:
            groups.append(TermGroup(tuple(extra), weight * _boost(concept)))
    generics = sorted(_generic_terms(query.question) - asked)
    if generics:
        groups.append(TermGroup(tuple(generics), weight))
    aspect = sorted({t for w in search_words(query.aspects) for t in terms(w)} - asked)
    if aspect:
        groups.append(TermGroup(tuple(aspect), weight * NON_SUBJECT_BOOST))
    return [g for g in groups if g.terms]


def _boost(concept: Concept) -> float:
    return NON_SUBJECT_BOOST + (1.0 - NON_SUBJECT_BOOST) * concept.subject


def _searchable(query: Query) -> list[Concept]:
    return [c for c in query.concepts if not c.is_number and _concept_terms(c)]


def _concept_terms(concept: Concept) -> frozenset[str]:
    return frozenset(t for form in concept.forms for t in terms(form))


def _generic_terms(question: str) -> frozenset[str]:
    """Generic names of the brand-name drugs the question mentions."""
    found: set[str] = set()
    for mention in find_drug_mentions(question):
        if mention.text.lower() != mention.drug.generic:
            found.update(terms(mention.drug.generic))
    return frozenset(found)

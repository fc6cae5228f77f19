"""How much of a question a piece of text covers, by weighted concepts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from medcite.text import QUESTION_WORDS, STOPWORDS, term_set, terms, words
from medcite.types import Concept, Hit, Query


@dataclass(frozen=True, slots=True)
class ConceptMatcher:
    """A concept with each of its forms analyzed into index terms."""

    concept: Concept
    forms: tuple[frozenset[str], ...]

    def found_in(self, terms: frozenset[str]) -> bool:
        return any(form <= terms for form in self.forms)

    @property
    def subject_weight(self) -> float:
        """The weight that counts towards answering the question's subject."""
        return self.concept.weight * self.concept.subject


def matchers(query: Query) -> list[ConceptMatcher]:
    """Matchers for the weighted (non-number) concepts of a query."""
    out = []
    for c in query.concepts:
        if c.is_number or c.weight <= 0:
            continue
        forms = tuple(f for f in (term_set(form) for form in c.forms) if f)
        if forms:
            out.append(ConceptMatcher(c, forms))
    return out


def coverage(ms: Sequence[ConceptMatcher], terms: frozenset[str]) -> float:
    """Weighted share of the concepts found in `terms` (1.0 when there is nothing to cover)."""
    total = sum(m.concept.weight for m in ms)
    if total == 0:
        return 1.0
    return sum(m.concept.weight for m in ms if m.found_in(terms)) / total


def subject_coverage(ms: Sequence[ConceptMatcher], terms: frozenset[str]) -> float:
    """Weighted share of the question's subject found in `terms` (1.0 without a subject)."""
    total = sum(m.subject_weight for m in ms)
    if total == 0:
        return 1.0
    return sum(m.subject_weight for m in ms if m.found_in(terms)) / total


def missing(ms: Sequence[ConceptMatcher], terms: frozenset[str]) -> list[str]:
    """Labels of the subject concepts not found, heaviest first."""
    absent = [m for m in ms if m.subject_weight > 0 and not m.found_in(terms)]
    return [m.concept.label for m in sorted(absent, key=lambda m: -m.subject_weight)]


def best_document_coverage(
    ms: Sequence[ConceptMatcher], hits: Iterable[Hit]
) -> tuple[float, frozenset[str]]:
    """The highest share of the question's subject that one document's title and retrieved
    passages cover."""
    per_doc: dict[str, set[str]] = {}
    for hit in hits:
        doc = hit.passage.document
        bag = per_doc.setdefault(doc.id, set(term_set(doc.title)))
        bag.update(term_set(hit.passage.text))
    best, best_terms = 0.0, frozenset[str]()
    for bag in per_doc.values():
        terms = frozenset(bag)
        score = subject_coverage(ms, terms)
        if score > best:
            best, best_terms = score, terms
    return best, best_terms


def phrase_pairs(question: str) -> frozenset[tuple[str, str]]:
    """Adjacent subject words of the question ("noonan syndrome"), as analyzed term pairs."""
    kept = [w for w in words(question) if w not in STOPWORDS and w not in QUESTION_WORDS]
    seq = [t for w in kept for t in terms(w)]
    return frozenset(pairwise(seq))


def pairs_in(text: str) -> frozenset[tuple[str, str]]:
    seq = terms(text)
    return frozenset(pairwise(seq))

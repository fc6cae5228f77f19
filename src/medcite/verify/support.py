"""How well a span of a passage supports a claim that is not its verbatim text.

`SupportScorer` is the interface; backends register in `SUPPORT_SCORERS` and are chosen by
the `verify.scorer` setting. The built-in `lexical` scorer needs no model:

- score: the share of the claim's content words (stemmed, stopwords, numbers, drugs and
  conditions left out) found in the span;
- contradictions (the citation fails): the claim and the span differ in how many negations
  they hold ("not recommended" vs "recommended"); the claim names a drug or a condition that
  the passage never names;
- concerns (the claim is flagged): the claim names a drug or condition that the passage names
  only outside the supporting span.

No offline NLI model ships on PyPI; one can be added as another `SupportScorer` whose score is
the entailment probability of the claim given the span.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from medcite.errors import ConfigError
from medcite.text import term_set
from medcite.verify.entities import claim_entities, drugs_in
from medcite.verify.quotes import claim_terms, negation_count


@dataclass(frozen=True, slots=True)
class Judgement:
    """A scorer's verdict on one claim against one span: a 0-1 score and its objections."""

    score: float
    contradictions: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()


class SupportScorer(ABC):
    """Judges whether a span of a passage says what a claim says."""

    name: ClassVar[str]

    @abstractmethod
    def judge(self, claim: str, span: str, passage: str) -> Judgement:
        """Score `claim` against `span` (the best-matching text of `passage`)."""


class LexicalSupportScorer(SupportScorer):
    name = "lexical"

    def judge(self, claim: str, span: str, passage: str) -> Judgement:
        wanted = claim_terms(claim)
        span_terms = term_set(span)
        score = len(wanted & span_terms) / len(wanted) if wanted else 1.0
        contradictions: list[str] = []
        concerns: list[str] = []
        if negation_count(claim) != negation_count(span):
            contradictions.append("the claim and the source differ in negation")
        self._entities(claim, span, span_terms, passage, contradictions, concerns)
        return Judgement(round(score, 3), tuple(contradictions), tuple(concerns))

    @staticmethod
    def _entities(
        claim: str,
        span: str,
        span_terms: frozenset[str],
        passage: str,
        contradictions: list[str],
        concerns: list[str],
    ) -> None:
        entities = claim_entities(claim)
        if entities.drugs:
            in_span, in_passage = drugs_in(span), drugs_in(passage)
            for generic, written in entities.drugs.items():
                if generic in in_span:
                    continue
                where = concerns if generic in in_passage else contradictions
                where.append(_absent(written, generic in in_passage))
        passage_terms: frozenset[str] | None = None
        for condition in entities.conditions:
            if condition.found_in(span_terms):
                continue
            passage_terms = passage_terms or term_set(passage)
            elsewhere = condition.found_in(passage_terms)
            (concerns if elsewhere else contradictions).append(_absent(condition.text, elsewhere))


def _absent(name: str, elsewhere: bool) -> str:
    if elsewhere:
        return f"the source names {name} only outside the text that supports the claim"
    return f"the claim names {name}, which the source does not"


SUPPORT_SCORERS: dict[str, Callable[[], SupportScorer]] = {
    LexicalSupportScorer.name: LexicalSupportScorer,
}


def open_scorer(name: str) -> SupportScorer:
    try:
        factory = SUPPORT_SCORERS[name]
    except KeyError:
        known = ", ".join(sorted(SUPPORT_SCORERS))
        raise ConfigError(f"unknown support scorer {name!r}; choose one of: {known}") from None
    return factory()

"""Document-level evidence for reranking: each candidate's whole document, scored.

Readers and judges weigh documents, and a passage that names one concept of the question
often sits in a document whose other passages name the rest. For every candidate this adds
to `Hit.scores`:

- `doc_bm25`: BM25 of the question's concept terms over all the document's passages
  (document frequencies from the passage index, length relative to the mean document),
  from the term counts the store keeps per document (`index/stats.py`): no passage of the
  document is fetched or analysed again;
- with a query vector, the cosine of the document's best passage (`doc_dense_max`), the mean
  of its best two (`doc_dense_top2`), the mean of all (`doc_dense_mean`) and its title
  passage (`doc_dense_title`; the best passage when it has no title passage).

On BioASQ's training split the document BM25 alone lifted the reranker's document nDCG@10
by about 0.02 (five-fold cross-validation); see `medcite eval retrieval`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from medcite.index.lexical import TermGroup
from medcite.index.stats import DocumentTerms
from medcite.retrieve.expand import question_groups
from medcite.text import terms
from medcite.types import Hit, Passage, Query

BM25_K1, BM25_B = 1.2, 0.75
DocFreq = Callable[[str], int]


PassageRef = tuple[str, str | None]  # (passage id, section)


@dataclass(frozen=True, slots=True)
class DocumentEvidence:
    """What the document scores are computed from."""

    terms: Mapping[str, DocumentTerms]  # document id -> its term counts and length
    mean_chars: float  # mean document length in characters over the collection
    similarity: Mapping[str, float]  # passage id -> cosine with the question (empty: no dense)
    # document id -> its passages (id, section), in order: only needed with cosines
    passages: Mapping[str, Sequence[PassageRef]] = field(default_factory=dict)

    @classmethod
    def of_passages(
        cls,
        passages: Mapping[str, Sequence[Passage]],
        mean_chars: float,
        similarity: Mapping[str, float],
    ) -> DocumentEvidence:
        """Evidence from documents' passages at hand (each document's passages in full)."""
        return cls(
            {
                doc: DocumentTerms.of_texts([p.text for p in group])
                for doc, group in passages.items()
            },
            mean_chars,
            similarity,
            {doc: [(p.id, p.section) for p in group] for doc, group in passages.items()},
        )


def idf(df: int, n: int) -> float:
    """BM25's inverse document frequency (never negative, even if `df` exceeds `n`)."""
    df = min(max(df, 0), n)
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def bm25(
    weights: Mapping[str, float],
    docs: Sequence[Sequence[str]],
    lengths: Sequence[float],
    mean_length: float,
) -> list[float]:
    """BM25 of each analysed text for weighted query terms (weight = boost x IDF)."""
    return [
        bm25_counts(weights, Counter(doc), length, mean_length)
        for doc, length in zip(docs, lengths, strict=True)
    ]


def bm25_counts(
    weights: Mapping[str, float], counts: Mapping[str, int], length: float, mean_length: float
) -> float:
    """BM25 of one text given its term counts."""
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / (mean_length or 1.0))
    return sum(
        w * c * (BM25_K1 + 1) / (c + norm) for t, w in weights.items() if (c := counts.get(t, 0))
    )


def concept_weights(query: Query, doc_freq: DocFreq, n: int) -> dict[str, float]:
    """Each term of the question's concepts (numbers aside): concept weight x IDF."""
    weights: dict[str, float] = {}
    for concept in query.concepts:
        if concept.is_number:
            continue
        for term in {t for form in concept.forms for t in terms(form)}:
            weights[term] = max(weights.get(term, 0.0), concept.weight or 1.0)
    return {t: w * idf(doc_freq(t), max(n, 1)) for t, w in weights.items()}


def term_weights(groups: Sequence[TermGroup], doc_freq: DocFreq, n: int) -> dict[str, float]:
    """BM25 query weights of lexical term groups: boost x IDF, summed over the groups."""
    weights: dict[str, float] = {}
    for group in groups:
        for term in group.terms:
            weight = group.boost * idf(doc_freq(term), max(n, 1))
            weights[term] = weights.get(term, 0.0) + weight
    return weights


def question_bm25(query: Query, hits: Sequence[Hit], doc_freq: DocFreq, n: int) -> list[float]:
    """BM25 of each hit's passage for the question's own words (no expansion)."""
    weights = term_weights(question_groups(query), doc_freq, n)
    counts = [_term_counts(h.passage.text) for h in hits]
    lengths = [float(sum(c.values())) for c in counts]
    mean = sum(lengths) / max(len(lengths), 1)
    return [
        bm25_counts(weights, c, length, mean) for c, length in zip(counts, lengths, strict=True)
    ]


def with_document_scores(
    query: Query, hits: Sequence[Hit], evidence: DocumentEvidence, doc_freq: DocFreq, n: int
) -> list[Hit]:
    """The hits with their document's scores added (see the module docstring)."""
    weights = concept_weights(query, doc_freq, n)
    per_doc = {
        doc: _document_scores(terms, evidence.passages.get(doc, ()), weights, evidence)
        for doc, terms in evidence.terms.items()
    }
    own = question_bm25(query, hits, doc_freq, n)
    out = []
    for hit, own_score in zip(hits, own, strict=True):
        p = hit.passage
        found = per_doc.get(p.document.id) or _document_scores(  # alone, lacking its document
            DocumentTerms(_term_counts(p.text), len(p.text)), [(p.id, p.section)], weights, evidence
        )
        scores = {**hit.scores, **found, "question_bm25": own_score}
        out.append(replace(hit, scores=scores))
    return out


def _document_scores(
    terms: DocumentTerms,
    passages: Sequence[PassageRef],
    weights: Mapping[str, float],
    evidence: DocumentEvidence,
) -> dict[str, float]:
    counts = {t: terms.counts.get(t, 0) for t in weights}
    scores = {"doc_bm25": bm25_counts(weights, counts, terms.chars, evidence.mean_chars)}
    cosines = [evidence.similarity[pid] for pid, _ in passages if pid in evidence.similarity]
    if cosines:
        best = sorted(cosines, reverse=True)
        title = next((pid for pid, section in passages if section == "title"), None)
        scores["doc_dense_max"] = best[0]
        scores["doc_dense_top2"] = sum(best[:2]) / len(best[:2])
        scores["doc_dense_mean"] = sum(best) / len(best)
        scores["doc_dense_title"] = evidence.similarity.get(title, best[0]) if title else best[0]
    return scores


@lru_cache(maxsize=8192)
def _term_counts(text: str) -> Counter[str]:
    """A passage's analysed terms, counted (cached: the same documents come back often)."""
    return Counter(terms(text))

"""Reranking of fused candidates: a small interface, and a linear model over features.

The features describe the passage (BM25, cosine, concepts covered, whether its heading or
opening names the asked aspect) and its whole document (see `documents.py`). The linear
model's weights live in `reranker.json` beside this module, fitted on training data only
(`medcite eval fit-reranker`); it holds one weight set with the dense features and one
without, used when dense retrieval is unavailable. Each set names the features it reads.
A cross-encoder can implement `Reranker` later.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from medcite.errors import ConfigError
from medcite.text import sentence_spans, term_set, terms
from medcite.types import Hit, Passage, Query
from medcite.understand.query import QUESTION_TYPES

WEIGHTS_FILE = Path(__file__).with_name("reranker.json")
LEXICAL_FEATURES = (
    "lexical",
    "lexical_found",
    "lexical_rrf",
    "coverage",
    "text_coverage",
    "title_coverage",
    "doc_lexical",
    "doc_passages",
    "doc_bm25",
    "question_bm25",
    "aspect",
    "subject_coverage",
)
DENSE_FEATURES = (
    "dense",
    "dense_gap",
    "dense_rrf",
    "doc_dense",
    "doc_dense_max",
    "doc_dense_top2",
    "doc_dense_mean",
    "doc_dense_title",
    "doc_dense_gap",
)


class Reranker(ABC):
    """Re-orders candidates for a query; scores stay higher-is-better."""

    name: ClassVar[str]

    @abstractmethod
    def rerank(self, query: Query, hits: Sequence[Hit]) -> list[Hit]:
        """The same hits, best first, with `scores["rerank"]` and `score` set."""


def features(query: Query, hits: Sequence[Hit]) -> list[dict[str, float]]:
    """One feature vector per hit (see LEXICAL_FEATURES and DENSE_FEATURES)."""
    concepts = _weighted_terms(query, subject_only=False)
    subject = _weighted_terms(query, subject_only=True)
    aspect = ASPECTS.get(query.question_type)
    top_lexical = _top(hits, "lexical")
    top_dense = max((h.scores.get("dense", -1.0) for h in hits), default=0.0)
    top_doc_dense = max((h.scores.get("doc_dense_max", 0.0) for h in hits), default=0.0)
    tops = {key: _top(hits, key) for key in ("doc_bm25", "question_bm25")}
    lexical_rank = _ranks(hits, "lexical")
    dense_rank = _ranks(hits, "dense")
    doc_lexical, doc_dense, doc_count = _per_document(hits, top_lexical)
    rows = []
    for hit in hits:
        doc = hit.passage.document.id
        text_terms = term_set(hit.passage.text)
        title_terms = term_set(hit.passage.document.title)
        lexical = hit.scores.get("lexical")
        dense = hit.scores.get("dense")
        rows.append(
            {
                "lexical": (lexical or 0.0) / top_lexical,
                "lexical_found": float(lexical is not None),
                "lexical_rrf": _rrf(lexical_rank.get(hit.passage.id)),
                "coverage": _coverage(concepts, text_terms | title_terms),
                "text_coverage": _coverage(concepts, text_terms),
                "title_coverage": _coverage(concepts, title_terms),
                "subject_coverage": _coverage(subject, text_terms | title_terms),
                "aspect": float(aspect is not None and bool(aspect.search(_heading(hit.passage)))),
                "dense": dense or 0.0,
                "dense_gap": (dense - top_dense) if dense is not None else -1.0,
                "dense_rrf": _rrf(dense_rank.get(hit.passage.id)),
                "doc_lexical": doc_lexical[doc],
                "doc_passages": math.log(doc_count[doc]),
                "doc_dense": max(doc_dense[doc], 0.0),
                **{key: hit.scores.get(key, 0.0) / top for key, top in tops.items()},
                **_document_dense(hit.scores, top_doc_dense),
            }
        )
    return rows


def _weighted_terms(query: Query, *, subject_only: bool) -> list[tuple[float, frozenset[str]]]:
    """Each concept's weight and terms (numbers aside); only those naming the medical
    subject (`Concept.subject`) when `subject_only`."""
    found = [
        (c.weight or 1.0, frozenset(t for f in c.forms for t in terms(f)))
        for c in query.concepts
        if not c.is_number and (c.subject > 0 or not subject_only)
    ]
    return [(w, ts) for w, ts in found if ts]


ASPECTS = dict(QUESTION_TYPES)  # question type -> the cue words that name it
OPENING_CHARS = 400  # the first sentence is looked for within this many characters


def _top(hits: Sequence[Hit], key: str) -> float:
    return max((h.scores.get(key, 0.0) for h in hits), default=0.0) or 1.0


def _heading(passage: Passage) -> str:
    """What says what a passage is about: its section, its document's title, its first
    sentence ("Uveitis (Causes): ...", "Treatment of uveitis depends on ...")."""
    opening = passage.text[:OPENING_CHARS]
    spans = sentence_spans(opening)
    first = opening[spans[0][0] : spans[0][1]] if spans else ""
    return f"{passage.section or ''}\n{passage.document.title}\n{first}"


def _document_dense(scores: Mapping[str, float], top: float) -> dict[str, float]:
    """The document cosines of `documents.py` (0 without vectors) and the best one's gap."""
    best = scores.get("doc_dense_max")
    return {
        "doc_dense_max": best or 0.0,
        "doc_dense_top2": scores.get("doc_dense_top2", 0.0),
        "doc_dense_mean": scores.get("doc_dense_mean", 0.0),
        "doc_dense_title": scores.get("doc_dense_title", 0.0),
        "doc_dense_gap": (best - top) if best is not None else -1.0,
    }


def _per_document(
    hits: Sequence[Hit], top_lexical: float
) -> tuple[dict[str, float], dict[str, float], dict[str, int]]:
    """Per document among the candidates: summed BM25 share, best cosine, passages found."""
    lexical: dict[str, float] = {}
    dense: dict[str, float] = {}
    count: dict[str, int] = {}
    for hit in hits:
        doc = hit.passage.document.id
        lexical[doc] = lexical.get(doc, 0.0) + hit.scores.get("lexical", 0.0) / top_lexical
        dense[doc] = max(dense.get(doc, -1.0), hit.scores.get("dense", -1.0))
        count[doc] = count.get(doc, 0) + 1
    return lexical, dense, count


def _ranks(hits: Sequence[Hit], key: str) -> dict[str, int]:
    scored = sorted((h for h in hits if key in h.scores), key=lambda h: -h.scores[key])
    return {h.passage.id: rank for rank, h in enumerate(scored, start=1)}


def _rrf(rank: int | None) -> float:
    return 0.0 if rank is None else 10.0 / (10 + rank)


def _coverage(concepts: list[tuple[float, frozenset[str]]], present: frozenset[str]) -> float:
    total = sum(w for w, _ in concepts)
    if not total:
        return 0.0
    return sum(w for w, ts in concepts if ts & present) / total


def expand(rows: Sequence[Mapping[str, float]], base: Sequence[str]) -> list[list[float]]:
    """Model inputs: each base feature and its gap to the best candidate of the query.
    (Products of every two inputs were tried too: no gain once the document features
    were in, at ten times the inputs.)"""
    best = {n: max((r.get(n, 0.0) for r in rows), default=0.0) for n in base}
    return [
        [row.get(n, 0.0) for n in base] + [row.get(n, 0.0) - best[n] for n in base] for row in rows
    ]


def expanded_names(base: Sequence[str]) -> list[str]:
    return [*base, *(f"{n}-best" for n in base)]


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Logistic regression over standardised model inputs: score = sigmoid(w · z + b)."""

    base: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def scores(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        """One probability-like score per candidate of one query."""
        out = []
        for x in expand(rows, self.base):
            z = self.bias
            for v, mu, sd, w in zip(x, self.mean, self.scale, self.weights, strict=True):
                z += w * (v - mu) / sd
            out.append(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))
        return out

    def to_json(self) -> dict[str, object]:
        names = expanded_names(self.base)
        return {
            "base": list(self.base),
            "bias": self.bias,
            "inputs": [
                {"name": n, "mean": m, "scale": s, "weight": w}
                for n, m, s, w in zip(names, self.mean, self.scale, self.weights, strict=True)
            ],
        }


class LinearReranker(Reranker):
    """The fitted logistic model; the lexical-only weights when no hit has a dense score."""

    name = "linear"

    def __init__(self, hybrid: LinearModel, lexical: LinearModel) -> None:
        self.hybrid = hybrid
        self.lexical = lexical

    def rerank(self, query: Query, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        model = self.hybrid if any("dense" in h.scores for h in hits) else self.lexical
        scored = list(zip(model.scores(features(query, hits)), hits, strict=True))
        scored.sort(key=lambda sh: (-sh[0], sh[1].rank))
        return [
            replace(hit, score=s, rank=rank, scores={**hit.scores, "rerank": s})
            for rank, (s, hit) in enumerate(scored, start=1)
        ]


def load_linear(path: Path = WEIGHTS_FILE) -> LinearReranker:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LinearReranker(model_from_json(data["hybrid"]), model_from_json(data["lexical"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"cannot read reranker weights {path} ({exc}); refit them with "
            "`medcite eval fit-reranker` or set retrieval.reranker = none"
        ) from exc


def model_from_json(data: Mapping[str, Any]) -> LinearModel:
    """A model written by `LinearModel.to_json`."""
    base = tuple(str(n) for n in data["base"])
    inputs = data["inputs"]
    if [i["name"] for i in inputs] != expanded_names(base):
        raise ValueError("the inputs do not match the base features")
    return LinearModel(
        base,
        tuple(float(i["mean"]) for i in inputs),
        tuple(float(i["scale"]) for i in inputs),
        tuple(float(i["weight"]) for i in inputs),
        float(data["bias"]),
    )


@lru_cache(maxsize=4)
def open_reranker(name: str) -> Reranker | None:
    """The reranker a setting names (None for "none")."""
    if name == "none":
        return None
    if name == LinearReranker.name:
        return load_linear()
    raise ConfigError(f"unknown reranker {name!r}; choose one of: linear, none")

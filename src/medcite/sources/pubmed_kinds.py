"""The kind of a PubMed citation: its publication types, its MeSH design headings, else a
small fitted model (for the many citations typed only "Journal Article").

The model is a multinomial logistic regression over sparse binary features of the title,
the abstract's structure and the MeSH headings (`citation_features`), fitted on citations
that carry a specific type by `medcite eval fit-pubmed-kinds` (medcite/eval/pubmed_kinds.py),
its weights in `pubmed_kinds.json` beside this module. It is run in plain Python: a prediction
is a sum of the weights of the features present.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from medcite.sources.medline import Citation
from medcite.types import DocKind

WEIGHTS_FILE = Path(__file__).with_name("pubmed_kinds.json")

# Not evidence: never indexed, so never cited as support.
NOT_EVIDENCE = frozenset(
    {
        "Editorial",
        "Letter",
        "Comment",
        "Published Erratum",
        "Retraction of Publication",
        "Expression of Concern",
        "News",
        "Newspaper Article",
        "Biography",
        "Autobiography",
        "Portrait",
        "Interview",
        "Bibliography",
        "Directory",
        "Dictionary",
    }
)
# Strongest design first: the first group a citation's types meet decides its kind.
TYPE_KINDS: tuple[tuple[DocKind, frozenset[str]], ...] = (
    (
        DocKind.GUIDELINE,
        frozenset(
            {
                "Practice Guideline",
                "Guideline",
                "Consensus Development Conference",
                "Consensus Development Conference, NIH",
            }
        ),
    ),
    (DocKind.SYSTEMATIC_REVIEW, frozenset({"Systematic Review", "Meta-Analysis"})),
    (
        DocKind.TRIAL,
        frozenset(
            {
                "Randomized Controlled Trial",
                "Controlled Clinical Trial",
                "Clinical Trial",
                "Clinical Trial, Phase I",
                "Clinical Trial, Phase II",
                "Clinical Trial, Phase III",
                "Clinical Trial, Phase IV",
                "Pragmatic Clinical Trial",
                "Equivalence Trial",
                "Adaptive Clinical Trial",
            }
        ),
    ),
    (DocKind.CASE_REPORT, frozenset({"Case Reports"})),
    (DocKind.REVIEW, frozenset({"Review", "Scoping Review"})),
    (DocKind.OBSERVATIONAL, frozenset({"Observational Study", "Twin Study"})),
)
# MeSH headings that index an observational design; used as a label, never as a feature.
OBSERVATIONAL_MESH = frozenset(
    {
        "Cohort Studies",
        "Case-Control Studies",
        "Cross-Sectional Studies",
        "Retrospective Studies",
        "Prospective Studies",
        "Longitudinal Studies",
    }
)
# Types that say only who paid or how it was indexed: original research of unstated design.
GENERIC_TYPES = frozenset({"Journal Article", "English Abstract"})
_FUNDING = re.compile(r"^Research Support, ")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FEATURE_GROUPS = ("title", "bigrams", "structure", "mesh", "abstract")
# The model reads what a citation states: its title (words, word pairs), its abstract's
# structure (labels, NLM categories, length), its MeSH headings, and its abstract's words.


def is_evidence(citation: Citation) -> bool:
    return not NOT_EVIDENCE.intersection(citation.publication_types)


def kind_from_metadata(citation: Citation) -> DocKind | None:
    """The kind the citation's publication types (then MeSH design headings) state."""
    types = set(citation.publication_types)
    for kind, names in TYPE_KINDS:
        if types & names:
            return kind
    if OBSERVATIONAL_MESH.intersection(citation.mesh):
        return DocKind.OBSERVATIONAL
    return None


def training_label(citation: Citation) -> str | None:
    """What the model learns for a citation: its stated kind; "other" (original research of
    unstated design) when nothing but funding is typed on a citation that is fully indexed
    for MEDLINE (whose indexers type every design) or that states its funding; None when
    nothing is stated: what the model predicts."""
    kind = kind_from_metadata(citation)
    if kind is not None:
        return kind.value
    types = set(citation.publication_types) - GENERIC_TYPES
    funded = {t for t in types if _FUNDING.match(t)}
    if types == funded and (funded or citation.status == "MEDLINE"):
        return DocKind.OTHER.value
    return None


def citation_features(citation: Citation, groups: Iterable[str] = FEATURE_GROUPS) -> list[str]:
    """Sparse binary features of the chosen groups (see FEATURE_GROUPS)."""
    chosen = set(groups)
    words = _WORD.findall(citation.title.casefold())
    out: list[str] = []
    if "title" in chosen:
        out += [f"t:{w}" for w in dict.fromkeys(words)]
    if "bigrams" in chosen:
        out += [f"b:{a}_{b}" for a, b in dict.fromkeys(itertools.pairwise(words))]
    if "structure" in chosen:
        out += _structure(citation)
    if "abstract" in chosen:
        text = " ".join(p.text for p in citation.abstract).casefold()
        out += [f"a:{w}" for w in dict.fromkeys(_WORD.findall(text))]
    if "mesh" in chosen:
        mesh = [m for m in citation.mesh if m not in OBSERVATIONAL_MESH]
        # no "no MeSH" feature: recent citations are not indexed yet, whatever their design
        out += [f"m:{m.casefold()}" for m in dict.fromkeys(mesh)]
    return out


def _structure(citation: Citation) -> list[str]:
    parts = citation.abstract
    n_words = sum(len(p.text.split()) for p in parts)
    labels = {p.label.casefold() for p in parts if p.label}
    out = [f"s:label:{label}" for label in sorted(labels)]
    out += [f"s:cat:{c.casefold()}" for c in sorted({p.category for p in parts if p.category})]
    out.append(f"s:parts:{_bucket(len(parts), (1, 3, 5))}")
    out.append(f"s:words:{_bucket(n_words, (100, 200, 300))}")
    if parts and not labels:
        out.append("s:unstructured")
    return out


def _bucket(value: int, edges: Sequence[int]) -> str:
    return str(next((i for i, edge in enumerate(edges) if value <= edge), len(edges)))


@dataclass(frozen=True, slots=True)
class KindModel:
    """Fitted weights: for each feature, one weight per class; below `threshold` the model
    says nothing."""

    classes: tuple[str, ...]
    groups: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, Sequence[float]]
    threshold: float

    def probabilities(self, features: Iterable[str]) -> list[float]:
        scores = list(self.bias)
        for feature in features:
            row = self.weights.get(feature)
            if row is not None:
                scores = [s + w for s, w in zip(scores, row, strict=True)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def predict(self, citation: Citation) -> tuple[DocKind, float] | None:
        """The most probable kind and its probability, or None below the threshold."""
        probs = self.probabilities(citation_features(citation, self.groups))
        best = max(range(len(probs)), key=probs.__getitem__)
        if probs[best] < self.threshold:
            return None
        return DocKind(self.classes[best]), probs[best]


@lru_cache(maxsize=2)
def load_kind_model(path: Path = WEIGHTS_FILE) -> KindModel | None:
    """The shipped model, or None when no weights file exists (kinds then come from cues)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return KindModel(
        classes=tuple(data["classes"]),
        groups=tuple(data["groups"]),
        bias=tuple(data["bias"]),
        weights={k: tuple(v) for k, v in data["weights"].items()},
        threshold=float(data["threshold"]),
    )

"""Fit the PubMed kind model (sources/pubmed_kinds.py) on citations that state their kind.

Training data: the citations of the shared PubMed files (`corpus.root`/data/corpus/pubmed)
that have an abstract and a label (`training_label`: the kind their publication types or
MeSH design headings state; "other" for original research of unstated design). One in five,
by a hash of the PMID, is held back and never seen until the final report. On the rest,
three-fold cross-validation chooses the feature groups, the L2 strength and the confidence
threshold below which the model says nothing; the model is then refitted on all of it and
written with its figures.

Multinomial logistic regression over sparse binary features, fitted by full-batch Adam in
numpy (the `dense` extra).
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medcite.errors import MedciteError, MissingExtra
from medcite.settings import Settings
from medcite.sources.base import SourceFile
from medcite.sources.medline import Citation, read_citation
from medcite.sources.pubmed import pubmed_elements
from medcite.sources.pubmed_kinds import (
    FEATURE_GROUPS,
    WEIGHTS_FILE,
    citation_features,
    is_evidence,
    training_label,
)

BASE_GROUPS = ("title", "structure", "mesh")
L2_GRID = (3e-4, 1e-3, 3e-3)
BALANCE_GRID = (0.0, 0.5)
MIN_CLASS = 30  # a kind with fewer training citations is not learnt (the model never says it)
THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(13))
TARGET_PRECISION = 0.9
MIN_COUNT = 3
PRUNE = 0.1  # features whose weights are all smaller are left out of the shipped file
FOLDS = 3


@dataclass(frozen=True, slots=True)
class Example:
    pmid: str
    label: str | None
    features: dict[str, list[str]]  # group -> features
    source: str


@dataclass(frozen=True, slots=True)
class KindFit:
    """The fitted model's figures."""

    groups: tuple[str, ...]
    l2: float
    balance: float
    threshold: float
    selection: list[dict[str, Any]]
    cv: dict[str, float]
    held_out: dict[str, Any]
    untyped: dict[str, int]
    counts: dict[str, int]


def fit_kind_model(files: Sequence[Path], *, out: Path = WEIGHTS_FILE) -> KindFit:
    """Read the files, choose the recipe by cross-validation, fit, evaluate, write."""
    np = _numpy()
    examples = list(_examples(files))
    sizes = Counter(e.label for e in examples if e.label and not _held_out(e.pmid))
    classes = sorted(c for c, n in sizes.items() if c and n >= MIN_CLASS)
    labelled = [e for e in examples if e.label in classes]
    train = [e for e in labelled if not _held_out(e.pmid)]
    test = [e for e in labelled if _held_out(e.pmid)]
    groups, l2, balance, selection = _choose(train, classes)
    oof = _out_of_fold(train, classes, groups, l2, balance)
    threshold = _threshold([e.label or "" for e in train], oof)
    model = _pruned(_fit(train, classes, groups, l2, balance))
    predictions = [_predict(model, e, groups) for e in test]
    held = _report([e.label or "" for e in test], predictions, threshold, classes)
    untyped = Counter(
        _shown(_predict(model, e, groups), threshold) for e in examples if not e.label
    )
    fit = KindFit(
        groups,
        l2,
        balance,
        threshold,
        selection,
        _report([e.label or "" for e in train], oof, threshold, classes)["summary"],
        held,
        dict(untyped),
        {"train": len(train), "held_out": len(test), "untyped": sum(untyped.values())},
    )
    out.write_text(json.dumps(_weights_json(model, fit, np), indent=1) + "\n", encoding="utf-8")
    return fit


def shared_pubmed_files(settings: Settings) -> list[Path]:
    """The PubMed files of the shared corpus."""
    folder = settings.corpus.root / "data/corpus/pubmed"
    found = sorted(folder.glob("*.xml.gz")) + sorted(folder.glob("*.xml"))
    if not found:
        raise MedciteError(f"no PubMed XML files in {folder}; name the files to read")
    return found


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as exc:
        raise MissingExtra("fitting the PubMed kind model", "dense") from exc
    return numpy


def _examples(files: Sequence[Path]) -> Iterator[Example]:
    for path in files:
        with SourceFile(path, b"").open() as stream:
            for element in pubmed_elements(path, stream):
                if element.tag != "PubmedArticle":
                    continue
                citation = read_citation(element)
                if citation is None or not citation.abstract or not is_evidence(citation):
                    continue
                yield _example(citation, path.name)


def _example(citation: Citation, source: str) -> Example:
    features = {g: citation_features(citation, (g,)) for g in FEATURE_GROUPS}
    return Example(citation.pmid, training_label(citation), features, source)


def _held_out(pmid: str) -> bool:
    return zlib.crc32(pmid.encode()) % 5 == 0


def _fold(pmid: str) -> int:
    return (zlib.crc32(pmid.encode()) // 5) % FOLDS


# -- the model ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Model:
    classes: list[str]
    vocab: dict[str, int]
    weights: Any  # (features, classes)
    bias: Any  # (classes,)


def _fit(
    examples: Sequence[Example],
    classes: list[str],
    groups: Sequence[str],
    l2: float,
    balance: float = 0.0,
) -> _Model:
    """Multinomial logistic regression; each example weighs (mean class size / its class's
    size) ** `balance` (0: every example alike, 1: every class alike). Each citation with MeSH
    headings is also learnt without them, as recent citations come (not indexed yet)."""
    np = _numpy()
    if "mesh" in groups:
        examples = [*examples, *(_without_mesh(e) for e in examples if e.features["mesh"])]
    counts = Counter(f for e in examples for f in _features(e, groups))
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    bias = vocab["(bias)"] = len(vocab)  # the intercept, as a feature every row has
    starts: list[int] = []
    cols: list[int] = []
    for e in examples:
        starts.append(len(cols))
        cols += [vocab[f] for f in _features(e, groups) if f in vocab] + [bias]
    col_ids = np.array(cols, dtype=np.int64)
    row_ids = np.repeat(np.arange(len(starts)), np.diff([*starts, len(cols)]))
    starts_arr = np.array(starts)
    y = np.array([classes.index(e.label or "") for e in examples])
    per_class = np.bincount(y, minlength=len(classes)).astype(float)
    sample_w = ((len(y) / (len(classes) * np.maximum(per_class, 1))) ** balance)[y]
    w = np.zeros((len(vocab), len(classes)))
    onehot = np.eye(len(classes))[y]
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, 301):
        scores = np.add.reduceat(w[col_ids], starts_arr, axis=0)
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        g = (probs - onehot) * sample_w[:, None] / sample_w.sum()
        grad = np.zeros_like(w)
        for c in range(len(classes)):
            grad[:, c] = np.bincount(col_ids, weights=g[row_ids, c], minlength=len(vocab))
        penalty = l2 * w
        penalty[bias] = 0.0
        _adam(w, grad + penalty, m, v, step)
    intercept = w[bias].copy()
    w[bias] = 0.0
    return _Model(classes, vocab, w, intercept)


def _pruned(model: _Model) -> _Model:
    """The model without features whose every weight is below PRUNE (what is shipped); the
    held-back figures are measured on it."""
    np = _numpy()
    keep = [f for f, i in model.vocab.items() if np.abs(model.weights[i]).max() >= PRUNE]
    rows = [model.vocab[f] for f in keep]
    weights = np.round(model.weights[rows], 3)
    return _Model(model.classes, {f: i for i, f in enumerate(keep)}, weights, model.bias)


def _adam(param: Any, grad: Any, m: Any, v: Any, step: int, lr: float = 0.05) -> None:
    np = _numpy()
    m *= 0.9
    m += 0.1 * grad
    v *= 0.999
    v += 0.001 * grad * grad
    param -= lr * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)


def _without_mesh(example: Example) -> Example:
    return replace(example, features={**example.features, "mesh": []})


def _shown(prediction: tuple[str, float], threshold: float) -> str:
    return prediction[0] if prediction[1] >= threshold else "(below threshold)"


def _features(example: Example, groups: Sequence[str]) -> list[str]:
    return [f for g in groups for f in example.features[g]]


def _predict(model: _Model, example: Example, groups: Sequence[str]) -> tuple[str, float]:
    np = _numpy()
    ids = [model.vocab[f] for f in _features(example, groups) if f in model.vocab]
    scores = model.bias + model.weights[ids].sum(axis=0)
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    best = int(probs.argmax())
    return model.classes[best], float(probs[best])


# -- choosing the recipe --------------------------------------------------------------------


def _out_of_fold(
    examples: Sequence[Example],
    classes: list[str],
    groups: Sequence[str],
    l2: float,
    balance: float,
) -> list[tuple[str, float]]:
    predictions: list[tuple[str, float]] = [("", 0.0)] * len(examples)
    for fold in range(FOLDS):
        train = [e for e in examples if _fold(e.pmid) != fold]
        model = _fit(train, classes, groups, l2, balance)
        for i, e in enumerate(examples):
            if _fold(e.pmid) == fold:
                predictions[i] = _predict(model, e, groups)
    return predictions


def _choose(
    examples: Sequence[Example], classes: list[str]
) -> tuple[tuple[str, ...], float, float, list[dict[str, Any]]]:
    """Feature groups (the base three, with word pairs of the title and/or the abstract's
    words), then L2, then class balance, each by cross-validated accuracy (macro-F1 breaks
    ties). Dropping one of the base three cost 1 to 6 points of accuracy when tried."""
    labels = [e.label or "" for e in examples]
    tried: list[dict[str, Any]] = []

    def score(groups: tuple[str, ...], l2: float, balance: float) -> tuple[float, float]:
        oof = _out_of_fold(examples, classes, groups, l2, balance)
        summary = _report(labels, oof, 0.0, classes)["summary"]
        tried.append({"groups": list(groups), "l2": l2, "balance": balance, **summary})
        return float(summary["accuracy"]), float(summary["macro_f1"])

    variants = [BASE_GROUPS, (*BASE_GROUPS, "bigrams"), (*BASE_GROUPS, "abstract")]
    variants += [(*BASE_GROUPS, "bigrams", "abstract")]
    l2, balance = L2_GRID[len(L2_GRID) // 2], BALANCE_GRID[0]
    by_groups = {groups: score(groups, l2, balance) for groups in variants}
    groups = max(variants, key=by_groups.__getitem__)
    by_l2 = {x: score(groups, x, balance) if x != l2 else by_groups[groups] for x in L2_GRID}
    l2 = max(L2_GRID, key=by_l2.__getitem__)
    by_balance = {x: score(groups, l2, x) if x != balance else by_l2[l2] for x in BALANCE_GRID}
    return groups, l2, max(BALANCE_GRID, key=by_balance.__getitem__), tried


def _threshold(labels: Sequence[str], predictions: Sequence[tuple[str, float]]) -> float:
    """The lowest threshold whose confident out-of-fold predictions reach TARGET_PRECISION."""
    for t in THRESHOLDS:
        sure = [a == p for a, (p, q) in zip(labels, predictions, strict=True) if q >= t]
        if sure and sum(sure) / len(sure) >= TARGET_PRECISION:
            return t
    return THRESHOLDS[-1]


def _report(
    labels: Sequence[str],
    predictions: Sequence[tuple[str, float]],
    threshold: float,
    classes: Sequence[str],
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision and recall; accuracy and coverage above the
    threshold."""
    pairs = list(zip(labels, predictions, strict=True))
    accuracy = sum(t == p for t, (p, _) in pairs) / max(len(pairs), 1)
    per_class: dict[str, dict[str, float]] = {}
    for c in classes:
        tp = sum(t == c and p == c for t, (p, _) in pairs)
        predicted = sum(p == c for _, (p, _) in pairs)
        actual = sum(t == c for t in labels)
        precision, recall = tp / max(predicted, 1), tp / max(actual, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        per_class[c] = {"precision": precision, "recall": recall, "f1": f1, "n": actual}
    confident = [(t, p) for t, (p, q) in pairs if q >= threshold]
    summary = {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(sum(v["f1"] for v in per_class.values()) / len(classes), 4),
        "confident_accuracy": round(sum(t == p for t, p in confident) / max(len(confident), 1), 4),
        "coverage": round(len(confident) / max(len(pairs), 1), 4),
        "n": len(pairs),
    }
    rounded = {c: {k: round(v, 4) for k, v in d.items()} for c, d in per_class.items()}
    return {"summary": summary, "per_class": rounded}


def _weights_json(model: _Model, fit: KindFit, np: Any) -> dict[str, Any]:
    weights = {f: [round(float(x), 3) for x in model.weights[i]] for f, i in model.vocab.items()}
    return {
        "classes": model.classes,
        "groups": list(fit.groups),
        "bias": [round(float(x), 4) for x in model.bias],
        "threshold": fit.threshold,
        "fitted": {
            "command": "medcite eval fit-pubmed-kinds",
            "date": datetime.now(UTC).date().isoformat(),
            "l2": fit.l2,
            "balance": fit.balance,
            "min_class": MIN_CLASS,
            "counts": fit.counts,
            "cv": fit.cv,
            "held_out": fit.held_out,
            "untyped_predictions": fit.untyped,
            "selection": fit.selection,
        },
        "weights": weights,
    }

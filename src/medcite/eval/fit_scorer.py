"""Fit the evidence scorer (answer/scorer.py) on training data only.

Two sources of labelled sentences:
- **BioASQ train split** (never the test split): each question is asked on the BioASQ
  evaluation library; a candidate is positive when its passage is one of the question's gold
  snippets (the sentences that answer it) and it is among the closest of those to the
  expert's ideal answer (ROUGE-2);
- **MedQuAD**, labelled by question type: a sample of questions, split by focus disease,
  with every focus the answer key uses as gold left out, asked on the answer key's library;
  a candidate is positive when it comes from an answer to the same focus and question type.

Per question, every positive and up to `NEGATIVES` negatives are kept. Features are chosen by
five-fold cross-validation over questions inside this training data (drop one feature at a
time when that raises precision at 1); the model is then fitted on all of it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from medcite.answer.candidates import Candidate, candidates
from medcite.answer.scorer import FEATURES, WEIGHTS_FILE
from medcite.engine import Engine
from medcite.eval.answers import load_key, open_key_library
from medcite.eval.datasets import BioasqQuestion, load_bioasq
from medcite.eval.fit import _fit
from medcite.eval.retrieval import EvalProgress, open_eval_library
from medcite.eval.rouge import rouge2_f1
from medcite.retrieve.rerank import expand
from medcite.settings import Settings

NEGATIVES = 40
IDEAL_SHARE = 0.5
MEDQUAD_QUESTIONS = 1500
FOLDS = 5
Example = tuple[list[Candidate], list[bool]]  # one question's candidates and labels


@dataclass(frozen=True, slots=True)
class Fitted:
    features: tuple[str, ...]
    cv_precision: float
    cv_mrr: float
    ablation: dict[str, float]
    questions: dict[str, int]


def fit_scorer(
    settings: Settings,
    *,
    out: Path = WEIGHTS_FILE,
    bioasq_limit: int | None = None,
    medquad_questions: int = MEDQUAD_QUESTIONS,
    progress: EvalProgress | None = None,
) -> Fitted:
    """Collect labelled candidates, choose features by cross-validation, fit and write."""
    examples = _bioasq_examples(settings, bioasq_limit, progress)
    n_bioasq = len(examples)
    examples += _medquad_examples(settings, medquad_questions, progress)
    examples = [e for e in examples if any(e[1]) and not all(e[1])]
    chosen, ablation = _choose(examples, progress)
    precision, mrr = _cross_validate(examples, chosen)
    x, y = _matrix(examples, chosen)
    model = _fit(x, y, np.ones(len(y)), chosen, l2=1e-3)
    counts = {"bioasq": n_bioasq, "medquad": len(examples) - n_bioasq, "used": len(examples)}
    fitted = Fitted(chosen, precision, mrr, ablation, counts)
    out.write_text(json.dumps(_document(fitted, model.to_json()), indent=2) + "\n", "utf-8")
    return fitted


def _document(fitted: Fitted, model: dict[str, object]) -> dict[str, Any]:
    return {
        "fitted_on": {
            "date": datetime.now(UTC).date().isoformat(),
            "questions": fitted.questions,
            "labels": "BioASQ train split: gold snippets; MedQuAD (answer-key foci left out): "
            "answers to the same focus and question type",
            "cv_precision_at_1": round(fitted.cv_precision, 4),
            "cv_mrr": round(fitted.cv_mrr, 4),
            "ablation_precision_at_1": {k: round(v, 4) for k, v in fitted.ablation.items()},
        },
        "model": model,
    }


def _bioasq_examples(
    settings: Settings, limit: int | None, progress: EvalProgress | None
) -> list[Example]:
    data = load_bioasq(settings.eval_dir / "bioasq")
    library = open_eval_library(settings, data, None, embed=False)
    library.close()
    questions = [q for q in data.select("train", limit) if q.snippets]

    def labels(i: int, cands: list[Candidate]) -> list[bool]:
        q = questions[i]
        return _closest_to_ideal(cands, [_snippet_of(c) in q.snippets for c in cands], q)

    return _collect(library.settings, [q.body for q in questions], labels, "BioASQ train", progress)


def _collect(
    settings: Settings,
    questions: Sequence[str],
    labels: Callable[[int, list[Candidate]], list[bool]],
    what: str,
    progress: EvalProgress | None,
) -> list[Example]:
    """Each question asked on the library of `settings`, its candidates labelled."""
    engine = Engine(settings)
    try:
        out = []
        for n, question in enumerate(questions, start=1):
            found = engine.evidence(question)
            cands = candidates(found.query, found.hits, found.matchers)
            out.append(_sampled(cands, labels(n - 1, cands), n))
            if progress and n % 25 == 0:
                progress(f"{what} candidates", n, len(questions))
        return out
    finally:
        engine.close()


def _closest_to_ideal(
    cands: Sequence[Candidate], in_gold: list[bool], question: BioasqQuestion
) -> list[bool]:
    """Of the sentences in gold snippets, those closest to the expert's ideal answer: a
    ROUGE-2 F1 at least IDEAL_SHARE of the best one's (all of them without an ideal answer)."""
    if not question.ideal or not any(in_gold):
        return in_gold
    scores = [
        rouge2_f1(c.text, question.ideal) if gold else 0.0
        for c, gold in zip(cands, in_gold, strict=True)
    ]
    best = max(scores)
    if best == 0:
        return in_gold
    return [gold and s >= IDEAL_SHARE * best for gold, s in zip(in_gold, scores, strict=True)]


def _snippet_of(candidate: Candidate) -> str:
    ids = candidate.passage.document.extra.get("snippet_ids", "").split()
    seq = candidate.passage.seq
    return ids[seq] if seq < len(ids) else ""


def _medquad_examples(
    settings: Settings, count: int, progress: EvalProgress | None
) -> list[Example]:
    records = _training_records(settings, count)

    def labels(i: int, cands: list[Candidate]) -> list[bool]:
        focus, qtype = _norm(records[i]["focus"]), records[i]["qtype"]
        return [
            _norm(c.passage.document.extra.get("focus", "")) == focus
            and c.passage.document.extra.get("qtype") == qtype
            for c in cands
        ]

    key_library = open_key_library(settings)
    return _collect(key_library, [r["question"] for r in records], labels, "MedQuAD", progress)


def _training_records(settings: Settings, count: int) -> list[dict[str, str]]:
    """A deterministic sample of MedQuAD records whose focus the answer key never uses."""
    path = settings.corpus.root / "data/corpus/medquad/medquad.jsonl"
    key_qids = _key_gold_qids(settings)
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    held = {_norm(r["focus"]) for r in records if (r["source"], r["qid"]) in key_qids}
    held |= {_norm(r["focus"]) for r in records if r["qid"] in {q for _, q in key_qids}}
    usable = [
        r
        for r in records
        if _norm(r["focus"]) not in held and r.get("answer") and r.get("qtype") and r["question"]
    ]
    random.Random(12).shuffle(usable)
    return usable[:count]


def _key_gold_qids(settings: Settings) -> set[tuple[str, str]]:
    path = settings.eval_dir / "answer-key/questions.jsonl"
    if not path.is_file():
        return set()
    load_key(path)  # a malformed key fails here, loudly
    out = set()
    for line in path.read_text("utf-8").splitlines():
        gold = json.loads(line).get("gold") or {}
        source = str(gold.get("source", ""))
        if source.startswith("MedQuAD"):
            out.add((source.removeprefix("MedQuAD ").strip(), str(gold.get("qid_or_file", ""))))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _sampled(cands: list[Candidate], labels: list[bool], seed: int) -> Example:
    """Every positive and at most NEGATIVES negatives (a fixed random choice)."""
    negatives = [i for i, y in enumerate(labels) if not y]
    keep = set(random.Random(seed).sample(negatives, min(NEGATIVES, len(negatives))))
    chosen = [i for i, y in enumerate(labels) if y or i in keep]
    return [cands[i] for i in chosen], [labels[i] for i in chosen]


def _matrix(examples: Sequence[Example], names: tuple[str, ...]) -> tuple[Any, Any]:
    rows: list[list[float]] = []
    targets: list[float] = []
    for cands, labels in examples:
        rows += expand([c.features for c in cands], names)
        targets += [float(y) for y in labels]
    return np.array(rows, dtype=np.float64), np.array(targets, dtype=np.float64)


def _cross_validate(examples: Sequence[Example], names: tuple[str, ...]) -> tuple[float, float]:
    """Mean precision at 1 and MRR of the fitted model over FOLDS folds of questions."""
    hits, ranks = [], []
    for fold in range(FOLDS):
        train = [e for i, e in enumerate(examples) if i % FOLDS != fold]
        test = [e for i, e in enumerate(examples) if i % FOLDS == fold]
        x, y = _matrix(train, names)
        model = _fit(x, y, np.ones(len(y)), names, l2=1e-3)
        for cands, labels in test:
            scores = model.scores([c.features for c in cands])
            order = sorted(range(len(cands)), key=lambda i: -scores[i])
            first = next(r for r, i in enumerate(order, start=1) if labels[i])
            hits.append(float(first == 1))
            ranks.append(1.0 / first)
    return float(np.mean(hits)), float(np.mean(ranks))


def _choose(
    examples: Sequence[Example], progress: Callable[[str, int, int], None] | None
) -> tuple[tuple[str, ...], dict[str, float]]:
    """Backward elimination: drop a feature when precision at 1 rises without it."""
    chosen: tuple[str, ...] = FEATURES
    best, _ = _cross_validate(examples, chosen)
    ablation: dict[str, float] = {"(all)": best}
    for n, name in enumerate(FEATURES, start=1):
        if progress:
            progress("choosing features", n, len(FEATURES))
        trial = tuple(f for f in chosen if f != name)
        precision, _ = _cross_validate(examples, trial)
        ablation[f"-{name}"] = precision
        if precision > best:
            chosen, best = trial, precision
    return chosen, ablation

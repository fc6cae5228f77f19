"""The evidence scorer: one fitted model that scores each candidate sentence or table row for
the question's subject and its asked aspect.

A logistic regression over the candidate's features (candidates.py) and each feature's gap
to the best candidate of the question, with weights in `scorer.json` beside this module,
fitted by `medcite eval fit-scorer` on training data only: the BioASQ train split (its gold
snippets are the sentences that answer a question) and MedQuAD answers labelled by question
type (split by focus disease; every focus the answer key uses is left out). Features were
chosen by cross-validation inside that training data. No weight here is set by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from medcite.answer.candidates import Candidate
from medcite.errors import ConfigError
from medcite.retrieve.rerank import LinearModel, model_from_json

WEIGHTS_FILE = Path(__file__).with_name("scorer.json")
FEATURES = (
    "subject_own",
    "subject_context",
    "subject_topic",
    "coverage_own",
    "coverage_context",
    "question_overlap",
    "phrase",
    "aspect_words",
    "aspect_share",
    "aspect_section",
    "other_section",
    "no_aspect",
    "number",
    "number_asked",
    "hit_rank",
    "hit_score",
    "rerank",
    "rerank_no_aspect",
    "hit_rank_no_aspect",
    "first",
    "words",
    "pronoun",
    "table",
)


def score(model: LinearModel, cands: Sequence[Candidate]) -> list[Candidate]:
    """The candidates with `score` set (a probability that the sentence answers)."""
    if not cands:
        return []
    values = model.scores([c.features for c in cands])
    return [replace(c, score=s) for c, s in zip(cands, values, strict=True)]


@lru_cache(maxsize=2)
def load_scorer(path: Path = WEIGHTS_FILE) -> LinearModel:
    try:
        return model_from_json(json.loads(path.read_text(encoding="utf-8"))["model"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"cannot read the evidence scorer's weights {path} ({exc}); refit them with "
            "`medcite eval fit-scorer`"
        ) from exc

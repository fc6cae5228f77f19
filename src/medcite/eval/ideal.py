"""`medcite eval ideal`: medcite's bottom lines against BioASQ's ideal answers.

Each question of the split is asked with the `Engine` on the BioASQ evaluation library (see
`retrieval.open_eval_library`; lexical + expansion + rerank unless that library is already
embedded). Reported: ROUGE-2 and ROUGE-SU4 F1 of the bottom line against the question's
ideal answers (the best one counts; an abstention scores 0), the abstention rate, for
yes/no questions the share with a stated verdict and its accuracy, and the same ROUGE for a
baseline: the first two sentences of the top BM25 passage (no expansion, no rerank).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from medcite.engine import Engine
from medcite.eval.datasets import BioasqQuestion, Split, load_bioasq
from medcite.eval.metrics import percentile
from medcite.eval.retrieval import LEXICAL, EvalProgress, eval_settings, open_eval_library
from medcite.eval.rouge import rouge2_f1, rouge_su4_f1
from medcite.index import Library
from medcite.retrieve.pipeline import rank_passages
from medcite.settings import Settings
from medcite.text import sentences
from medcite.types import Answer
from medcite.understand.query import understand

BASELINE_SENTENCES = 2
SYSTEM = "medcite bottom line"
BASELINE = "baseline: top BM25 passage, 2 sentences"


@dataclass(frozen=True, slots=True)
class Scored:
    """One question: ROUGE of medcite's bottom line and of the baseline, and the verdict."""

    id: str
    type: str
    abstained: bool
    rouge2: float
    su4: float
    baseline_rouge2: float
    baseline_su4: float
    latency_ms: float
    verdict: str | None = None
    gold: str | None = None  # BioASQ's exact yes/no answer
    bottom_line: str = ""
    baseline: str = ""


@dataclass(frozen=True, slots=True)
class IdealReport:
    description: str
    retrieval: str
    scored: tuple[Scored, ...]
    settings_hash: str
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def mean(self, name: str, kind: str | None = None) -> float:
        rows = [s for s in self.scored if kind is None or s.type == kind]
        return sum(getattr(s, name) for s in rows) / len(rows) if rows else 0.0

    @property
    def abstention_rate(self) -> float:
        return self.mean("abstained")

    @property
    def p50_ms(self) -> float:
        return percentile([s.latency_ms for s in self.scored], 50) if self.scored else 0.0

    @property
    def yes_no(self) -> tuple[Scored, ...]:
        return tuple(s for s in self.scored if s.gold is not None)

    @property
    def stated_share(self) -> float:
        asked = self.yes_no
        return sum(s.verdict is not None for s in asked) / len(asked) if asked else 0.0

    @property
    def verdict_accuracy(self) -> float:
        stated = [s for s in self.yes_no if s.verdict is not None]
        return sum(s.verdict == s.gold for s in stated) / len(stated) if stated else 0.0

    @property
    def always_yes_accuracy(self) -> float:
        asked = self.yes_no
        return sum(s.gold == "yes" for s in asked) / len(asked) if asked else 0.0

    @property
    def verdicts_elsewhere(self) -> int:
        """Verdicts stated on questions BioASQ does not type as yes/no."""
        return sum(s.verdict is not None for s in self.scored if s.gold is None)

    def summary(self) -> dict[str, float]:
        return {
            "ROUGE-2 F1": self.mean("rouge2"),
            "ROUGE-SU4 F1": self.mean("su4"),
            "baseline ROUGE-2 F1": self.mean("baseline_rouge2"),
            "baseline ROUGE-SU4 F1": self.mean("baseline_su4"),
            "abstention rate": self.abstention_rate,
            "yes/no stated share": self.stated_share,
            "yes/no accuracy where stated": self.verdict_accuracy,
            "always-yes accuracy": self.always_yes_accuracy,
            "p50 ms": self.p50_ms,
        }

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = {k: round(v, 4) for k, v in self.summary().items()}
        data["yes_no_questions"] = len(self.yes_no)
        data["verdicts_elsewhere"] = self.verdicts_elsewhere
        return data


def bottom_line_text(answer: Answer) -> str:
    """The bottom line as one text (empty for an abstention)."""
    return " ".join(c.text for c in answer.bottom_line)


def baseline_text(question: str, library: Library) -> str:
    """The first sentences of the top passage by BM25 alone (no expansion, no rerank)."""
    query = understand(question, library.lexical.doc_freq, library.lexical.size())
    hits = rank_passages(query, library, LEXICAL)
    if not hits:
        return ""
    return " ".join(sentences(hits[0].passage.text)[:BASELINE_SENTENCES])


def open_eval_engine(
    settings: Settings, progress: EvalProgress | None = None
) -> tuple[Engine, str]:
    """An Engine on the BioASQ evaluation library (built if needed, never embedded here),
    and which retrieval it runs: hybrid only when every passage already has its vector."""
    data = load_bioasq(settings.eval_dir / "bioasq")
    library = open_eval_library(settings, data, progress, embed=False)
    try:
        embedded = library.unembedded() == 0 and _has_vectors(library)
    finally:
        library.close()
    chosen = eval_settings(settings, "bioasq")
    if not embedded:
        lexical = chosen.retrieval.model_copy(update={"embedder": "none"})
        chosen = chosen.model_copy(update={"retrieval": lexical})
    plan = "hybrid" if embedded else "lexical"
    return Engine(chosen), f"{plan} + expansion + rerank"


def _has_vectors(library: Library) -> bool:
    dense = library.dense
    return dense is not None and dense.vectors.size() == library.store.passage_count()


def evaluate_ideal(
    settings: Settings,
    *,
    split: Split = "test",
    limit: int | None = None,
    progress: EvalProgress | None = None,
) -> IdealReport:
    """Ask every question of the split and score its bottom line and the baseline."""
    data = load_bioasq(settings.eval_dir / "bioasq")
    questions = [q for q in data.select(split, limit) if q.ideal]
    engine, retrieval = open_eval_engine(settings, progress)
    try:
        scored = score_questions(engine, questions, progress)
        description = (
            f"BioASQ {split} split, {len(questions)} questions with ideal answers "
            f"({sum(q.yes_no is not None for q in questions)} yes/no); "
            f"{engine.library.store.passage_count():,} passages; {retrieval}"
        )
        return IdealReport(description, retrieval, tuple(scored), settings.fingerprint())
    finally:
        engine.close()


def score_questions(
    engine: Engine, questions: Sequence[BioasqQuestion], progress: EvalProgress | None = None
) -> list[Scored]:
    """Each question asked and scored (one warm-up ask first, not timed)."""
    if questions:
        engine.ask(questions[0].body)
    scored = []
    for n, question in enumerate(questions, start=1):
        started = time.perf_counter()
        answer = engine.ask(question.body)
        latency = (time.perf_counter() - started) * 1000
        scored.append(_score(question, answer, latency, engine.library))
        if progress:
            progress("asking", n, len(questions))
    return scored


def _score(question: BioasqQuestion, answer: Answer, latency: float, library: Library) -> Scored:
    text = bottom_line_text(answer)
    baseline = baseline_text(question.body, library)
    return Scored(
        question.id,
        question.type,
        answer.abstained,
        round(rouge2_f1(text, question.ideal), 4),
        round(rouge_su4_f1(text, question.ideal), 4),
        round(rouge2_f1(baseline, question.ideal), 4),
        round(rouge_su4_f1(baseline, question.ideal), 4),
        round(latency, 1),
        answer.verdict,
        question.yes_no,
        text,
        baseline,
    )

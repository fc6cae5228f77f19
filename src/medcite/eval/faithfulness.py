"""`medcite eval faithfulness`: how faithful answers are to the passages they cite.

Runs `Engine.ask` over an evaluation set's questions against the current index and reports:
- claims verified / flagged / removed by the verify stage, and abstentions;
- numbers checked by verification, and numbers shown to the reader;
- an independent re-check of every answer as it leaves medcite: each citation number must
  resolve to a reference whose passage is in the store (unresolvable citations: must be 0),
  and each number shown must appear, same value and unit, in a passage the claim cites
  (unverified numbers: must be 0 in strict mode), including a parser-free check that every
  digit string of the claim occurs in a cited passage;
- perturbation catch rates: every verified claim is rewritten with each kind of error in
  `medcite.eval.perturb` and checked again against the answer's references; a perturbation
  is caught when the claim is no longer verified. Rewrites that a cited passage states
  verbatim are not errors and are skipped.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from medcite.clinical.doses import parse_measures
from medcite.engine import Engine
from medcite.errors import MedciteError, NotFound
from medcite.eval.perturb import Perturbation, perturb
from medcite.index.store import Store
from medcite.types import Answer, Claim, ClaimStatus, Passage
from medcite.verify import Verifier
from medcite.verify.numbers import check_numbers

DATASETS = ("bioasq", "mediqa")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class CatchRate:
    kind: Perturbation
    applied: int
    caught: int

    @property
    def rate(self) -> float | None:
        return self.caught / self.applied if self.applied else None


@dataclass(slots=True)
class Tally:
    """Counts accumulated over the answers of one run."""

    questions: int = 0
    abstained: int = 0
    verified: int = 0
    flagged: int = 0
    removed: int = 0
    flagged_removed: int = 0
    numbers_checked: int = 0
    numbers_shown: int = 0
    unresolvable_citations: int = 0
    unverified_numbers: int = 0
    unmatched_digits: int = 0
    model_written: int = 0  # answers an LLM wrote (not the extractive writer or its fallback)
    applied: dict[Perturbation, int] = field(default_factory=dict)
    caught: dict[Perturbation, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FaithfulnessReport:
    dataset: str
    strict: bool
    settings_hash: str
    seconds: float
    tally: Tally
    rates: tuple[CatchRate, ...]

    @property
    def claims(self) -> int:
        return self.tally.verified + self.tally.flagged + self.tally.removed

    @property
    def passed(self) -> bool:
        """The invariants: no unresolvable citation, no unverified number, every hard
        perturbation caught."""
        t = self.tally
        hard_missed = any(r.caught < r.applied for r in self.rates if r.kind.hard)
        numbers_ok = not self.strict or (t.unverified_numbers == 0 and t.unmatched_digits == 0)
        return t.unresolvable_citations == 0 and numbers_ok and not hard_missed


def load_questions(dataset: str, data_dir: Path, limit: int | None = None) -> list[str]:
    """The question texts of an evaluation set (BioASQ bodies, MEDIQA question texts)."""
    if dataset == "bioasq":
        path = data_dir / "bioasq" / "questions.jsonl"
        _need(path)
        with path.open(encoding="utf-8") as lines:
            questions = [json.loads(line)["body"] for line in lines if line.strip()]
    elif dataset == "mediqa":
        folder = data_dir / "mediqa2019-task3"
        _need(folder)
        questions = [q for xml in sorted(folder.glob("*.xml")) for q in _mediqa(xml)]
    else:
        raise MedciteError(f"unknown dataset {dataset!r}; choose one of: {', '.join(DATASETS)}")
    return questions[:limit] if limit else questions


def _need(path: Path) -> None:
    if not path.exists():
        raise MedciteError(
            f"evaluation data not found: {path} (set eval.data_dir or MEDCITE_EVAL__DATA_DIR "
            "to the folder holding bioasq/ and mediqa2019-task3/)"
        )


def _mediqa(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    texts = (" ".join((q.findtext("QuestionText") or "").split()) for q in root.iter("Question"))
    return [t for t in texts if t]


def evaluate(
    engine: Engine,
    questions: Sequence[str],
    dataset: str,
    progress: Callable[[int], None] | None = None,
) -> FaithfulnessReport:
    """Ask every question, re-check every answer and attack its verified claims."""
    started = time.perf_counter()
    tally = Tally()
    verifier = Verifier(engine.settings.verify)
    for done, question in enumerate(questions, 1):
        answer = engine.ask(question)
        _count(answer, tally)
        _recheck(answer, engine.library.store, tally)
        _attack(answer, verifier, tally)
        if progress is not None:
            progress(done)
    rates = tuple(
        CatchRate(kind, tally.applied.get(kind, 0), tally.caught.get(kind, 0))
        for kind in Perturbation
    )
    return FaithfulnessReport(
        dataset,
        engine.settings.verify.strict,
        engine.settings.fingerprint(),
        time.perf_counter() - started,
        tally,
        rates,
    )


def _count(answer: Answer, tally: Tally) -> None:
    v = answer.verification
    tally.questions += 1
    tally.abstained += int(answer.abstained)
    tally.model_written += int(not answer.writer.startswith("extractive"))
    tally.verified += v.verified
    tally.flagged += v.flagged
    tally.removed += v.removed
    tally.flagged_removed += v.flagged_removed
    tally.numbers_checked += v.numbers_checked


def _recheck(answer: Answer, store: Store, tally: Tally) -> None:
    """Re-check the answer as it leaves medcite: citations resolve, numbers are sourced."""
    references = {r.number: r for r in answer.references}
    for claim in answer.claims:
        passages: list[Passage] = []
        for number in claim.citations or (0,):
            reference = references.get(number)
            cited = (
                [p for p in reference.passages if p.id in claim.passage_ids] if reference else []
            )
            tally.unresolvable_citations += 0 if cited else 1
            for p in cited:
                try:
                    passages.append(store.passage(p.id))
                except NotFound:
                    tally.unresolvable_citations += 1
        measures = parse_measures(claim.text)
        tally.numbers_shown += len(measures)
        if passages:
            tally.unverified_numbers += _unsourced_numbers(claim.text, passages)
            tally.unmatched_digits += _unmatched_digits(claim.text, passages)


def _unsourced_numbers(text: str, passages: Iterable[Passage]) -> int:
    """Numbers of the claim that the best of its passages does not state exactly."""
    measures = parse_measures(text)
    if not len(measures):
        return 0
    misses = []
    for p in passages:
        check = check_numbers(measures, parse_measures(p.text), (0, len(p.text)))
        misses.append(len(check.failures) + len(check.flags))
    return min(misses)


def _unmatched_digits(text: str, passages: Iterable[Passage]) -> int:
    """Digit strings of the claim found in none of its passages (no parsing involved)."""
    available = {d for p in passages for d in _DIGITS.findall(p.text)}
    return sum(1 for d in _DIGITS.findall(text) if d not in available)


def _attack(answer: Answer, verifier: Verifier, tally: Tally) -> None:
    passages = {p.id: p for r in answer.references for p in r.passages}
    for claim in answer.claims:
        if claim.status != ClaimStatus.VERIFIED:
            continue
        for kind in Perturbation:
            attacked = perturb(claim, kind, passages)
            if attacked is None or _stated(attacked, passages):
                continue
            tally.applied[kind] = tally.applied.get(kind, 0) + 1
            result = verifier.check(attacked, passages)
            tally.caught[kind] = tally.caught.get(kind, 0) + int(
                result.status != ClaimStatus.VERIFIED
            )


def _stated(claim: Claim, passages: Mapping[str, Passage]) -> bool:
    """Whether a rewritten claim is, after all, what a cited passage says word for word."""
    words = " ".join(claim.text.split())
    return any(
        words in " ".join(passages[p].text.split()) for p in claim.passage_ids if p in passages
    )


def markdown_table(report: FaithfulnessReport) -> str:
    t, claims = report.tally, report.claims or 1
    mode = "strict" if report.strict else "non-strict"
    rows = [
        "| measure | value |",
        "|---|---|",
        f"| questions ({report.dataset}) | {t.questions:,} |",
        f"| abstained | {t.abstained:,} ({t.abstained / (t.questions or 1):.1%}) |",
        f"| answers written by a language model | {t.model_written:,} |",
        f"| claims checked | {report.claims:,} |",
        f"| verified | {t.verified:,} ({t.verified / claims:.1%}) |",
        f"| flagged (shown with a warning) | {t.flagged:,} ({t.flagged / claims:.1%}) |",
        f"| removed | {t.removed:,} ({t.removed / claims:.1%}) |",
        f"| of which removed only for being flagged ({mode} mode) | {t.flagged_removed:,} |",
        f"| numbers checked by verification | {t.numbers_checked:,} |",
        f"| numbers shown to the reader | {t.numbers_shown:,} |",
        f"| unresolvable citations (must be 0) | {t.unresolvable_citations:,} |",
        f"| unverified numbers shown (must be 0 in strict mode) | {t.unverified_numbers:,} |",
        f"| digit strings not in a cited passage (must be 0) | {t.unmatched_digits:,} |",
    ]
    for r in report.rates:
        label = "must be 100%" if r.kind.hard else "measured"
        value = "n/a (0 applicable)" if r.rate is None else f"{r.rate:.1%} of {r.applied:,}"
        rows.append(f"| perturbation caught: {r.kind.value} ({label}) | {value} |")
    rows.append(f"| wall time | {report.seconds:.0f} s |")
    return "\n".join(rows)


def json_report(report: FaithfulnessReport) -> dict[str, object]:
    t = report.tally
    counts = {f.name: getattr(t, f.name) for f in fields(t) if f.name not in ("applied", "caught")}
    return {
        "dataset": report.dataset,
        "strict": report.strict,
        "settings_hash": report.settings_hash,
        "seconds": round(report.seconds, 2),
        "claims": report.claims,
        **counts,
        "passed": report.passed,
        "perturbations": [
            {
                "kind": r.kind.value,
                "hard": r.kind.hard,
                "applied": r.applied,
                "caught": r.caught,
                "rate": r.rate,
            }
            for r in report.rates
        ],
    }

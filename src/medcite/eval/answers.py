"""`medcite eval answers`: an answer key scored exactly as its README says.

A key is JSONL, one item a line: `id`, `question`, optional `audience` ("patient"),
`history` (earlier questions), `abstain`, `cite_any`, `bottom_all`, `answer_all`,
`forbid_any`. Matching is case-insensitive substring matching after collapsing whitespace.
An item passes when every check holds:
- `abstain: true` -> the answer abstains, and no `forbid_any` string appears;
- otherwise -> it does not abstain, a reference's title, source or url contains one of
  `cite_any`, the bottom line holds an alternative of every `bottom_all` group, the whole
  answer one of every `answer_all` group, and no `forbid_any` string appears.

The shared key is scored on a library of exactly the sources it was built from
(`KEY_SOURCES`), built once under the data directory, so that changes to the default corpus
never move its figures; `library="default"` scores a key on the default corpus
(`corpus.sources`) instead, built the same way under its own directory. An item may also
name the reference it expects (`cite_reference`: kind, year, DOI, PMID, journal or
organisation): some reference must show all of them. The perturbation check re-asks each
answerable item with lay words, a unit or a polite preamble inserted; none of them may
abstain.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from medcite.engine import Engine
from medcite.errors import MedciteError
from medcite.eval.retrieval import eval_settings
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings
from medcite.text import normalize_ws
from medcite.types import Answer, Audience, Claim, DocKind, Document

# The answer key's three sources, relative to corpus.root (see its README).
KEY_SOURCES: tuple[tuple[str, DocKind | None], ...] = (
    ("data/corpus/medquad/medquad.jsonl", None),
    ("data/corpus/fda-labels", None),
    ("seeds/004_9451d828407b2fcc.txt", DocKind.CASE_REPORT),
)
DEFAULT_KEY = "answer-key/questions.jsonl"
# Each answerable item is re-asked with one of these inserted; it must still be answered.
PERTURBATIONS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("polite preamble", lambda q: f"Hello, sorry to bother you, I have a quick question. {q}"),
    ("lay words", lambda q: f"{q} I really just want to know the basics, thanks so much."),
    ("unit", lambda q: f"{q} (Her last results were reported in mg/dL and mmol/L.)"),
)
Progress = Callable[[str, int, int], None]
Library_ = Literal["key", "default"]  # which library a key is asked on


@dataclass(frozen=True, slots=True)
class KeyItem:
    id: str
    question: str
    audience: Audience = Audience.CLINICIAN
    history: tuple[str, ...] = ()
    abstain: bool = False
    cite_any: tuple[str, ...] = ()
    bottom_all: tuple[tuple[str, ...], ...] = ()
    answer_all: tuple[tuple[str, ...], ...] = ()
    forbid_any: tuple[str, ...] = ()
    category: str = ""
    cite_reference: tuple[tuple[str, str], ...] = ()  # (field, expected) pairs
    carried_all: tuple[tuple[str, ...], ...] = ()  # a follow-up keeps one of each group
    dropped_all: tuple[tuple[str, ...], ...] = ()  # a topic switch carries none of these


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool


@dataclass(frozen=True, slots=True)
class ItemResult:
    id: str
    category: str
    checks: tuple[Check, ...]
    abstained: bool
    bottom_line: str
    perturbed_abstentions: tuple[str, ...] = ()
    writer: str = ""  # who wrote the answer ("extractive (fallback: ...)" when a model failed)
    seconds: float = 0.0  # the whole ask
    claims_removed: int = 0  # by the verifier
    claims_verified: int = 0

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if not c.passed]


@dataclass(frozen=True, slots=True)
class AnswersReport:
    key: str
    results: tuple[ItemResult, ...]
    perturbed: int
    perturbed_abstained: int
    settings_hash: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def questions_passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def checks_passed(self) -> int:
        return sum(c.passed for r in self.results for c in r.checks)

    @property
    def checks(self) -> int:
        return sum(len(r.checks) for r in self.results)

    def by_category(self) -> dict[str, tuple[int, int, int, int]]:
        """category -> (questions passed, questions, checks passed, checks)."""
        table: dict[str, tuple[int, int, int, int]] = {}
        for r in self.results:
            qp, q, cp, c = table.get(r.category, (0, 0, 0, 0))
            passed = sum(x.passed for x in r.checks)
            table[r.category] = (qp + r.passed, q + 1, cp + passed, c + len(r.checks))
        return table

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["questions_passed"] = self.questions_passed
        data["checks_passed"] = self.checks_passed
        data["checks"] = self.checks
        return data


def load_key(path: Path) -> list[KeyItem]:
    """The items of an answer key; a malformed line is an error naming it."""
    if not path.is_file():
        raise MedciteError(f"answer key not found: {path} (give one with --key PATH)")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(_item(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise MedciteError(f"{path}:{n}: not an answer-key item ({exc})") from exc
    if not items:
        raise MedciteError(f"{path} holds no answer-key items")
    return items


def _item(raw: dict[str, Any]) -> KeyItem:
    def strings(name: str) -> tuple[str, ...]:
        return tuple(str(s) for s in raw.get(name) or ())

    def groups(name: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(str(s) for s in g) for g in raw.get(name) or ())

    return KeyItem(
        id=str(raw["id"]),
        question=str(raw["question"]),
        audience=Audience(raw.get("audience") or Audience.CLINICIAN),
        history=strings("history"),
        abstain=bool(raw.get("abstain", False)),
        cite_any=strings("cite_any"),
        bottom_all=groups("bottom_all"),
        answer_all=groups("answer_all"),
        forbid_any=strings("forbid_any"),
        category=_category(raw),
        cite_reference=tuple(
            (str(k), str(v)) for k, v in (raw.get("cite_reference") or {}).items()
        ),
        carried_all=groups("carried_all"),
        dropped_all=groups("dropped_all"),
    )


def _category(raw: dict[str, Any]) -> str:
    if raw.get("abstain"):
        return "must abstain"
    if raw.get("conversation"):
        return f"follow-up: {raw['conversation']}"
    source = str((raw.get("gold") or {}).get("source", "")).lower()
    named = (
        ("medquad", "MedQuAD"),
        ("fda", "drug label"),
        ("case", "case report"),
        ("pubmed", "PubMed citation"),
        ("pmc", "PMC article"),
        ("guideline", "guideline summary"),
    )
    for word, name in named:
        if word in source:
            return name
    return "other"


def _norm(text: str) -> str:
    return normalize_ws(text).casefold()


def answer_texts(answer: Answer) -> tuple[str, str]:
    """(bottom line, whole answer) as the reader sees them (each claim with the frame shown
    before it), without the echoed question."""
    bottom = " ".join(_shown(c) for c in answer.bottom_line)
    parts = [bottom, *(_shown(c) for s in answer.sections for c in s.claims)]
    parts += [s.title for s in answer.sections] + [s.note or "" for s in answer.sections]
    parts += [*answer.notes, *answer.assumptions, answer.abstention or ""]
    return _norm(bottom), _norm(" ".join(parts))


def _shown(claim: Claim) -> str:
    return f"{claim.frame}: {claim.text}" if claim.frame else claim.text


def score_item(item: KeyItem, answer: Answer) -> tuple[Check, ...]:
    """The checks of one item, in the order the key's README lists them."""
    bottom, whole = answer_texts(answer)
    checks = [Check("abstains" if item.abstain else "answers", answer.abstained == item.abstain)]
    if not item.abstain:
        cited = [
            _norm(" ".join(filter(None, (d.title, d.source, d.url))))
            for d in (p.document for r in answer.references for p in r.passages)
        ]
        if item.cite_any:
            hit = any(_norm(s) in c for s in item.cite_any for c in cited)
            checks.append(Check("cites " + " | ".join(item.cite_any), hit))
        checks += [
            Check("bottom line: " + " | ".join(g), any(_norm(s) in bottom for s in g))
            for g in item.bottom_all
        ]
        checks += [
            Check("answer: " + " | ".join(g), any(_norm(s) in whole for s in g))
            for g in item.answer_all
        ]
        if item.cite_reference:
            shown = " ".join(f"{k} {v}" for k, v in item.cite_reference)
            documents = [r.document for r in answer.references]
            hit = any(_shows(d, item.cite_reference) for d in documents)
            checks.append(Check(f"reference shows {shown}", hit))
    checks += [Check(f"never: {s}", _norm(s) not in whole) for s in item.forbid_any]
    return tuple(checks) + context_checks(item, answer)


def context_checks(item: KeyItem, answer: Answer) -> tuple[Check, ...]:
    """A follow-up's carried context: what it must keep from earlier turns (`carried_all`:
    its carried subjects and patient details) and what a topic switch must leave behind."""
    turn = answer.turn
    carried = _norm(" ".join((*turn.carried, *turn.carried_subjects)))
    subjects = {_norm(s) for s in turn.carried_subjects}
    return tuple(
        [
            Check("carries: " + " | ".join(g), any(_norm(s) in carried for s in g))
            for g in item.carried_all
        ]
        + [
            Check("drops: " + " | ".join(g), not any(_norm(s) in subjects for s in g))
            for g in item.dropped_all
        ]
    )


def _shows(document: Document, expected: Sequence[tuple[str, str]]) -> bool:
    """Whether a reference's document shows every expected fact (kind, year, doi, pmid,
    publisher: its journal, source or organisation)."""
    publisher = _norm(" ".join(filter(None, (document.journal, document.source))))
    shown = {
        "kind": document.kind.value,
        "year": str(document.year),
        "doi": (document.doi or "").casefold(),
        "pmid": document.extra.get("pmid", ""),
    }
    return all(
        _norm(value) in publisher if name == "publisher" else shown.get(name) == value.casefold()
        for name, value in expected
    )


def open_key_library(
    settings: Settings, progress: Progress | None = None, library: Library_ = "key"
) -> Settings:
    """Settings of the library a key is asked on, ingested on first use (then unchanged):
    the shared key's three sources ("key") or the default corpus ("default")."""
    if library == "default":
        key_settings = eval_settings(settings, "default-corpus")
        sources = [(s.path, s.kind) for s in settings.corpus.resolved()]
    else:
        key_settings = eval_settings(settings, "answer-key")
        sources = [(settings.corpus.root / relative, kind) for relative, kind in KEY_SOURCES]
    opened = Library(key_settings)
    try:
        for n, (path, kind) in enumerate(sources, start=1):
            if not path.exists():
                raise MedciteError(
                    f"answer-key source not found: {path} (set corpus.root to the shared folder)"
                )
            if progress:
                progress(f"ingesting {path.name}", n, len(sources))
            ingest([path], opened, kind=kind)
    finally:
        opened.close()
    return key_settings


def evaluate_answers(
    settings: Settings,
    key: Path,
    *,
    perturb: bool = True,
    progress: Progress | None = None,
    library: Library_ = "key",
    limit: int | None = None,
) -> AnswersReport:
    """Ask every item of the key (the first `limit`) on its library and score it; see the
    module docstring."""
    items = load_key(key)[:limit]
    engine = Engine(open_key_library(settings, progress, library))
    try:
        results = []
        perturbed = perturbed_abstained = 0
        for n, item in enumerate(items, start=1):
            if progress:
                progress("asking", n, len(items))
            start = time.perf_counter()
            answer = engine.ask(item.question, audience=item.audience, history=item.history)
            seconds = time.perf_counter() - start
            gone: tuple[str, ...] = ()
            if perturb and not item.abstain:
                gone = _perturbed_abstentions(engine, item)
                perturbed += len(PERTURBATIONS)
                perturbed_abstained += len(gone)
            bottom = " ".join(c.text for c in answer.bottom_line)
            results.append(
                ItemResult(
                    item.id,
                    item.category,
                    score_item(item, answer),
                    answer.abstained,
                    bottom or (answer.abstention or ""),
                    gone,
                    answer.writer,
                    round(seconds, 3),
                    answer.verification.removed,
                    answer.verification.verified,
                )
            )
        extra = {**follow_up_figures(items, results), "writer": writer_figures(results)}
        return AnswersReport(
            str(key),
            tuple(results),
            perturbed,
            perturbed_abstained,
            engine.settings.fingerprint(),
            extra,
        )
    finally:
        engine.close()


def writer_figures(results: Sequence[ItemResult]) -> dict[str, Any]:
    """Who wrote the answers and at what cost: answers a model really wrote (a fallback to
    the extractive writer counts against the model), questions they passed, claims the
    verifier removed, the share of the models' claims verified, seconds per answer (p50,
    p95) and the process's peak memory."""
    written = [r for r in results if r.writer and not r.writer.startswith("extractive")]
    seconds = sorted(r.seconds for r in results)
    proposed = sum(r.claims_verified + r.claims_removed for r in written)
    return {
        "writers": sorted({r.writer.split(" (", 1)[0] for r in results}),
        "model_written": len(written),
        "model_written_passed": sum(r.passed for r in written),
        "fallbacks": sum(r.writer.startswith("extractive (fallback") for r in results),
        "claims_removed": sum(r.claims_removed for r in results),
        # of the claims models proposed, the share verified (citations assigned by code; a
        # removed claim counts against it)
        "model_claims": proposed,
        "model_claims_verified": (
            round(sum(r.claims_verified for r in written) / proposed, 3) if proposed else None
        ),
        "p50_s": _quantile(seconds, 0.5),
        "p95_s": _quantile(seconds, 0.95),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _quantile(ordered: Sequence[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def follow_up_figures(items: Sequence[KeyItem], results: Sequence[ItemResult]) -> dict[str, Any]:
    """For the items with history: how many kept their carried context (every `carries:`
    and `drops:` check held) and how many answerable ones abstained (false abstentions)."""
    follow = [(i, r) for i, r in zip(items, results, strict=True) if i.history]
    if not follow:
        return {}

    def kept(r: ItemResult) -> bool:
        return all(c.passed for c in r.checks if c.name.startswith(("carries:", "drops:")))

    answerable = [(i, r) for i, r in follow if not i.abstain]
    return {
        "follow_ups": len(follow),
        "kept_context": sum(kept(r) for i, r in answerable),
        "answerable_follow_ups": len(answerable),
        "false_abstentions": sum(r.abstained for _, r in answerable),
        "abstained_when_required": sum(r.abstained for i, r in follow if i.abstain),
        "required_abstentions": sum(i.abstain for i, _ in follow),
    }


def _perturbed_abstentions(engine: Engine, item: KeyItem) -> tuple[str, ...]:
    """The names of the perturbations under which the item abstained."""
    gone = []
    for name, change in PERTURBATIONS:
        answer = engine.ask(change(item.question), audience=item.audience, history=item.history)
        if answer.abstained:
            gone.append(name)
    return tuple(gone)


def summary_lines(report: AnswersReport, results: Sequence[ItemResult] | None = None) -> list[str]:
    """A per-question line each: id, pass/fail, failed checks, the bottom line's start."""
    lines = []
    for r in results or report.results:
        mark = "PASS" if r.passed else "FAIL"
        failed = "; ".join(r.failed)
        perturbed = f" [abstained when perturbed: {', '.join(r.perturbed_abstentions)}]"
        lines.append(
            f"{r.id} {mark} {sum(c.passed for c in r.checks)}/{len(r.checks)}"
            + (f" — failed: {failed}" if failed else "")
            + (perturbed if r.perturbed_abstentions else "")
            + f"\n    {r.bottom_line[:200]}"
        )
    return lines

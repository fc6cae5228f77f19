"""Benchmark medcite's ingest and ask pipeline on the shared data; print one Markdown table.

What it measures, in one run, each phase in its own freshly spawned process (so that the
peak RSS reported belongs to that phase alone, imports included):

1. Ingest MedQuAD (16,407 records) into an empty data directory: wall seconds, passages
   written, passages per second, peak RSS.
2. Ingest the whole default corpus (MedQuAD, the FDA labels, the seed case report) into
   another empty directory: wall seconds and passages (issue target: under 60 s).
3. Ask latency: index MedQuAD plus the BioASQ snippet corpus, warm an `Engine` with 5
   questions, then time `Engine.ask` on the first N BioASQ questions (default 100):
   p50, p95 (nearest rank) and max in ms, share abstained, and the median of each stage
   timing the engine reports (issue target: p50 under 300 ms warm).

Settings come from `load_settings` (so ./medcite.toml or $MEDCITE_CONFIG apply), with
`home` pointed at the benchmark's own directories; the settings fingerprint is printed.

Run from the repository root:

    .venv/bin/python bench/bench_pipeline.py                     # table on stdout
    .venv/bin/python bench/bench_pipeline.py --json bench.json   # also write the figures
    .venv/bin/python bench/bench_pipeline.py --keep /tmp/mc-bench --questions 50

Progress goes to stderr, so `> table.md` captures only the table.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import medcite
from medcite.engine import Engine
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import CorpusSettings, Settings, load_settings
from medcite.types import DocKind

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MEDQUAD = Path("data/corpus/medquad/medquad.jsonl")
BIOASQ_CORPUS = Path("data/eval/bioasq/corpus.jsonl")
BIOASQ_QUESTIONS = Path("data/eval/bioasq/questions.jsonl")
WARMUP_QUESTIONS = 5
INGEST_TARGET_S = 60.0
P50_TARGET_MS = 300.0

# A source to ingest: (path, forced kind or None); plain values so they cross processes.
Source = tuple[str, str | None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class IngestFigures:
    seconds: float
    documents: int
    passages: int
    failed: tuple[str, ...]
    peak_rss_mb: float

    @property
    def passages_per_s(self) -> float:
        return self.passages / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class AskFigures:
    questions: int
    latencies_ms: tuple[float, ...]
    abstained: int
    stage_medians_ms: dict[str, float]
    stage_counts: dict[str, int]
    peak_rss_mb: float

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95_ms(self) -> float:
        return nearest_rank(self.latencies_ms, 0.95)

    @property
    def max_ms(self) -> float:
        return max(self.latencies_ms)


@dataclass(frozen=True, slots=True)
class BenchResult:
    context: dict[str, Any]
    medquad: IngestFigures
    default_corpus: IngestFigures
    ask_index: IngestFigures
    ask: AskFigures
    hybrid: AskFigures | None = None
    embedded: tuple[float, int] | None = None


def nearest_rank(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of the list at or below."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def bench_settings(home: Path, embedding_cache: str | None = None) -> Settings:
    if embedding_cache is None:
        return load_settings(home=home)
    return load_settings(home=home, retrieval={"embedding_cache": embedding_cache})


# --- work done in child processes -------------------------------------------------------


def ingest_job(home: str, sources: list[Source]) -> IngestFigures:
    """Ingest `sources` into an empty `home`; runs in a fresh process."""
    started = time.perf_counter()
    library = Library(bench_settings(Path(home)))
    documents, passages = 0, 0
    failed: list[str] = []
    for path, kind in sources:
        report = ingest([Path(path)], library, kind=DocKind(kind) if kind else None)
        passages += report.passages
        documents += sum(o.documents for o in report.outcomes if o.status in ("added", "updated"))
        failed += [f"{o.path}: {o.detail}" for o in report.outcomes if o.status == "failed"]
    library.close()
    seconds = time.perf_counter() - started
    return IngestFigures(seconds, documents, passages, tuple(failed), peak_rss_mb())


def embed_job(home: str, embedding_cache: str) -> tuple[float, int]:
    """Embed the index at `home` (vectors reused from `embedding_cache`): seconds, passages."""
    started = time.perf_counter()
    library = Library(bench_settings(Path(home), embedding_cache))
    library.sync_vectors(None)
    size = library.dense.vectors.size() if library.dense else 0
    library.close()
    return time.perf_counter() - started, size


def ask_job(
    home: str, questions: list[str], warmup: list[str], embedding_cache: str | None = None
) -> AskFigures:
    """Warm an engine on `warmup`, then time each of `questions`; runs in a fresh process."""
    engine = Engine(bench_settings(Path(home), embedding_cache))
    for question in warmup:
        engine.ask(question)
    latencies: list[float] = []
    abstained = 0
    stages: dict[str, list[float]] = {}
    for question in questions:
        started = time.perf_counter()
        answer = engine.ask(question)
        latencies.append((time.perf_counter() - started) * 1000)
        abstained += int(answer.abstained)
        for stage, ms in answer.timings.items():
            stages.setdefault(stage, []).append(ms)
    engine.close()
    medians = {stage: statistics.median(v) for stage, v in stages.items()}
    counts = {stage: len(v) for stage, v in stages.items()}
    return AskFigures(len(questions), tuple(latencies), abstained, medians, counts, peak_rss_mb())


def in_fresh_process(job: Callable[..., T], *args: Any) -> T:
    """Run `job(*args)` in a newly spawned process and return its result."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(job, *args).result()


# --- orchestration ----------------------------------------------------------------------


def check_shared(shared: Path) -> None:
    """Exit with a clear message when the shared data is not where it should be."""
    needed = [s.path for s in CorpusSettings().sources] + [BIOASQ_CORPUS, BIOASQ_QUESTIONS]
    missing = [str(shared / p) for p in dict.fromkeys(needed) if not (shared / p).exists()]
    if missing:
        sys.exit(
            f"error: shared data not found under {shared}:\n  "
            + "\n  ".join(missing)
            + "\npass --shared PATH to the folder holding data/ and seeds/"
        )


def fresh_home(root: Path, name: str) -> str:
    home = root / name
    if home.exists() and any(home.iterdir()):
        sys.exit(f"error: {home} is not empty; give --keep an empty or new folder")
    home.mkdir(parents=True, exist_ok=True)
    return str(home)


def default_sources(shared: Path) -> list[Source]:
    """The default corpus as shipped (not as a local config may change it)."""
    resolved = CorpusSettings(root=shared).resolved()
    return [(str(s.path), s.kind.value if s.kind else None) for s in resolved]


def read_questions(shared: Path, count: int) -> tuple[list[str], list[str]]:
    """The first `count` BioASQ question bodies, and the next few for warming up."""
    wanted = count + WARMUP_QUESTIONS
    bodies = []
    with (shared / BIOASQ_QUESTIONS).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                bodies.append(json.loads(line)["body"])
            if len(bodies) == wanted:
                break
    if len(bodies) < wanted:
        sys.exit(f"error: only {len(bodies)} questions; --questions must leave {WARMUP_QUESTIONS}")
    return bodies[:count], bodies[count:]


def machine_context() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "medcite": medcite.__version__,
        "platform": platform.platform(terse=True),
        "settings": load_settings().fingerprint(),
    }


def run(
    shared: Path, data_root: Path, n_questions: int, embedding_cache: Path | None = None
) -> BenchResult:
    medquad = [(str(shared / MEDQUAD), None)]
    step("ingesting MedQuAD")
    medquad_figs = in_fresh_process(ingest_job, fresh_home(data_root, "medquad"), medquad)
    step("ingesting the default corpus")
    default_figs = in_fresh_process(
        ingest_job, fresh_home(data_root, "default"), default_sources(shared)
    )
    step("indexing MedQuAD + BioASQ snippets for the ask benchmark")
    ask_home = fresh_home(data_root, "ask")
    ask_sources = [*medquad, (str(shared / BIOASQ_CORPUS), None)]
    index_figs = in_fresh_process(ingest_job, ask_home, ask_sources)
    questions, warmup = read_questions(shared, n_questions)
    step(f"asking {len(questions)} questions (lexical + rerank)")
    ask_figs = in_fresh_process(ask_job, ask_home, questions, warmup)
    hybrid: AskFigures | None = None
    embedded: tuple[float, int] | None = None
    if embedding_cache is not None:
        cache = str(embedding_cache)
        step("embedding the ask index (vectors from the cache where present)")
        embedded = in_fresh_process(embed_job, ask_home, cache)
        step(f"asking {len(questions)} questions (hybrid + rerank)")
        hybrid = in_fresh_process(ask_job, ask_home, questions, warmup, cache)
    return BenchResult(
        machine_context(), medquad_figs, default_figs, index_figs, ask_figs, hybrid, embedded
    )


def step(message: str) -> None:
    print(f"bench: {message}…", file=sys.stderr, flush=True)


# --- output -----------------------------------------------------------------------------


def context_line(context: dict[str, Any]) -> str:
    return (
        f"medcite {context['medcite']} · Python {context['python']} · {context['cpus']} CPUs · "
        f"{context['platform']} · settings {context['settings']} · {context['date']}"
    )


def ingest_rows(label: str, figs: IngestFigures, target_s: float | None = None) -> list[str]:
    target = f" (target < {target_s:g} s)" if target_s else ""
    return [
        f"| {label} | wall time | {figs.seconds:.1f} s{target} |",
        f"| {label} | documents / passages | {figs.documents:,} / {figs.passages:,} |",
        f"| {label} | passages per second | {figs.passages_per_s:,.0f} |",
        f"| {label} | peak RSS | {figs.peak_rss_mb:,.0f} MB |",
    ]


def ask_rows(figs: AskFigures, how: str = "lexical + rerank") -> list[str]:
    label = f"Ask ({how}), {figs.questions} BioASQ questions, warm"
    rows = [
        f"| {label} | p50 latency | {figs.p50_ms:.0f} ms (target < {P50_TARGET_MS:g} ms) |",
        f"| {label} | p95 / max latency | {figs.p95_ms:.0f} / {figs.max_ms:.0f} ms |",
        f"| {label} | abstained | {figs.abstained / figs.questions:.0%} |",
        f"| {label} | peak RSS | {figs.peak_rss_mb:,.0f} MB |",
    ]
    for stage, ms in figs.stage_medians_ms.items():
        runs = figs.stage_counts[stage]
        rows.append(f"| {label} | median {stage} ({runs} runs) | {ms:.1f} ms |")
    return rows


def markdown_table(result: BenchResult) -> str:
    rows = ["| benchmark | measure | value |", "|---|---|---|"]
    rows += ingest_rows("Ingest MedQuAD", result.medquad)
    rows += ingest_rows("Ingest default corpus", result.default_corpus, INGEST_TARGET_S)
    rows += ingest_rows("Ingest MedQuAD + BioASQ (ask index)", result.ask_index)
    rows += ask_rows(result.ask)
    if result.embedded is not None:
        seconds, size = result.embedded
        rows.append(f"| Embed the ask index | wall time / passages | {seconds:.0f} s / {size:,} |")
    if result.hybrid is not None:
        rows += ask_rows(result.hybrid, "hybrid + rerank")
    return "\n".join([context_line(result.context), "", *rows])


def json_figures(result: BenchResult) -> dict[str, Any]:
    figures = asdict(result)
    for name in ("medquad", "default_corpus", "ask_index"):
        figures[name]["passages_per_s"] = getattr(result, name).passages_per_s
    for name in ("ask", "hybrid"):
        figs = getattr(result, name)
        if figs is not None:
            figures[name].update(p50_ms=figs.p50_ms, p95_ms=figs.p95_ms, max_ms=figs.max_ms)
            figures[name]["abstained_share"] = figs.abstained / figs.questions
    return figures


def report_failures(result: BenchResult) -> None:
    for figs in (result.medquad, result.default_corpus, result.ask_index):
        for failure in figs.failed:
            print(f"bench: warning: failed to ingest {failure}", file=sys.stderr)


# --- command line -----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data folder")
    parser.add_argument("--questions", type=int, default=100, help="questions timed")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write figures as JSON")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep data directories here")
    parser.add_argument(
        "--embedding-cache",
        type=Path,
        metavar="DB",
        help="also embed the ask index, reusing vectors from this cache (e.g. "
        "~/.medcite/embeddings.sqlite3), and time hybrid asks",
    )
    args = parser.parse_args(argv)
    if args.questions < 1:
        parser.error("--questions must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    shared = args.shared.resolve()
    check_shared(shared)
    if args.keep:
        result = run(shared, args.keep.resolve(), args.questions, args.embedding_cache)
    else:
        with tempfile.TemporaryDirectory(prefix="medcite-bench-") as tmp:
            result = run(shared, Path(tmp), args.questions, args.embedding_cache)
    report_failures(result)
    print(markdown_table(result))
    if args.json:
        args.json.write_text(json.dumps(json_figures(result), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

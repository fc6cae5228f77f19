"""Benchmark the LLM writer's added latency against the extractive writer; print a table.

A small index (the first N MedQuAD records from the shared data) and a scripted
OpenAI-compatible server on 127.0.0.1 (the one the tests use) that answers at once, or
after `--model-ms`, by quoting the first sentence of the first two passages it was given.
The same questions (MedQuAD questions of indexed records) are asked with the extractive
writer, the openai backend, and the openai backend streaming. What is reported is the cost
medcite adds around a model: prompt building, the HTTP round trip through the official
client, parsing, citation mapping and verification (a real model adds its own time).

Run from the repository root (needs the `llm` extra, which `make test` installs):

    .venv/bin/python bench/bench_llm.py                       # 50 questions, table on stdout
    .venv/bin/python bench/bench_llm.py --questions 100 --records 5000 --model-ms 200
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the scripted server lives with the tests

from tests.llm_server import ScriptedServer, Step, passages, reply, scripted_server  # noqa: E402

from medcite.engine import Engine  # noqa: E402
from medcite.index import Library  # noqa: E402
from medcite.ingest.pipeline import ingest  # noqa: E402
from medcite.settings import Settings, load_settings  # noqa: E402
from medcite.text import sentence_spans  # noqa: E402

DEFAULT_SHARED = ROOT.parent / "shared"
MEDQUAD = Path("data/corpus/medquad/medquad.jsonl")
WARMUP = 5


@dataclass(frozen=True, slots=True)
class Run:
    label: str
    total_ms: tuple[float, ...]
    write_ms: tuple[float, ...]
    answered: int
    fallbacks: int
    verified: int
    removed: int


def nearest_rank(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def first_sentence(text: str) -> str:
    spans = sentence_spans(text)
    start, end = spans[0] if spans else (0, len(text))
    return text[start:end]


def quote_first_passages(request: dict[str, Any]) -> str:
    """A model that quotes passage 1 as the bottom line and passage 2 in the first section."""
    given = passages(request)
    schema = request.get("response_format", {}).get("json_schema", {}).get("schema", {})
    keys = list(schema.get("properties", {}).get("sections", {}).get("properties", {}))
    bottom = [(first_sentence(given[1]), [1])] if 1 in given else []
    sections = {keys[0]: [(first_sentence(given[2]), [2])]} if 2 in given and keys else {}
    return reply(bottom, sections)


def build_index(shared: Path, home: Path, records: int) -> list[str]:
    """Index the first `records` MedQuAD records; return their questions."""
    subset = home.parent / "medquad-subset.jsonl"
    questions: list[str] = []
    with (shared / MEDQUAD).open(encoding="utf-8") as src, subset.open("w") as out:
        for line in src:
            if len(questions) == records:
                break
            if line.strip():
                out.write(line)
                questions.append(json.loads(line)["question"])
    library = Library(load_settings(home=home))
    ingest([subset], library)
    library.close()
    return questions


def time_asks(label: str, settings: Settings, questions: list[str]) -> Run:
    engine = Engine(settings)
    for question in questions[:WARMUP]:
        engine.ask(question)
    total, write = [], []
    answered = fallbacks = verified = removed = 0
    for question in questions[WARMUP:]:
        started = time.perf_counter()
        answer = engine.ask(question)
        total.append((time.perf_counter() - started) * 1000)
        if answer.abstained:
            continue
        answered += 1
        write.append(answer.timings["write"])
        fallbacks += int(answer.writer.startswith("extractive (fallback"))
        verified += answer.verification.verified
        removed += answer.verification.removed
    engine.close()
    return Run(label, tuple(total), tuple(write), answered, fallbacks, verified, removed)


def run(shared: Path, work: Path, n_questions: int, n_records: int, model_ms: float) -> list[Run]:
    home = work / "home"
    all_questions = build_index(shared, home, n_records)
    step_size = max(1, len(all_questions) // (n_questions + WARMUP))
    questions = all_questions[::step_size][: n_questions + WARMUP]
    runs = [time_asks("extractive", load_settings(home=home), questions)]
    with scripted_server() as server:
        for label, stream in (("openai", False), ("openai, streamed", True)):
            server.steps.clear()
            server.script(
                Step(quote_first_passages, delay_s=model_ms / 1000) for _ in range(len(questions))
            )
            runs.append(time_asks(label, llm_settings(home, server, stream), questions))
    return runs


def llm_settings(home: Path, server: ScriptedServer, stream: bool) -> Settings:
    llm = {"backend": "openai", "base_url": server.url, "model": "scripted", "stream": stream}
    return load_settings(home=home, llm=llm)


def table(runs: list[Run], n_records: int, model_ms: float) -> str:
    base = runs[0]
    rows = [
        f"{len(base.total_ms)} MedQuAD questions over an index of its first {n_records:,} "
        f"records; scripted model time {model_ms:g} ms",
        "",
        "| writer | ask p50 | ask p95 | write p50 | write p95 | added p50 / p95 | answered "
        "| fallbacks | claims verified / removed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        added = [a - b for a, b in zip(r.total_ms, base.total_ms, strict=True)]
        rows.append(
            f"| {r.label} | {statistics.median(r.total_ms):.1f} ms | "
            f"{nearest_rank(r.total_ms, 0.95):.1f} ms | {statistics.median(r.write_ms):.1f} ms | "
            f"{nearest_rank(r.write_ms, 0.95):.1f} ms | "
            f"{statistics.median(added):+.1f} / {nearest_rank(added, 0.95):+.1f} ms | "
            f"{r.answered} | {r.fallbacks} | {r.verified} / {r.removed} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data folder")
    parser.add_argument("--questions", type=int, default=50, help="questions timed")
    parser.add_argument("--records", type=int, default=3000, help="MedQuAD records indexed")
    parser.add_argument("--model-ms", type=float, default=0.0, help="scripted model delay")
    args = parser.parse_args(argv)
    if not (args.shared / MEDQUAD).is_file():
        sys.exit(f"error: {args.shared / MEDQUAD} not found; pass --shared PATH")
    with tempfile.TemporaryDirectory(prefix="medcite-bench-llm-") as tmp:
        runs = run(args.shared.resolve(), Path(tmp), args.questions, args.records, args.model_ms)
    print(table(runs, args.records, args.model_ms))


if __name__ == "__main__":
    main()

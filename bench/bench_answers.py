"""Benchmark a warm `Engine.ask` on the default corpus, stage by stage; print one Markdown table.

The library is the answer key's (MedQuAD, the FDA labels, the seed case report: what `make
demo` ingests), built once under `--home` by `medcite eval answers`' own code. The questions
are the answer key's (48 clinical questions, lay and clinician phrasing), asked `--rounds`
times after a warm-up; every figure is a median over rounds of the per-round median, so a
busy machine shows as spread rather than as a shifted p50. In the same run, the anchor: a raw
tantivy BM25 search of each question's words (no understanding, no rerank, no writing), so
the table also gives ask time as a multiple of a plain search on the same machine and moment.

    .venv/bin/python bench/bench_answers.py                 # ~/.medcite/eval/answer-key
    .venv/bin/python bench/bench_answers.py --rounds 5 --json bench/results/answers.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from medcite.engine import Engine
from medcite.eval.answers import DEFAULT_KEY, load_key, open_key_library
from medcite.index.lexical import TermGroup
from medcite.settings import load_settings
from medcite.text import terms

P50_TARGET_MS = 150.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="Times every question is asked.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    settings = load_settings()
    items = load_key(settings.eval_dir / DEFAULT_KEY)
    engine = Engine(open_key_library(settings))
    try:
        for item in items[:5]:  # warm-up: weights, dictionaries, caches
            engine.ask(item.question)
        rounds = [_round(engine, items) for _ in range(args.rounds)]
    finally:
        engine.close()
    figures = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    print(_table(figures, len(items), args.rounds))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def _round(engine: Engine, items: list[Any]) -> dict[str, float]:
    asks, raws = [], []
    stages: dict[str, list[float]] = {}
    for item in items:
        started = time.perf_counter()
        answer = engine.ask(item.question, audience=item.audience, history=item.history)
        asks.append((time.perf_counter() - started) * 1000)
        for stage, ms in answer.timings.items():
            stages.setdefault(stage, []).append(ms)
        group = TermGroup(tuple(dict.fromkeys(terms(item.question))))
        started = time.perf_counter()
        engine.library.lexical.search([group], 100)
        raws.append((time.perf_counter() - started) * 1000)
    asks.sort()
    out = {
        "ask p50 ms": statistics.median(asks),
        "ask p95 ms": asks[min(len(asks) - 1, round(0.95 * len(asks)) - 1)],
        "raw tantivy p50 ms": statistics.median(raws),
    }
    out["ask / raw tantivy"] = out["ask p50 ms"] / max(out["raw tantivy p50 ms"], 1e-6)
    out |= {f"stage {k} p50 ms": statistics.median(v) for k, v in stages.items()}
    return out


def _table(figures: dict[str, float], questions: int, rounds: int) -> str:
    lines = [
        f"Warm asks on the default corpus: {questions} answer-key questions x {rounds} rounds "
        f"(medians of round medians); target ask p50 <= {P50_TARGET_MS:.0f} ms",
        "",
        "| measure | value |",
        "|---|---|",
    ]
    lines += [f"| {name} | {value:.1f} |" for name, value in figures.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

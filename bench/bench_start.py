"""Benchmark a new process's first answer on a library; print one Markdown table.

Each run starts a new Python process that imports medcite, opens the library under `--home`
(lexical retrieval, query expansion and rerank; no vectors) and asks one question, timing the
three steps; the process's wall time, interpreter start included, is timed from outside. In
the same run and the same way, `medcite ask --json` end to end (what a user waits for) and the
anchor: a new process that imports tantivy, opens the library's tantivy index and runs one
BM25 search of the question's words, so the table also gives the first answer as a multiple
of the least any search of that library costs on the same machine at the same moment. Runs
are interleaved (question by question, medcite then CLI then anchor) and every figure is a
median over `--runs`. Child processes run from bytecode (PYTHONPYCACHEPREFIX in a temporary
folder, compiled by one warm-up run), as an installed medcite does; disk caches are warm.

The benchmark imports nothing from medcite itself, so the same script measures any version:
run it with PYTHONPATH pointing at that version's `src`.

    PYTHONPATH=src .venv/bin/python bench/bench_start.py --home ~/.medcite
    PYTHONPATH=src .venv/bin/python bench/bench_start.py --home /tmp/h --runs 7 \\
        --json bench/results/start.json
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_S = 2.0  # issue 17: a new process's first answer, on a library of 1M passages
QUESTIONS = (  # (kind, audience, question)
    (
        "dose",
        "clinician",
        "What adalimumab dose does the label give for a 9-year-old who weighs 25 kg and has "
        "polyarticular JIA?",
    ),
    (
        "lab value",
        "clinician",
        "What HbA1c level is diagnostic of T2DM in a nonpregnant adult, and what range counts "
        "as prediabetes?",
    ),
    (
        "patient education",
        "patient",
        "What's the most common reason a person ends up with an underactive thyroid?",
    ),
)
ENGINE_CHILD = """
import time
started = time.perf_counter()
import json, sys
from medcite.engine import Engine
from medcite.settings import load_settings
from medcite.types import Audience
imported = time.perf_counter()
engine = Engine(load_settings(home=sys.argv[1], retrieval={"embedder": "none"}))
opened = time.perf_counter()
engine.ask(sys.argv[3], audience=Audience(sys.argv[2]))
asked = time.perf_counter()
print(json.dumps({"import": imported - started, "open": opened - imported, "ask": asked - opened}))
"""
CLI_CHILD = "import sys; from medcite.cli import main; sys.argv[0] = 'medcite'; main()"
ANCHOR_CHILD = """
import re, sys, tantivy
index = tantivy.Index.open(sys.argv[1])
searcher = index.searcher()
words = dict.fromkeys(re.findall(r"[a-z0-9]+", sys.argv[2].lower()))
query = tantivy.Query.boolean_query(
    [(tantivy.Occur.Should, tantivy.Query.term_query(index.schema, "text", w)) for w in words]
)
ids = [searcher.doc(a)["passage_id"][0] for _, a in searcher.search(query, limit=100).hits]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="The library's data directory.")
    parser.add_argument("--runs", type=int, default=5, help="New processes per question.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    home = args.home.expanduser().resolve()
    env = _child_env()
    for _, audience, question in QUESTIONS:  # warm-up: bytecode, disk cache
        _run_all(home, audience, question, env)
    samples: dict[str, list[dict[str, float]]] = {kind: [] for kind, _, _ in QUESTIONS}
    for _ in range(args.runs):
        for kind, audience, question in QUESTIONS:
            samples[kind].append(_run_all(home, audience, question, env))
    figures = {
        "passages": _passages(home),
        "runs": args.runs,
        "questions": {kind: _medians(runs) for kind, runs in samples.items()},
    }
    print(_table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def _child_env() -> dict[str, str]:
    """The children run from bytecode, compiled once into a folder of their own."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "medcite-bench-pycache")
    env["MEDCITE_RETRIEVAL__EMBEDDER"] = "none"
    return env


def _run_all(home: Path, audience: str, question: str, env: dict[str, str]) -> dict[str, float]:
    """One new process of each kind for the question: times in milliseconds."""
    wall, steps = _timed([sys.executable, "-c", ENGINE_CHILD, str(home), audience, question], env)
    cli, _ = _timed(
        [
            sys.executable,
            "-c",
            CLI_CHILD,
            "--home",
            str(home),
            "ask",
            "--json",
            "--audience",
            audience,
            question,
        ],
        env,
    )
    tantivy_dir = str(home / "lexical" / "tantivy")
    anchor, _ = _timed([sys.executable, "-c", ANCHOR_CHILD, tantivy_dir, question], env)
    parts = json.loads(steps) if steps else {}
    return {
        "first answer, process wall ms": wall,
        "import ms": parts["import"] * 1000,
        "open ms": parts["open"] * 1000,
        "first ask ms": parts["ask"] * 1000,
        "`medcite ask --json` wall ms": cli,
        "anchor wall ms": anchor,
    }


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{command[2][:40]!r}... failed:\n{done.stderr}")
    return elapsed, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out["first answer / anchor"] = out["first answer, process wall ms"] / out["anchor wall ms"]
    out["`medcite ask` / anchor"] = out["`medcite ask --json` wall ms"] / out["anchor wall ms"]
    return out


def _passages(home: Path) -> int:
    """The library's passage count, from the statistics row the store keeps."""
    db = sqlite3.connect(f"{(home / 'medcite.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT passages FROM corpus_stats").fetchone()[0])
    finally:
        db.close()


def _table(figures: dict[str, Any]) -> str:
    questions: dict[str, dict[str, float]] = figures["questions"]
    kinds = list(questions)
    lines = [
        f"First answer of a new process on a library of {figures['passages']:,} passages "
        f"(lexical + expansion + rerank, no vectors): medians of {figures['runs']} runs; "
        f"target <= {TARGET_S:.0f} s at 1M passages",
        "",
        "| measure | " + " | ".join(kinds) + " |",
        "|---" * (len(kinds) + 1) + "|",
    ]
    for measure in questions[kinds[0]]:
        digits = 2 if "/" in measure else 0
        cells = [f"{questions[k][measure]:.{digits}f}" for k in kinds]
        lines.append(f"| {measure} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Reliability under abuse, in one run, with counts: nothing lost, nothing leaked, no crash.

1. kill -9 at N random moments of an ingest (a new version of 2,600 records and 6 files
   over the old one) and of an embed (the fake embedder): afterwards the store, the lexical
   index and the vectors agree, no file is half old and half new, and the next ingest or
   embed completes the job.
2. Overlapping files ingested in random orders (a MedQuAD file, a second one sharing a third
   of its records, a 10-record excerpt later cut to 5, a BEIR file split in two): records lost.
3. Concurrent ingest and asks: one process ingests a large file (the shared MedQuAD when
   present), another asks with a new engine per question meanwhile, a third starts a second
   ingest halfway (it must wait, then write): asks that failed, and the writers' outcomes.
4. A mutation fuzzer over every registered reader: reads, clean errors, over-budget
   refusals, crashes and hangs (a worker with no answer after 60 s is killed).
5. A sign-in flood against a real server process: statuses, lockout, peak memory.
6. Questions full of patient identifiers through the web app and an LLM writer behind an
   HTTP proxy: identifiers found in the store, the logs, the pages and outgoing requests.

Run from the repository root (needs the dev and web extras):

    .venv/bin/python bench/bench_reliability.py                 # the figures in the README
    .venv/bin/python bench/bench_reliability.py --kills 5 --fuzz 100   # a quick look
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake embedder and scripted LLM server live with the tests

from bench.reliability.common import Tally  # noqa: E402
from bench.reliability.concurrency import ingest_while_asking  # noqa: E402
from bench.reliability.fuzz import fuzz_readers  # noqa: E402
from bench.reliability.kills import kill_during_embed, kill_during_ingest  # noqa: E402
from bench.reliability.overlap import overlapping_ingests  # noqa: E402
from bench.reliability.phi import patient_data  # noqa: E402
from bench.reliability.signin import sign_in_flood  # noqa: E402

DEFAULT_MEDQUAD = ROOT.parent / "shared" / "data" / "corpus" / "medquad" / "medquad.jsonl"


def _rows(trial: str, tally: Tally) -> list[str]:
    rows = [f"| {trial} | {outcome} | {count} |" for outcome, count in tally.counts.items()]
    rows += [
        f"| {trial} | example | {example.replace('|', '/')[:160]} |" for example in tally.examples
    ]
    return rows


def summary(results: dict[str, Tally]) -> str:
    """The headline: what must be zero, summed over the trials."""

    def total(trial: str, *words: str) -> int:
        return sum(
            n for k, n in results.get(trial, Tally()).counts.items() if any(w in k for w in words)
        )

    inconsistent = total("kill -9 during ingest", "≠", "half-written", "incomplete")
    inconsistent += total("kill -9 during embed", "≠", "incomplete")
    fuzz = [t for name, t in results.items() if name.startswith("fuzzer")]
    crashes = sum(t["crash"] for t in fuzz)
    hangs = sum(t["hang"] for t in fuzz)
    phi = results.get("patient data", Tally()).counts
    leaked = sum(
        n
        for k, n in phi.items()
        if k.endswith((": store", ": logs", ": pages and API", ": proxy identifiers"))
        or k == "untrusted localhost endpoint: endpoint identifiers"
    )
    failed_asks = total("ingest while asking", "asks failed", "FAILED")
    lost = total("overlapping ingests", "records lost")
    return (
        f"**{inconsistent} inconsistent after kill -9, {lost} records lost in overlapping "
        f"ingests, {failed_asks} failed asks or writers, {crashes} crashes, {hangs} hangs, "
        f"{leaked} unscrubbed identifiers**"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="Kills of each kind.")
    parser.add_argument("--orders", type=int, default=20, help="Random ingest orders.")
    parser.add_argument("--fuzz", type=int, default=500, help="Mutations per reader.")
    parser.add_argument("--phi-questions", type=int, default=12)
    parser.add_argument("--medquad", type=Path, default=DEFAULT_MEDQUAD)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results: dict[str, Tally] = {}
    timings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="medcite-bench-reliability-") as scratch:
        work = Path(scratch)
        trials = [
            ("kill -9 during ingest", lambda: kill_during_ingest(work, args.kills, rng)),
            ("kill -9 during embed", lambda: kill_during_embed(work, args.kills, rng)),
            ("overlapping ingests", lambda: overlapping_ingests(work, args.orders, rng)),
            ("ingest while asking", lambda: ingest_while_asking(work, args.medquad)),
            ("sign-in flood", lambda: sign_in_flood(work)),
            ("patient data", lambda: patient_data(work, args.phi_questions)),
        ]
        for name, run in trials:
            print(f"{name}…", file=sys.stderr, flush=True)
            started = time.monotonic()
            results[name] = run()
            timings.append(f"{name} {time.monotonic() - started:.0f} s")
        print("reader fuzzer…", file=sys.stderr, flush=True)
        started = time.monotonic()
        for reader, tally in fuzz_readers(work, args.fuzz, rng).items():
            results[f"fuzzer: {reader} reader"] = tally
        timings.append(f"fuzzer {time.monotonic() - started:.0f} s")
    print(f"<!-- {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()};")
    print(f"     seed {args.seed}; {', '.join(timings)} -->")
    print(summary(results))
    print()
    print("| trial | outcome | count |")
    print("|---|---|---|")
    print("\n".join(row for name, tally in results.items() for row in _rows(name, tally)))


if __name__ == "__main__":
    main()

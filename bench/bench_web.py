"""Benchmark the HTTP API under concurrency: N simultaneous `POST /api/ask` on loopback.

What it does:
1. Ingests the default corpus (MedQuAD, FDA labels, the seed case report) from the shared
   folder into a fresh data directory, unless --home names one that is already ingested.
2. Starts `medcite serve` in its own process on a free loopback port (uvicorn, the app's
   thread pool), waits for /healthz, and warms it with 3 questions.
3. Sends N requests at once (default 20; each a different clinical question, round-robin
   over a fixed list) from N client threads, and records each one's status and latency.
4. Prints a Markdown table: successes, p50 / p95 (nearest rank) / max latency, wall time,
   and the single-request latency of the same questions one at a time for comparison.

Run from the repository root (needs the web extra):

    .venv/bin/python bench/bench_web.py                        # ingest, serve, measure
    .venv/bin/python bench/bench_web.py --home ~/.medcite      # reuse an ingested library
    .venv/bin/python bench/bench_web.py --requests 40 --rounds 3
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import SAMPLE_QUESTION, CorpusSettings, load_settings

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
QUESTIONS = (
    SAMPLE_QUESTION,
    "What are the symptoms of Noonan syndrome?",
    "What are the side effects of Lipitor?",
    "How is high blood pressure treated?",
    "What causes kidney stones?",
    "How is cytomegalovirus infection diagnosed?",
    "What is the outlook for amyotrophic lateral sclerosis?",
    "How can I prevent type 2 diabetes?",
    "Is Huntington disease inherited?",
    "What are the treatments for psoriatic arthritis?",
    "What is the dose of sildenafil for erectile dysfunction?",
    "What are the symptoms of hemophagocytic lymphohistiocytosis?",
)


def nearest_rank(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ingest_default_corpus(home: Path, shared: Path) -> None:
    settings = load_settings(home=home, corpus={"root": shared})
    library = Library(settings)
    for source in CorpusSettings(root=shared).resolved():
        if not source.path.exists():
            sys.exit(f"error: {source.path} not found; pass --shared or --home")
        report = ingest([source.path], library, kind=source.kind)
        if report.count("failed"):
            sys.exit(f"error: ingest failed: {report.outcomes}")
    library.close()


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    medcite = Path(sys.executable).parent / "medcite"
    env = {**os.environ, "MEDCITE_HOME": str(home)}
    env.pop("MEDCITE_CONFIG", None)
    return subprocess.Popen(
        [str(medcite), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).json().get("status") == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit("error: the server did not become healthy (is the library ingested?)")


def timed_ask(client: httpx.Client, question: str) -> tuple[int, float]:
    started = time.perf_counter()
    status = client.post("/api/ask", json={"question": question}).status_code
    return status, (time.perf_counter() - started) * 1000


def concurrent_round(base: str, n: int) -> tuple[list[int], list[float], float]:
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(n)]
    with httpx.Client(base_url=base, timeout=120, limits=httpx.Limits(max_connections=n)) as c:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            results = list(pool.map(lambda q: timed_ask(c, q), questions))
        wall = time.perf_counter() - started
    return [s for s, _ in results], [ms for _, ms in results], wall


def sequential(base: str) -> list[float]:
    with httpx.Client(base_url=base, timeout=120) as client:
        return [timed_ask(client, q)[1] for q in QUESTIONS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="An already ingested data directory.")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--requests", type=int, default=20, help="Simultaneous requests.")
    parser.add_argument("--rounds", type=int, default=1, help="Concurrent rounds to run.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="medcite-bench-web-") as scratch:
        home = args.home or Path(scratch) / "home"
        if args.home is None:
            print("ingesting the default corpus…", file=sys.stderr)
            ingest_default_corpus(home, args.shared)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(home, port)
        try:
            wait_healthy(base)
            for question in QUESTIONS[:3]:
                httpx.post(f"{base}/api/ask", json={"question": question}, timeout=120)
            single = sequential(base)
            statuses, latencies, walls = [], [], []
            for _ in range(args.rounds):
                s, ms, wall = concurrent_round(base, args.requests)
                statuses += s
                latencies += ms
                walls.append(wall)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(args.requests, args.rounds, statuses, latencies, walls, single)
    if any(s != 200 for s in statuses):
        sys.exit(1)


def report(
    n: int,
    rounds: int,
    statuses: list[int],
    latencies: list[float],
    walls: list[float],
    single: list[float],
) -> None:
    ok = sum(1 for s in statuses if s == 200)
    print(
        f"<!-- {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()} -->"
    )
    print("| benchmark | measure | value |")
    print("|---|---|---|")
    name = f"{n} concurrent POST /api/ask" + (f" × {rounds} rounds" if rounds > 1 else "")
    print(f"| {name} | succeeded | {ok} / {len(statuses)} |")
    print(f"| {name} | p50 latency | {statistics.median(latencies):.0f} ms |")
    p95, worst = nearest_rank(latencies, 0.95), max(latencies)
    print(f"| {name} | p95 / max latency | {p95:.0f} / {worst:.0f} ms |")
    print(f"| {name} | wall time per round | {statistics.median(walls):.2f} s |")
    print(
        f"| one request at a time ({len(single)} questions) | p50 / max latency | "
        f"{statistics.median(single):.0f} / {max(single):.0f} ms |"
    )


if __name__ == "__main__":
    main()

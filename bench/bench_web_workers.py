"""Benchmark `medcite serve --workers N`: 20 simultaneous `POST /api/ask`, one worker and two.

What it does:
1. Builds a small library unless --home names an ingested one: the first 2,000 lines of
   MedQuAD from the shared folder, lexical retrieval only (retrieval.embedder = none, also
   for the servers), in a temporary data directory.
2. Starts `medcite serve --workers 1` and `medcite serve --workers 2`, each on a free
   loopback port, waits for /healthz and warms every worker (gently: see `warm`). Then,
   --rounds times (default 5), sends each server in turn --requests simultaneous asks
   (default 20; 12 clinical questions round-robin) from as many client threads, recording
   each request's status and latency: the rounds alternate, so a change in the machine's
   load falls on both alike.
3. Prints a Markdown table: per worker count, the successes, the wall time for the 20, p50
   and p95 (nearest rank) latency, each a median over rounds, and the server's memory (RSS,
   parent and workers); then N=2 / N=1 for each figure.

Run from the repository root (needs the web extra):

    .venv/bin/python bench/bench_web_workers.py                          # build, serve, measure
    .venv/bin/python bench/bench_web_workers.py --home ~/.medcite        # an ingested library
    .venv/bin/python bench/bench_web_workers.py --json bench/results/web-workers.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from bench_web import free_port, nearest_rank, wait_healthy  # the single-server bench's
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import load_settings

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MEDQUAD = Path("data/corpus/medquad/medquad.jsonl")
MEDQUAD_LINES = 2000
WORKER_COUNTS = (1, 2)
QUESTIONS = (
    "What are the symptoms of chronic lymphocytic leukemia?",
    "How is hairy cell leukemia treated?",
    "What are the risk factors for anal cancer?",
    "How is Kaposi sarcoma diagnosed?",
    "What is polycythemia vera?",
    "What is the outlook for retinoblastoma?",
    "How is endometrial cancer treated?",
    "What are the symptoms of gallbladder cancer?",
    "What causes primary myelofibrosis?",
    "How is Ewing sarcoma diagnosed?",
    "What are the stages of adult Hodgkin lymphoma?",
    "What is essential thrombocythemia?",
)


@dataclass(frozen=True, slots=True)
class Figures:
    """One worker count's results, medians over rounds."""

    workers: int
    succeeded: int
    sent: int
    wall_s: float
    p50_ms: float
    p95_ms: float
    rss_mb: float


def build_library(home: Path, shared: Path, scratch: Path) -> None:
    """The first MEDQUAD_LINES records of MedQuAD, lexical only."""
    source = shared / MEDQUAD
    if not source.is_file():
        sys.exit(f"error: {source} not found; pass --shared or --home")
    part = scratch / "medquad-part.jsonl"
    with source.open(encoding="utf-8") as whole:
        lines = [line for _, line in zip(range(MEDQUAD_LINES), whole, strict=False)]
    part.write_text("".join(lines), encoding="utf-8")
    library = Library(load_settings(home=home, retrieval={"embedder": "none"}))
    report = ingest([part], library)
    library.close()
    if report.count("failed"):
        sys.exit(f"error: ingest failed: {report.outcomes}")


def start_server(
    home: Path, port: int, workers: int, lexical: bool, log: Path
) -> subprocess.Popen[bytes]:
    medcite = Path(sys.executable).parent / "medcite"
    env = {**os.environ, "MEDCITE_HOME": str(home)}
    env.pop("MEDCITE_CONFIG", None)
    if lexical:
        env["MEDCITE_RETRIEVAL__EMBEDDER"] = "none"
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as stderr:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(medcite), *command], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )


def timed_ask(client: httpx.Client, question: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.post("/api/ask", json={"question": question})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        print(f"{client.base_url}: HTTP {response.status_code}: {response.text}", file=sys.stderr)
    return response.status_code, elapsed


def concurrent_round(base: str, n: int) -> tuple[list[int], list[float], float]:
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(n)]
    limits = httpx.Limits(max_connections=n)
    with httpx.Client(base_url=base, timeout=300, limits=limits) as client:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            results = list(pool.map(lambda q: timed_ask(client, q), questions))
        wall = time.perf_counter() - started
    return [s for s, _ in results], [ms for _, ms in results], wall


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        rss = [line for line in status.splitlines() if line.startswith("VmRSS:")]
        total += int(rss[0].split()[1]) if rss else 0
        pending += [int(c) for c in children]
    return total / 1024


@dataclass
class Server:
    """One running `medcite serve --workers N` and what its rounds measured."""

    workers: int
    process: subprocess.Popen[bytes]
    base: str
    statuses: list[int]
    walls: list[float]
    p50s: list[float]
    p95s: list[float]

    def round(self, n: int) -> None:
        statuses, latencies, wall = concurrent_round(self.base, n)
        self.statuses += statuses
        self.walls.append(wall)
        self.p50s.append(statistics.median(latencies))
        self.p95s.append(nearest_rank(latencies, 0.95))

    def figures(self) -> Figures:
        return Figures(
            self.workers,
            sum(1 for s in self.statuses if s == 200),
            len(self.statuses),
            statistics.median(self.walls),
            statistics.median(self.p50s),
            statistics.median(self.p95s),
            rss_mb(self.process.pid),
        )


def warm(server: Server) -> None:
    """Every question once per worker, as many at a time as there are workers (the kernel
    spreads the connections), then one full round: a cold worker that gets many questions at
    once loads its models in every thread at the same time (slow, and memory it keeps)."""
    for question in QUESTIONS:
        with (
            httpx.Client(base_url=server.base, timeout=300) as client,
            ThreadPoolExecutor(max_workers=server.workers) as pool,
        ):
            list(pool.map(lambda q: timed_ask(client, q), [question] * server.workers))
    concurrent_round(server.base, len(QUESTIONS))


def measure(home: Path, n: int, rounds: int, lexical: bool, logs: Path) -> list[Figures]:
    """All servers up at once, their rounds interleaved, so that a change in the machine's
    load while the bench runs falls on every worker count alike."""
    servers: list[Server] = []
    try:
        for workers in WORKER_COUNTS:
            port = free_port()
            log = logs / f"serve-{workers}.log"
            process = start_server(home, port, workers, lexical, log)
            servers.append(Server(workers, process, f"http://127.0.0.1:{port}", [], [], [], []))
        for server in servers:
            wait_healthy(server.base, timeout=120.0)  # workers start slower
            warm(server)
        for _ in range(rounds):
            for server in servers:
                server.round(n)
        return [server.figures() for server in servers]
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="An already ingested data directory.")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--requests", type=int, default=20, help="Simultaneous requests.")
    parser.add_argument("--rounds", type=int, default=5, help="Concurrent rounds per server.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="medcite-bench-workers-") as scratch:
        home = args.home or Path(scratch) / "home"
        if args.home is None:
            print(f"ingesting {MEDQUAD_LINES} MedQuAD records…", file=sys.stderr)
            build_library(home, args.shared, Path(scratch))
        results = measure(home, args.requests, args.rounds, args.home is None, Path(scratch))
        if any(r.succeeded != r.sent for r in results):
            for log in sorted(Path(scratch).glob("serve-*.log")):  # why, before they go
                print(f"--- {log.name}, errors:", file=sys.stderr)
                lines = log.read_text(errors="replace").splitlines()
                print("\n".join(x for x in lines if "INFO" not in x)[-4000:], file=sys.stderr)
    report(args.requests, args.rounds, results)
    if args.json:
        figures = {"requests": args.requests, "rounds": args.rounds}
        args.json.write_text(
            json.dumps({**figures, "results": [asdict(r) for r in results]}, indent=2) + "\n",
            encoding="utf-8",
        )
    if any(r.succeeded != r.sent for r in results):
        sys.exit(1)


def report(n: int, rounds: int, results: list[Figures]) -> None:
    print(
        f"<!-- {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{n} simultaneous POST /api/ask, medians over {rounds} rounds -->"
    )
    print(f"| workers | succeeded | wall time for {n} | p50 latency | p95 latency | server RSS |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.workers} | {r.succeeded} / {r.sent} | {r.wall_s:.2f} s | {r.p50_ms:.0f} ms "
            f"| {r.p95_ms:.0f} ms | {r.rss_mb:.0f} MB |"
        )
    one, two = results[0], results[-1]
    print(
        f"| {two.workers} / {one.workers} | | {two.wall_s / one.wall_s:.2f}× "
        f"| {two.p50_ms / one.p50_ms:.2f}× | {two.p95_ms / one.p95_ms:.2f}× "
        f"| {two.rss_mb / one.rss_mb:.2f}× |"
    )


if __name__ == "__main__":
    main()

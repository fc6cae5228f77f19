"""A mutation fuzzer over every registered reader: crashes, hangs and clean errors, counted.

Each reader's seed (`medcite.eval.mutate.SEEDS`) is mutated N times and read in a worker
process; a worker that gives no answer within the hang limit is killed and the input
counted as a hang (a hang inside C code would never return to a time check), then a new
worker takes over. The worst inputs are kept for a second look.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import random
from multiprocessing.connection import Connection
from pathlib import Path

from bench.reliability.common import Tally

from medcite.eval.mutate import SEEDS, mutate, read_hostile
from medcite.sources.registry import READERS

BUDGET_S = 10.0  # the reader's own time budget (ingest.max_file_seconds in real use)
HANG_S = 60.0  # no answer after this long: a hang


def _worker(inbox: Connection) -> None:
    for noisy in ("pypdf", "medcite"):  # broken objects and skipped pages are expected here
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    readers = {r.name: r for r in READERS}
    while True:
        job = inbox.recv()
        if job is None:
            return
        name, file_name, data = job
        tried = read_hostile(readers[name], Path(file_name), data, BUDGET_S)
        inbox.send((tried.outcome, tried.seconds, tried.detail))


class _Pool:
    """One worker process, replaced when it hangs or dies."""

    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        self.conn, child = mp.Pipe()
        self.proc = mp.get_context("fork").Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()

    def read(self, name: str, file_name: str, data: bytes) -> tuple[str, float, str]:
        self.conn.send((name, file_name, data))
        if self.conn.poll(HANG_S):
            try:
                outcome, seconds, detail = self.conn.recv()
                return str(outcome), float(seconds), str(detail)
            except EOFError:
                pass
        self.proc.kill()
        self.proc.join()
        self._start()
        return "hang", HANG_S, f"no answer within {HANG_S:g} s (or the worker died)"

    def close(self) -> None:
        self.conn.send(None)
        self.proc.join(timeout=10)


def fuzz_readers(work: Path, per_reader: int, rng: random.Random) -> dict[str, Tally]:
    others = [data for _, data in SEEDS.values()]
    pool = _Pool()
    found: dict[str, Tally] = {}
    try:
        for reader in READERS:
            file_name, seed = SEEDS.get(reader.name, SEEDS["text"])
            tally = Tally()
            slowest = 0.0
            for n in range(per_reader):
                data = mutate(seed, rng, others)
                outcome, seconds, detail = pool.read(reader.name, file_name, data)
                slowest = max(slowest, seconds)
                if outcome in ("crash", "hang"):
                    keep = work / f"fuzz-{reader.name}-{n}{Path(file_name).suffix}"
                    keep.write_bytes(data)
                    tally.add(outcome, f"{keep.name}: {detail}")
                else:
                    tally.add(outcome)
            tally.add(f"slowest {slowest:.2f} s")
            found[reader.name] = tally
    finally:
        pool.close()
    return found

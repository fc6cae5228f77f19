"""kill -9 at random moments of an ingest and of an embed; afterwards the store, the lexical
index and the vectors must agree, and no file may be half old and half new."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

from bench.reliability.common import Tally, consistent, fresh_copy, start_child, write_corpus
from tests.fakes import FakeEmbedder

from medcite.index import Library
from medcite.index.embedders import EMBEDDERS
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings, load_settings

INGEST = """
    import sys
    from pathlib import Path
    from medcite.index import Library
    from medcite.ingest.pipeline import ingest
    from medcite.settings import load_settings
    library = Library(load_settings(home=sys.argv[1]))
    Path(sys.argv[-1]).touch()  # the work starts now
    ingest([Path(sys.argv[2])], library)
"""
EMBED = """
    import sys, time
    from tests.fakes import FakeEmbedder
    from medcite.index.embedders import EMBEDDERS

    class Slow(FakeEmbedder):
        def embed(self, texts):
            time.sleep(0.004)  # a real model takes far longer: room for the kill to land
            return super().embed(texts)

    EMBEDDERS["fake"] = Slow
    from pathlib import Path
    from medcite.index import Library
    from medcite.settings import load_settings
    library = Library(load_settings(home=sys.argv[1], retrieval={"embedder": "fake"}))
    Path(sys.argv[-1]).touch()  # the work starts now
    library.sync_vectors()
"""
OLD, NEW = "benign", "malignant"


def _started(child: subprocess.Popen[bytes], marker: Path) -> None:
    """Wait until the child says its work has begun (start-up is not what is measured)."""
    while not marker.exists() and child.poll() is None:
        time.sleep(0.002)


def _run_killed(code: str, args: list[str], after_s: float) -> bool:
    """Start the child and kill -9 it `after_s` into its work; whether it was still running."""
    marker = Path(args[0]).with_name("work-started")
    marker.unlink(missing_ok=True)
    child = start_child(code, *args, str(marker))
    _started(child, marker)
    deadline = time.monotonic() + after_s
    while time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.002)
    running = child.poll() is None
    if running:
        child.send_signal(signal.SIGKILL)
    child.wait()
    return running


def _timed(code: str, args: list[str]) -> float:
    """How long the child's work takes, start-up left out."""
    marker = Path(args[0]).with_name("work-started")
    marker.unlink(missing_ok=True)
    child = start_child(code, *args, str(marker))
    _started(child, marker)
    started = time.monotonic()
    _, err = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(err.decode(errors="replace")[-2000:])
    return time.monotonic() - started


def _half_files(settings: Settings, records: set[int]) -> list[str]:
    """Sources holding both versions, or a number of documents neither version has."""
    sql = (
        "SELECT s.path, count(DISTINCT d.id), sum(p.text LIKE ?), sum(p.text LIKE ?) "
        "FROM sources s JOIN documents d ON d.source_id = s.id "
        "JOIN passages p ON p.doc_id = d.id GROUP BY s.path"
    )
    with closing(sqlite3.connect(settings.data_dir / "medcite.sqlite3")) as db:
        rows = db.execute(sql, (f"%{OLD}%", f"%{NEW}%")).fetchall()
    bad = []
    for path, documents, old, new in rows:
        mixed = old and new
        if mixed or (path.endswith(".jsonl") and documents not in records):
            bad.append(f"{Path(path).name}: {documents} documents, {old} old, {new} new passages")
    return bad


def kill_during_ingest(work: Path, trials: int, rng: random.Random) -> Tally:
    corpus = work / "ingest-corpus"
    template = work / "ingest-template"
    write_corpus(corpus, OLD, records=8000)
    library = Library(load_settings(home=template))
    ingest([corpus], library)
    library.close()
    write_corpus(corpus, NEW, records=8100)  # the new version of the same files
    full = _timed(INGEST, [str(fresh_copy(template, work / "timing")), str(corpus)])
    tally = Tally()
    for trial in range(trials):
        home = fresh_copy(template, work / "ingest-trial")
        if not _run_killed(INGEST, [str(home), str(corpus)], rng.uniform(0, full * 1.1)):
            tally.add("finished before the kill")
        settings = load_settings(home=home)
        Library(settings).close()  # opening replays what the killed ingest queued
        ok, why = consistent(settings)
        half = _half_files(settings, {8000, 8100})
        tally.add("consistent" if ok else "store ≠ index", "" if ok else f"trial {trial}: {why}")
        tally.add("half-written files" if half else "every file old or new", "; ".join(half))
        library = Library(settings)
        ingest([corpus], library)  # and the next ingest completes the job
        library.close()
        done = consistent(settings)[0] and not _half_files(settings, {8100})
        tally.add("complete after re-ingest" if done else "incomplete after re-ingest")
    tally.add(f"ingest of 8,100 records + 6 files took {full:.1f} s (kills within 0–110 %)")
    return tally


def kill_during_embed(work: Path, trials: int, rng: random.Random) -> Tally:
    EMBEDDERS["fake"] = FakeEmbedder
    corpus = write_corpus(work / "embed-corpus", OLD, records=1200, texts=3)
    template = work / "embed-template"
    settings = load_settings(home=template, retrieval={"embedder": "fake"})
    library = Library(settings)
    ingest([corpus], library)
    library.close()
    full = _timed(EMBED, [str(fresh_copy(template, work / "timing"))])
    tally = Tally()
    for trial in range(trials):
        home = fresh_copy(template, work / "embed-trial")
        if not _run_killed(EMBED, [str(home)], rng.uniform(0, full * 1.1)):
            tally.add("finished before the kill")
        settings = load_settings(home=home, retrieval={"embedder": "fake"})
        ok, why = consistent(settings)
        tally.add("consistent" if ok else "store ≠ vectors", "" if ok else f"trial {trial}: {why}")
        library = Library(settings)
        library.sync_vectors()  # the next embed finishes what the killed one started
        remaining = library.unembedded()
        library.close()
        done = consistent(settings)[0] and remaining == 0
        tally.add("complete after re-embed" if done else "incomplete after re-embed")
    tally.add(f"embed of {1200 + 120} passages took {full:.1f} s (kills within 0–110 %)")
    return tally

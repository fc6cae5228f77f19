"""Readers never need the writer lock; a second writer waits, or gives up before writing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from medcite.engine import Engine
from medcite.errors import StoreError
from medcite.index import Library
from medcite.index.locking import WriterLock
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings, load_settings

from .conftest import write_medquad

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from medcite.index.locking import WriterLock
    lock = WriterLock(Path(sys.argv[1]))
    assert lock.try_acquire()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


@contextmanager
def lock_held_elsewhere(settings: Settings, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the data directory's writer lock for `seconds`."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(settings.data_dir), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_asking_works_while_another_process_writes(library: Library, settings: Settings) -> None:
    library.store.queue_all_for_lexical()  # updates pending, as mid-ingest
    library.close()
    with lock_held_elsewhere(settings, 30):
        engine = Engine(settings)
        try:
            answer = engine.ask("What are the symptoms of Brindle syndrome?")
        finally:
            engine.close()
        assert not answer.abstained
        reader = Library(settings)
        assert reader.store.pending_lexical()  # left for the writer: the reader did not replay
        reader.close()
    repaired = Library(settings)  # the lock is free again: the queue is replayed on open
    assert not repaired.store.pending_lexical()
    assert repaired.lexical.size() == repaired.store.passage_count()
    repaired.close()


def test_a_second_writer_gives_up_before_writing_anything(
    settings: Settings, tmp_path: Path
) -> None:
    path = write_medquad(tmp_path / "m.jsonl")
    impatient = load_settings(home=settings.home, ingest={"lock_wait_s": 0.5})
    library = Library(impatient)
    told: list[str] = []
    with lock_held_elsewhere(settings, 30):
        started = time.monotonic()
        with pytest.raises(StoreError, match="nothing was written"):
            ingest([path], library, on_wait=told.append)
        assert time.monotonic() - started < 10
    assert len(told) == 1 and "process" in told[0] and "waiting" in told[0]
    assert library.store.passage_count() == 0 and not library.store.sources()
    library.close()


def test_a_second_writer_waits_then_writes(settings: Settings, tmp_path: Path) -> None:
    path = write_medquad(tmp_path / "m.jsonl")
    library = Library(settings)
    told: list[str] = []
    with lock_held_elsewhere(settings, 1.5):
        report = ingest([path], library, on_wait=told.append)
    assert report.count("added") == 1 and told
    assert library.store.passage_count() == library.lexical.size() > 0
    library.close()


def test_the_writer_lock_is_reentrant_and_freed_when_its_holder_dies(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path)
    assert lock.try_acquire() and lock.try_acquire()
    lock.release()
    assert lock.held
    lock.release()
    assert not lock.held
    settings = load_settings(home=tmp_path)
    with lock_held_elsewhere(settings, 30) as holder:
        assert not WriterLock(tmp_path).try_acquire()
        holder.kill()
        holder.wait()
        assert WriterLock(tmp_path).try_acquire()  # the kernel freed it (kill -9)


def test_a_damaged_lexical_index_says_to_run_check_repair(
    library: Library, settings: Settings
) -> None:
    folder = settings.data_dir / "lexical" / "tantivy"
    library.close()
    for term_file in folder.glob("*.term"):
        term_file.write_bytes(b"\0" * term_file.stat().st_size)
    with pytest.raises(StoreError, match=r"medcite check --repair"):
        engine = Engine(settings)
        engine.ask("What are the symptoms of Brindle syndrome?")

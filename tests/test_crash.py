"""A process killed mid-ingest leaves the old state or the new one, never half (invariant 3)."""

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings, load_settings

DRIVER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from medcite.index import Library
    from medcite.index.lexical import TantivyIndex
    from medcite.index.store import Store
    from medcite.ingest.pipeline import ingest
    from medcite.settings import load_settings

    mode, home, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if mode == "die-inside-sqlite-transaction":
        original = Store._put_document
        written = []
        def put(self, *args):
            original(self, *args)
            written.append(1)
            if len(written) == 50:
                os._exit(9)
        Store._put_document = put
    elif mode == "die-after-a-checkpoint":
        original = Store._put_document
        written = []
        def put(self, *args):
            original(self, *args)
            written.append(1)
            if len(written) == 15:  # checkpoints every 10 documents: one is committed
                os._exit(9)
        Store._put_document = put
    elif mode == "die-before-lexical-commit":
        def commit(self):  # staged, never committed
            if self._staging is not None:
                os._exit(9)
        TantivyIndex.commit = commit
    ingest([path], Library(load_settings(home=home)))
    """
)


def records(n: int, word: str) -> list[dict[str, str]]:
    return [
        {
            "source": "GARD",
            "qid": f"Q{i}",
            "qtype": "information",
            "question": f"What is condition {i} ?",
            "answer": f"Condition {i} is a {word} disorder of the skin. It is rare and mild.",
        }
        for i in range(n)
    ]


def write(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def run_driver(tmp_path: Path, mode: str, settings: Settings, path: Path) -> int:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    done = subprocess.run(
        [sys.executable, str(script), mode, str(settings.data_dir), str(path)], check=False
    )
    return done.returncode


def state(settings: Settings) -> tuple[int, int, int]:
    lib = Library(settings)  # opening replays whatever the lexical queue holds
    try:
        docs = len(lib.store.document_ids())
        return docs, lib.store.passage_count(), lib.lexical.size()
    finally:
        lib.close()


@pytest.fixture
def previous(settings: Settings, tmp_path: Path) -> Path:
    """A file already ingested in an old version (300 'benign' conditions)."""
    path = tmp_path / "big.jsonl"
    write(path, records(300, "benign"))
    lib = Library(settings)
    ingest([path], lib)
    lib.close()
    write(path, records(400, "malignant"))  # the new version, about to be ingested
    return path


def test_kill_inside_the_sqlite_transaction_keeps_the_old_version(
    settings: Settings, tmp_path: Path, previous: Path
) -> None:
    assert run_driver(tmp_path, "die-inside-sqlite-transaction", settings, previous) == 9
    docs, passages, indexed = state(settings)
    assert docs == 300 and passages == indexed
    lib = Library(settings)
    texts = {p.text for p in lib.store.passages_of(lib.store.document_ids())}
    assert all("benign" in t for t in texts)


def test_kill_before_the_lexical_commit_is_repaired_on_open(
    settings: Settings, tmp_path: Path, previous: Path
) -> None:
    assert run_driver(tmp_path, "die-before-lexical-commit", settings, previous) == 9
    docs, passages, indexed = state(settings)
    assert docs == 400 and passages == indexed
    # and the index answers with the new text, not the old
    lib = Library(settings)
    from medcite.index.lexical import TermGroup

    assert lib.lexical.search([TermGroup(("malign",))], 5)
    assert not lib.lexical.search([TermGroup(("benign",))], 5)


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5])
def test_sigkill_at_any_moment_leaves_a_consistent_store(
    settings: Settings, tmp_path: Path, previous: Path, delay: float
) -> None:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    proc = subprocess.Popen(
        [sys.executable, str(script), "plain", str(settings.data_dir), str(previous)]
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    docs, passages, indexed = state(settings)
    assert docs in (300, 400)
    assert passages == indexed == docs  # one passage per record in this corpus
    assert load_settings(home=settings.data_dir).home == settings.data_dir


def _checkpointed(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MEDCITE_INGEST__CHECKPOINT_DOCS", "10")
    return load_settings(home=settings.data_dir)


def _contents(settings: Settings) -> tuple[set[str], set[str], int]:
    lib = Library(settings)
    try:
        ids = lib.store.document_ids()
        passages = {p.id for p in lib.store.passages_of(ids)}
        return set(ids), passages, lib.lexical.size()
    finally:
        lib.close()


def test_a_large_file_commits_at_checkpoints_and_releases_what_it_no_longer_holds(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _checkpointed(settings, monkeypatch)
    path = tmp_path / "big.jsonl"
    write(path, records(25, "benign"))
    lib = Library(settings)
    (outcome,) = ingest([path], lib).outcomes
    assert (outcome.status, outcome.documents) == ("added", 25)
    write(path, records(15, "malignant"))
    (outcome,) = ingest([path], lib).outcomes
    assert (outcome.status, outcome.documents) == ("updated", 15)
    assert "10 removed" in outcome.detail
    texts = {p.text for p in lib.store.passages_of(lib.store.document_ids())}
    assert texts and all("malignant" in t for t in texts)
    assert lib.lexical.size() == lib.store.passage_count()
    (outcome,) = ingest([path], lib).outcomes
    assert outcome.status == "unchanged"
    leftovers = [
        lib.store.connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("source_progress", "source_seen", "source_withdrawn")
    ]
    assert leftovers == [0, 0, 0]
    lib.close()


def test_a_kill_after_a_checkpoint_resumes_there_without_duplicates_or_gaps(
    settings: Settings, tmp_path: Path, previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old version had 300 documents, the new one 400: the kill leaves the first
    checkpoint's 10 committed; the next run writes only the other 390 and ends where a
    clean ingest ends."""
    settings = _checkpointed(settings, monkeypatch)
    assert run_driver(tmp_path, "die-after-a-checkpoint", settings, previous) == 9
    docs, passages, indexed = state(settings)
    assert docs == 300 and passages == indexed  # 10 of the old replaced by 10 of the new
    from medcite.index.store import Store

    puts: list[str] = []
    original = Store._put_document

    def counted(self: Store, db: object, source_id: str, record: object, now: str) -> None:
        puts.append(record.document.id)  # type: ignore[attr-defined]
        original(self, db, source_id, record, now)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_put_document", counted)
    lib = Library(settings)
    (outcome,) = ingest([previous], lib).outcomes
    lib.close()
    assert (outcome.status, outcome.documents) == ("updated", 400)
    assert len(puts) == 390 == len(set(puts))
    clean = load_settings(home=tmp_path / "clean")
    lib = Library(clean)
    ingest([previous], lib)
    lib.close()
    resumed, expected = _contents(settings), _contents(clean)
    assert resumed == expected and resumed[2] == len(resumed[1])

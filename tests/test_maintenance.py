"""`medcite check [--repair]`, `medcite backup` and `medcite restore`."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.engine import Engine
from medcite.errors import MedciteError
from medcite.index import Library
from medcite.index.embedders import EMBEDDERS
from medcite.maintenance.backup import backup, restore
from medcite.maintenance.check import CheckReport, check
from medcite.settings import Settings, load_settings

from .fakes import FakeEmbedder

QUESTION = "What are the symptoms of Brindle syndrome?"


def _state(report: CheckReport) -> dict[str, str]:
    return {
        f.part: "ok" if f.ok else "repaired" if f.repaired else "problem" for f in report.findings
    }


def _answers(settings: Settings) -> bool:
    engine = Engine(settings)
    try:
        return not engine.ask(QUESTION).abstained
    finally:
        engine.close()


def test_a_sound_library_checks_clean(library: Library, settings: Settings) -> None:
    library.close()
    report = check(settings)
    assert report.ok, report.findings
    assert set(_state(report)) == {
        "store",
        "corpus statistics",
        "lexical index",
        "vectors",
        "review database",
        "permissions",
    }
    result = CliRunner().invoke(app, ["--home", str(settings.home), "check"])
    assert result.exit_code == 0 and "all sound" in result.output


def test_a_damaged_lexical_index_is_found_and_rebuilt(library: Library, settings: Settings) -> None:
    library.close()
    for term_file in (settings.data_dir / "lexical" / "tantivy").glob("*.term"):
        term_file.write_bytes(b"\0" * 64)
    found = CliRunner().invoke(app, ["--home", str(settings.home), "check"])
    assert found.exit_code == 1 and "PROBLEM" in found.output and "--repair" in found.output
    repaired = check(settings, repair=True)
    assert repaired.ok and _state(repaired)["lexical index"] == "repaired"
    assert check(settings).ok and _answers(settings)


def test_an_index_out_of_step_with_the_store_is_found(library: Library, settings: Settings) -> None:
    doc_id = library.store.document_ids()[0]
    library.lexical.replace([doc_id], [])  # the store still has it, the index not
    library.close()
    report = check(settings)
    (lexical,) = [f for f in report.findings if f.part == "lexical index"]
    assert not lexical.ok and "stored passages are not indexed" in lexical.detail
    assert check(settings, repair=True).ok


def test_corpus_statistics_out_of_step_are_recounted(library: Library, settings: Settings) -> None:
    db = library.store.connection
    db.execute("UPDATE corpus_stats SET passages = passages + 5")
    db.execute("DELETE FROM document_terms WHERE rowid IN (SELECT min(rowid) FROM document_terms)")
    library.close()
    report = check(settings)
    (stats,) = [f for f in report.findings if f.part == "corpus statistics"]
    assert not stats.ok and "--repair" in stats.detail
    assert _state(check(settings, repair=True))["corpus statistics"] == "repaired"
    assert check(settings).ok and _answers(settings)


def test_files_others_may_read_are_found_and_tightened(
    library: Library, settings: Settings
) -> None:
    library.close()
    loose = settings.data_dir / "lexical"
    loose.chmod(0o755)
    report = check(settings)
    assert _state(report)["permissions"] == "problem"
    assert check(settings, repair=True).ok
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700


def test_vectors_out_of_step_are_requeued(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(EMBEDDERS, "fake", FakeEmbedder)
    dense = load_settings(home=settings.home, retrieval={"embedder": "fake"})
    library = Library(dense)
    from medcite.ingest.pipeline import ingest

    ingest([corpus], library)
    library.sync_vectors()
    assert library.dense is not None
    gone = library.store.document_ids()[0]
    library.dense.vectors.replace([gone], [], np.zeros((0, 64), dtype=np.float32))
    library.close()
    assert _state(check(dense))["vectors"] == "problem"
    assert _state(check(dense, repair=True))["vectors"] == "repaired"
    again = Library(dense)
    assert again.store.pending_vector_count() == len(again.store.document_ids())
    assert again.sync_vectors() > 0
    again.close()
    assert check(dense).ok


def test_backup_and_restore_round_trip(
    library: Library, settings: Settings, tmp_path: Path
) -> None:
    passages = library.store.passage_count()
    reader = Engine(settings)  # a backup is taken while the library is in use
    dest = tmp_path / "backup"
    copied = backup(settings, dest)
    assert copied.passages == passages and "lexical" in copied.parts
    assert not list(dest.glob("*-wal")) and stat.S_IMODE(dest.stat().st_mode) == 0o700
    reader.close()
    library.close()
    elsewhere = load_settings(home=tmp_path / "restored")
    restored = restore(elsewhere, dest)
    assert restored.passages == passages and restored.check is not None and restored.check.ok
    assert _answers(elsewhere)


def test_a_backup_without_its_index_is_restored_with_the_index_rebuilt(
    library: Library, settings: Settings, tmp_path: Path
) -> None:
    library.close()
    dest = tmp_path / "backup"
    backup(settings, dest)
    shutil.rmtree(dest / "lexical")
    elsewhere = load_settings(home=tmp_path / "restored")
    restored = restore(elsewhere, dest)
    assert restored.check is not None and restored.check.ok and _answers(elsewhere)


def test_restore_refuses_to_overwrite_data_without_force(
    library: Library, settings: Settings, tmp_path: Path
) -> None:
    library.close()
    dest = tmp_path / "backup"
    backup(settings, dest)
    with pytest.raises(MedciteError, match="--force"):
        restore(settings, dest)
    assert restore(settings, dest, force=True).check is not None
    runner = CliRunner()
    refused = runner.invoke(app, ["--home", str(settings.home), "restore", str(tmp_path)])
    assert refused.exit_code == 1 and "is not a" in refused.output
    taken = runner.invoke(app, ["--home", str(settings.home), "backup", str(dest)])
    assert taken.exit_code == 1 and "not an empty" in taken.output

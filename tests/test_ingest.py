"""Ingestion end to end: idempotence, replacement, bad input, consistency of the indexes."""

import json
import os
import shutil
from pathlib import Path

import pytest

from medcite.index import Library
from medcite.ingest.pipeline import build_record, ingest
from medcite.retrieve.expand import expanded_groups
from medcite.settings import Settings
from medcite.sources.base import Block, ParsedDocument
from medcite.text import terms
from medcite.types import DocKind, PassageKind
from medcite.understand.query import understand

from .conftest import MEDQUAD_RECORDS, write_medquad


def search_ids(library: Library, text: str) -> set[str]:
    query = understand(text, library.lexical.doc_freq, library.lexical.size())
    return {r.passage_id for r in library.lexical.search(expanded_groups(query, 1.0), 50)}


def test_corpus_is_stored_and_indexed_consistently(library: Library) -> None:
    store = library.store
    assert library.lexical.size() == store.passage_count() > 0
    kinds = {kind for kind, _source, _docs, _n in store.counts_by_kind()}
    assert kinds == {"patient_education", "case_report"}
    for passage in store.passages_of(store.document_ids()):
        assert store.document_text(passage.document.id)[passage.start : passage.end] == passage.text


def test_case_report_has_a_caption_passage_and_clean_text(library: Library) -> None:
    ids = search_ids(library, "chest radiograph nodules fluconazole")
    passages = library.store.passages(list(ids)).values()
    kinds = {p.kind for p in passages if p.document.kind == DocKind.CASE_REPORT}
    assert PassageKind.CAPTION in kinds and PassageKind.TEXT in kinds
    text = " ".join(p.text for p in passages)
    assert "infection" in text and "infec tion" not in text


def test_reingesting_unchanged_files_changes_nothing(library: Library, corpus: Path) -> None:
    before = library.store.passage_count()
    report = ingest([corpus], library)
    assert {o.status for o in report.outcomes} == {"unchanged"}
    assert library.store.passage_count() == before == library.lexical.size()


def test_changed_file_replaces_its_passages(library: Library, corpus: Path) -> None:
    assert search_ids(library, "kidney stone fluid")
    records = [dict(r) for r in MEDQUAD_RECORDS if r["focus"] != "Kidney stones"]
    records[0]["answer"] = "Brindle syndrome is a newly renamed condition called zephyrosis."
    write_medquad(corpus / "medquad.jsonl", records)
    report = ingest([corpus / "medquad.jsonl"], library)
    (outcome,) = report.outcomes
    assert outcome.status == "updated"
    assert "1 removed" in outcome.detail and "unchanged" in outcome.detail
    assert not search_ids(library, "kidney stone fluid")
    assert search_ids(library, "zephyrosis")
    assert library.lexical.size() == library.store.passage_count()


def test_bad_files_fail_with_their_name_and_the_rest_goes_in(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.md").write_text("# Gout\n\nGout is a form of arthritis caused by urate.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(os.urandom(64) + b"\x00" * 64)
    (folder / "latin1-garbage.txt").write_bytes(b"\x81\x82\x83\x01\x02 caf\xe9")
    (folder / "broken.xml").write_text('<document xmlns="urn:hl7-org:v3"><title>x</document')
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    (folder / "notes.jsonl").write_text('{"qid": "1", "answer": "x"\n{nope}\n')
    huge = folder / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing read
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n")
    lib = Library(settings)
    report = ingest([folder, tmp_path / "missing.txt"], lib)
    status = {o.path.name: (o.status, o.detail) for o in report.outcomes}
    assert status["good.md"][0] == "added"
    assert status["photo.png"][0] == "skipped"
    for name in (
        "empty.txt",
        "binary.txt",
        "latin1-garbage.txt",
        "broken.xml",
        "broken.pdf",
        "notes.jsonl",
        "huge.txt",
        "missing.txt",
    ):
        assert status[name][0] == "failed", name
        assert name in status[name][1], status[name]
    assert "larger than" in status["huge.txt"][1]
    assert lib.store.passage_count() == lib.lexical.size() == 1


def test_kind_option_labels_every_document(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Aspirin is used for pain.\n")
    lib = Library(settings)
    ingest([path], lib, kind=DocKind.GUIDELINE)
    (passage,) = lib.store.passages_of(lib.store.document_ids())
    assert passage.document.kind == DocKind.GUIDELINE
    # a different kind is a different reading of the file: it is re-ingested
    report = ingest([path], lib, kind=DocKind.CASE_REPORT)
    assert report.outcomes[0].status == "updated"


def test_lexical_index_is_rebuilt_when_deleted(settings: Settings, corpus: Path) -> None:
    lib = Library(settings)
    ingest([corpus], lib)
    count = lib.store.passage_count()
    lib.close()
    shutil.rmtree(settings.data_dir / "lexical")
    reopened = Library(settings)
    assert reopened.lexical.size() == count
    assert terms("stones")  # the analyzer still works after the rebuild
    assert search_ids(reopened, "kidney stone")


def test_progress_events_cover_each_file(settings: Settings, corpus: Path) -> None:
    events = []
    ingest([corpus], Library(settings), progress=events.append)
    starts = [e.path.name for e in events if e.stage == "start"]
    assert starts == ["medquad.jsonl", "valley-fever.txt"]
    assert all(e.outcome is not None for e in events if e.stage == "done")
    assert json.dumps([e.stage for e in events])


def _changed_file(corpus: Path) -> Path:
    records = [dict(r) for r in MEDQUAD_RECORDS if r["focus"] != "Kidney stones"]
    records[0]["answer"] = "Brindle syndrome is a newly renamed condition called zephyrosis."
    write_medquad(corpus / "medquad.jsonl", records)
    return corpus / "medquad.jsonl"


def test_the_lexical_index_is_given_what_was_written_not_read_back(
    library: Library, corpus: Path
) -> None:
    statements: list[str] = []
    library.store.connection.set_trace_callback(statements.append)
    try:
        ingest([_changed_file(corpus)], library)
    finally:
        library.store.connection.set_trace_callback(None)
    sql = [" ".join(s.lower().split()) for s in statements]
    assert not [s for s in sql if "substr(d.text" in s]  # no passage text read
    assert library.store.pending_lexical() == []
    assert search_ids(library, "zephyrosis") and not search_ids(library, "kidney stone fluid")
    assert library.lexical.size() == library.store.passage_count()


def test_a_write_too_large_to_keep_is_read_back_from_the_store(
    library: Library, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import medcite.index.writes as writes

    monkeypatch.setattr(writes, "CHANGES_PASSAGES", 2)
    ingest([_changed_file(corpus)], library)
    assert library.store.pending_lexical() == []
    assert search_ids(library, "zephyrosis") and not search_ids(library, "kidney stone fluid")
    assert library.lexical.size() == library.store.passage_count()


def test_staged_passages_not_synced_are_indexed_at_the_next_open(
    library: Library, corpus: Path, settings: Settings
) -> None:
    """A write staged in the lexical index and never committed there (the process ended
    first) is still queued in the store: the next open indexes it."""
    from medcite.index.store import SourceRecord

    with library.writing(), library.writing_source(SourceRecord("s", "s", "h", "t")) as writer:
        parsed = ParsedDocument("z:1", "Zephyrosis", "test", (Block("Zephyrosis is rare."),))
        writer.put(build_record(parsed, None, settings, origin="z", source_id="s"))
    assert not search_ids(library, "zephyrosis")  # staged only
    library.close()
    reopened = Library(settings)
    assert search_ids(reopened, "zephyrosis")
    assert reopened.lexical.size() == reopened.store.passage_count()
    reopened.close()


def test_a_collection_file_larger_than_max_file_mb_is_streamed_in(tmp_path: Path) -> None:
    """max_file_mb limits files read whole; a JSONL collection is read a line at a time."""
    from medcite.settings import load_settings

    settings = load_settings(home=tmp_path / "home", ingest={"max_file_mb": 0.001})
    path = tmp_path / "medquad.jsonl"
    write_medquad(path)
    assert path.stat().st_size > 1_000
    library = Library(settings)
    (outcome,) = ingest([path], library).outcomes
    assert outcome.status == "added" and outcome.documents == len(MEDQUAD_RECORDS)
    library.close()

"""The identity policy: global keys are one document wherever found, the newest version wins;
other records belong to their file, and two files never take each other's documents."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from medcite.index import Library
from medcite.index.store import SourceRecord, Store
from medcite.ingest.identity import document_id, global_key
from medcite.ingest.pipeline import build_record, ingest
from medcite.settings import Settings, load_settings
from medcite.sources.base import Block, ParsedDocument

from .conftest import MEDQUAD_RECORDS, write_medquad
from .pubmed_fixtures import citation, write_set


def write_pubmed(path: Path, pmids: list[int], word: str = "alpha") -> Path:
    """PubMed XML: records with a global key (the PMID), one document wherever found."""
    items = [
        citation(p, f"Record {p}", [("", f"Record {p} is about {word} in adults.")]) for p in pmids
    ]
    return write_set(path, *items)


def write_beir(path: Path, pmids: list[int]) -> Path:
    rows = [
        {"_id": f"{p}-t", "pmid": str(p), "text": f"Snippet of {p} in {path.stem}."} for p in pmids
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "files"
    folder.mkdir()
    return {
        "medquad": write_medquad(folder / "medquad.jsonl"),
        "excerpt": write_medquad(folder / "excerpt.jsonl", MEDQUAD_RECORDS[:2]),
        "pubmed_a": write_pubmed(folder / "a.xml", [1, 2, 3]),
        "pubmed_b": write_pubmed(folder / "b.xml", [2, 3, 4]),
    }


def holdings(store: Store) -> dict[str, int]:
    """Active documents per file name."""
    counts: dict[str, int] = {}
    for doc_id in store.document_ids():
        name = Path(store.document(doc_id).origin).name
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_global_keys_are_canonical_and_others_are_scoped_to_their_file() -> None:
    assert global_key("pmc:12345") == "pmc:PMC12345"
    assert global_key("doi:10.1000/ABC") == "doi:10.1000/abc"
    assert global_key("medquad:GARD:1") is None
    assert document_id("pubmed:7", "a") == document_id("pubmed:7", "b")
    assert document_id("medquad:GARD:1", "a") != document_id("medquad:GARD:1", "b")


@pytest.mark.parametrize(
    "order", list(itertools.permutations(["medquad", "excerpt", "pubmed_a", "pubmed_b"]))
)
def test_overlapping_files_in_any_order_keep_every_document(
    tmp_path: Path, files: dict[str, Path], order: tuple[str, ...]
) -> None:
    settings = load_settings(home=tmp_path / f"home-{'-'.join(order)}")
    lib = Library(settings)
    written = 0
    for name in order:
        (outcome,) = ingest([files[name]], lib).outcomes
        assert outcome.status == "added", outcome
        written += outcome.documents
    # MedQuAD records are the file's own: 5 + 2; PubMed ids are one document each: 4
    assert written == len(lib.store.document_ids()) == 11
    counts = holdings(lib.store)
    assert counts["medquad.jsonl"] == 5 and counts["excerpt.jsonl"] == 2
    assert counts.get("a.xml", 0) + counts.get("b.xml", 0) == 4
    # the PubMed ids both files hold stay with the file that brought them first
    first = "a.xml" if order.index("pubmed_a") < order.index("pubmed_b") else "b.xml"
    assert counts[first] == 3
    report = ingest([files[n] for n in order], lib)
    assert {o.status for o in report.outcomes} == {"unchanged"}
    assert sum(o.documents for o in report.outcomes) == 11
    assert lib.lexical.size() == lib.store.passage_count()
    lib.close()


def test_an_excerpt_never_takes_the_full_files_documents(
    library: Library, corpus: Path, tmp_path: Path
) -> None:
    before = holdings(library.store)["medquad.jsonl"]
    excerpt = write_medquad(tmp_path / "excerpt.jsonl", MEDQUAD_RECORDS[:3])
    (outcome,) = ingest([excerpt], library).outcomes
    assert (outcome.status, outcome.documents) == ("added", 3)
    assert holdings(library.store)["medquad.jsonl"] == before
    # changing the full file leaves the excerpt's copies alone, and vice versa
    write_medquad(corpus / "medquad.jsonl", MEDQUAD_RECORDS[3:])
    ingest([corpus / "medquad.jsonl"], library)
    counts = holdings(library.store)
    assert counts["medquad.jsonl"] == 2 and counts["excerpt.jsonl"] == 3


def test_a_file_dropping_a_shared_record_hands_it_to_the_other_holder(
    settings: Settings, files: dict[str, Path]
) -> None:
    lib = Library(settings)
    ingest([files["pubmed_a"], files["pubmed_b"]], lib)
    (outcome,) = ingest([write_pubmed(files["pubmed_a"], [1])], lib).outcomes
    assert outcome.documents == 1 and "2 removed" in outcome.detail
    counts = holdings(lib.store)
    assert counts == {"a.xml": 1, "b.xml": 3}
    assert lib.lexical.size() == lib.store.passage_count()


def test_a_split_snippet_corpus_keeps_both_halves(settings: Settings, tmp_path: Path) -> None:
    """BEIR snippets of one paper in two files are two files' passages, not two versions."""
    lib = Library(settings)
    ingest(
        [
            write_beir(tmp_path / "half1.jsonl", [7, 8]),
            write_beir(tmp_path / "half2.jsonl", [7, 8]),
        ],
        lib,
    )
    assert holdings(lib.store) == {"half1.jsonl": 2, "half2.jsonl": 2}
    assert lib.store.document(lib.store.document_ids()[0]).extra["pmid"] in ("7", "8")
    lib.close()


# -- revisions, deletions, retractions at the store level ---------------------------------


def record(settings: Settings, key: str, revision: str, text: str, source_id: str):  # type: ignore[no-untyped-def]
    parsed = ParsedDocument(
        key=key, title=f"Title {text}", source="PubMed", blocks=(Block(text),), revision=revision
    )
    return build_record(parsed, None, settings, origin=source_id, source_id=source_id)


def write(store: Store, settings: Settings, source: str, versions: dict[str, str]) -> None:
    """File `source` holds `key -> revision` (text "KEY at REVISION")."""
    records = [record(settings, k, r, f"{k} at {r}", source) for k, r in versions.items()]
    store.write_source(SourceRecord(source, source, source + str(versions), "test"), records, [])


def active_text(store: Store, key: str) -> str | None:
    doc_id = document_id(key, "")
    return store.document_text(doc_id) if doc_id in store.document_ids() else None


@pytest.mark.parametrize("order", [("old", "new"), ("new", "old")])
def test_the_newest_revision_is_active_whatever_the_order(
    settings: Settings, order: tuple[str, str]
) -> None:
    store = Store(settings.data_dir / "s.sqlite3")
    files = {"old": {"pubmed:9": "2019-01-01"}, "new": {"pubmed:9": "2021-06-07"}}
    for name in order:
        write(store, settings, name, files[name])
    assert active_text(store, "pubmed:9") == "pubmed:9 at 2021-06-07"
    write(store, settings, "new", {})  # the update file no longer has it: the old comes back
    assert active_text(store, "pubmed:9") == "pubmed:9 at 2019-01-01"
    write(store, settings, "old", {})
    assert active_text(store, "pubmed:9") is None


def test_a_deletion_hides_older_versions_until_it_is_lifted(settings: Settings) -> None:
    store = Store(settings.data_dir / "s.sqlite3")
    write(store, settings, "base", {"pubmed:9": "2019-01-01", "pubmed:10": "2019-01-01"})
    with store.writing(SourceRecord("upd", "upd", "h1", "test")) as writer:
        writer.withdraw(document_id("pubmed:9", ""), "deleted", "2021-01-01", "")
    assert active_text(store, "pubmed:9") is None
    assert active_text(store, "pubmed:10") is not None
    assert writer.result.withdrawn == 1
    # the baseline read again (changed) does not bring it back; a newer version would
    write(store, settings, "base", {"pubmed:9": "2019-01-01", "pubmed:11": "2019-01-01"})
    assert active_text(store, "pubmed:9") is None
    write(store, settings, "later", {"pubmed:9": "2022-01-01"})
    assert active_text(store, "pubmed:9") == "pubmed:9 at 2022-01-01"
    write(store, settings, "later", {})
    with store.writing(SourceRecord("upd", "upd", "h2", "test")):
        pass  # the update file without its DeleteCitation: the deletion is lifted
    assert active_text(store, "pubmed:9") == "pubmed:9 at 2019-01-01"


def test_a_retraction_notice_marks_the_document(settings: Settings) -> None:
    store = Store(settings.data_dir / "s.sqlite3")
    write(store, settings, "base", {"pubmed:9": "2019-01-01"})
    doc_id = document_id("pubmed:9", "")
    assert store.document(doc_id).retraction is None
    with store.writing(SourceRecord("notices", "notices", "h1", "test")) as writer:
        writer.withdraw(doc_id, "retracted", "", "retraction notice PMID 77")
    assert store.document(doc_id).retraction == "retraction notice PMID 77"
    assert active_text(store, "pubmed:9") is not None  # still there, marked, not deleted

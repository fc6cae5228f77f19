"""Corpus statistics kept at write time: exact after any write, no scan on the ask path."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from medcite.index import Library
from medcite.index.migrations import MIGRATIONS, _m006_corpus_stats
from medcite.index.stats import CorpusStats, DocumentTerms
from medcite.index.store import Store
from medcite.ingest.pipeline import ingest
from medcite.retrieve.pipeline import RetrievalPlan, rank_passages
from medcite.settings import Settings
from medcite.text import terms
from medcite.understand.query import understand

from .conftest import MEDQUAD_RECORDS, write_medquad


def _scanned(store: Store) -> tuple[CorpusStats, dict[str, DocumentTerms]]:
    """The statistics computed the slow way, from every stored passage."""
    db = store.connection
    rows = db.execute(
        "SELECT p.doc_id, substr(d.text, p.start + 1, p.end - p.start) FROM passages p "
        "JOIN documents d ON d.id = p.doc_id ORDER BY p.doc_id, p.seq"
    ).fetchall()
    texts: dict[str, list[str]] = {}
    for doc_id, text in rows:
        texts.setdefault(doc_id, []).append(text)
    stats = CorpusStats(len(rows), len(texts), sum(len(t) for _, t in rows))
    multi = {
        doc: DocumentTerms(sum((Counter(terms(t)) for t in group), Counter()), len("".join(group)))
        for doc, group in texts.items()
        if len(group) > 1
    }
    return stats, multi


def _assert_exact(store: Store) -> None:
    stats, terms = _scanned(store)
    assert store.corpus_stats() == stats
    assert store.count_passages() == stats.passages
    assert terms  # the corpus has documents of several passages
    kept = store.document_terms(sorted(store.document_ids()))
    assert {d: (dict(t.counts), t.chars) for d, t in kept.items()} == {
        d: (dict(t.counts), t.chars) for d, t in terms.items()
    }
    orphans = store.connection.execute(
        "SELECT count(*) FROM document_terms WHERE doc_id NOT IN (SELECT id FROM documents)"
    ).fetchone()[0]
    assert orphans == 0


def test_stats_follow_every_write(library: Library, corpus: Path) -> None:
    _assert_exact(library.store)
    assert library.store.mean_document_chars() > 0
    medquad = corpus / "medquad.jsonl"
    changed = [dict(r) for r in MEDQUAD_RECORDS[:3]]  # two records gone, one rewritten
    changed[0]["answer"] = "Brindle syndrome is now described in one much shorter sentence."
    write_medquad(medquad, changed)
    ingest([corpus], library)
    _assert_exact(library.store)
    medquad.unlink()  # the whole file gone: its documents are released
    (corpus / "valley-fever.txt").unlink()
    write_medquad(corpus / "other.jsonl", MEDQUAD_RECORDS[3:])
    ingest([corpus], library)
    _assert_exact(library.store)


def test_the_migration_fills_the_stats_of_an_older_store(library: Library) -> None:
    path = library.store.path
    before = library.store.corpus_stats()
    library.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TABLE document_terms")
    db.execute("DROP TABLE corpus_stats")
    for trigger in ("passage_added", "passage_removed", "passage_edited"):
        db.execute(f"DROP TRIGGER {trigger}")
    version = MIGRATIONS.index(_m006_corpus_stats) + 1
    db.execute("DELETE FROM _migrations WHERE version = ?", (version,))
    db.close()
    store = Store(path)
    assert store.corpus_stats() == before
    _assert_exact(store)
    store.close()


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []
    store.connection.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        store.connection.set_trace_callback(None)


def test_an_ask_reads_no_whole_table(library: Library, settings: Settings) -> None:
    """No count or scan of the passages, and no passage text of the candidates' other
    passages: the document scores come from the kept term counts."""
    lexical = library.lexical
    query = understand("What are the symptoms of Brindle syndrome?", lexical.doc_freq, 9)
    with _statements(library.store) as seen:
        hits = rank_passages(query, library, RetrievalPlan(dense=False))
    assert hits and "doc_bm25" in hits[0].scores
    sql = [" ".join(s.split()).lower() for s in seen]
    assert any("document_terms" in s for s in sql)
    assert not [s for s in sql if "count(" in s or "group by" in s or "avg(" in s]
    assert all(" where " in s for s in sql if s.startswith("select")), sql
    assert not [s for s in sql if "from passages where doc_id in" in s]


def test_document_terms_are_compressed_json(library: Library) -> None:
    row = library.store.connection.execute("SELECT counts FROM document_terms").fetchone()
    counts = json.loads(zlib.decompress(row[0]))
    assert counts and all(isinstance(v, int) and v > 0 for v in counts.values())


def test_passage_text_is_stored_once_and_older_stores_migrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written before migration 8 kept each passage's text twice; after it, the
    passages keep offsets into their document's text and read back the same text."""
    import medcite.index.migrations as migrations

    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:7])
    store = Store(path)
    text = "Overview\n\nAlpha beta gamma.\n\nDelta é epsilon 😀 zeta."
    db = store.connection
    db.execute("INSERT INTO sources VALUES ('s', '/f', 'h', 'beir', 1, 2, 'now')")
    db.execute(
        "INSERT INTO documents(id, source_id, title, kind, source, origin, version, authors, "
        "extra, text, ingested_at) VALUES ('d', 's', 'T', 'other', '', '/f', 'v', '[]', '{}', "
        "?, 'now')",
        (text,),
    )
    spans = [(10, 27), (29, len(text))]
    for seq, (start, end) in enumerate(spans):
        db.execute(
            "INSERT INTO passages(id, doc_id, seq, text, start, end, section, kind) "
            "VALUES (?, 'd', ?, ?, ?, ?, NULL, 'text')",
            (f"p{seq}", seq, text[start:end], start, end),
        )
    store.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    store = Store(path)
    columns = {r[1] for r in store.connection.execute("PRAGMA table_info(passages)")}
    assert "text" not in columns
    found = store.passages(["p0", "p1"])
    assert [found[f"p{i}"].text for i in range(2)] == [text[s:e] for s, e in spans]
    assert store.corpus_stats() == CorpusStats(2, 1, sum(e - s for s, e in spans))
    store.close()

"""Corpus statistics kept at write time, so that an ask never scans the library.

Two small tables (migration `_m006_corpus_stats`):
- `corpus_stats`, one row: passages, documents that have passages, and their characters,
  kept by SQLite triggers on `passages` (so every insert, delete and cascade counts);
- `document_terms`, one row per document of two or more passages: its analysed terms
  counted over all its passages (zlib-compressed JSON, about 140 bytes per passage on
  MedQuAD) and its length in characters, written with the document (`Store._put_document`)
  and deleted with it (ON DELETE CASCADE). A one-passage document needs no row: its only
  passage is the candidate itself, whose text is at hand.

The reranker's document BM25 (`retrieve/documents.py`) reads a candidate's row instead of
fetching and re-analysing every passage of its document.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from medcite.text import terms


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """What BM25 needs of the whole library; `mean_chars` is the mean document length
    (a document's passages together) in characters."""

    passages: int
    documents: int
    chars: int

    @property
    def mean_chars(self) -> float:
        return self.chars / self.documents if self.documents else 0.0


@dataclass(frozen=True, slots=True)
class DocumentTerms:
    """One document's analysed terms counted over all its passages, and its length."""

    counts: Mapping[str, int]
    chars: int

    @classmethod
    def of_texts(cls, texts: Sequence[str]) -> DocumentTerms:
        """Counted in one pass: the analyzer splits at whitespace, so the joined texts give
        the passages' terms together."""
        return cls(Counter(terms("\n".join(texts))), sum(len(t) for t in texts))


STATS_TABLES = (
    """CREATE TABLE corpus_stats (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        passages INTEGER NOT NULL, documents INTEGER NOT NULL, chars INTEGER NOT NULL
    )""",
    """CREATE TABLE document_terms (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        chars INTEGER NOT NULL, counts BLOB NOT NULL
    )""",
)
# A passage's length is `end - start` (its text is that slice of its document's text).
STATS_TRIGGERS = (
    # a passage counts its document when it is the document's first
    """CREATE TRIGGER passage_added AFTER INSERT ON passages BEGIN
        UPDATE corpus_stats SET passages = passages + 1, chars = chars + NEW.end - NEW.start,
            documents = documents + NOT EXISTS (
                SELECT 1 FROM passages WHERE doc_id = NEW.doc_id AND id != NEW.id
            );
    END""",
    """CREATE TRIGGER passage_removed AFTER DELETE ON passages BEGIN
        UPDATE corpus_stats SET passages = passages - 1, chars = chars - (OLD.end - OLD.start),
            documents = documents - NOT EXISTS (SELECT 1 FROM passages WHERE doc_id = OLD.doc_id);
    END""",
    # passages are replaced, never edited; should one be, its length still counts
    """CREATE TRIGGER passage_edited AFTER UPDATE OF start, end ON passages BEGIN
        UPDATE corpus_stats SET chars = chars - (OLD.end - OLD.start) + NEW.end - NEW.start;
    END""",
)
# A stored passage's text: the slice of its document's text (SQLite counts characters).
PASSAGE_TEXT = "substr(d.text, p.start + 1, p.end - p.start)"


def create_stats(db: sqlite3.Connection) -> None:
    """Create the tables and triggers and fill them from what the store holds (once)."""
    for statement in (*STATS_TABLES, *STATS_TRIGGERS):
        db.execute(statement)
    rebuild_stats(db)


def scanned_stats(db: sqlite3.Connection) -> CorpusStats:
    """The statistics counted from every passage (what the kept row must equal)."""
    row = db.execute(
        "SELECT count(*), count(DISTINCT doc_id), coalesce(sum(end - start), 0) FROM passages"
    ).fetchone()
    return CorpusStats(*row)


def missing_document_terms(db: sqlite3.Connection) -> int:
    """Documents of two or more passages without term counts."""
    return int(
        db.execute(
            "SELECT count(*) FROM (SELECT doc_id FROM passages GROUP BY doc_id "
            "HAVING count(*) > 1) WHERE doc_id NOT IN (SELECT doc_id FROM document_terms)"
        ).fetchone()[0]
    )


def rebuild_stats(db: sqlite3.Connection) -> None:
    """Recount everything from the stored passages (inside the caller's transaction)."""
    s = scanned_stats(db)
    db.execute("INSERT OR REPLACE INTO corpus_stats VALUES (1, ?, ?, ?)", _row(s))
    db.execute("DELETE FROM document_terms")
    rows = db.execute(
        f"SELECT p.doc_id, {PASSAGE_TEXT} FROM passages p JOIN documents d ON d.id = p.doc_id "
        "ORDER BY p.doc_id, p.seq"
    )
    write_document_terms(db, _grouped(rows))


def _row(stats: CorpusStats) -> tuple[int, int, int]:
    return stats.passages, stats.documents, stats.chars


def _grouped(rows: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """(document id, its passages' texts) from rows ordered by document."""
    doc: str | None = None
    texts: list[str] = []
    for doc_id, text in rows:
        if doc_id != doc and doc is not None:
            yield doc, texts
            texts = []
        doc = doc_id
        texts.append(text)
    if doc is not None:
        yield doc, texts


def write_document_terms(
    db: sqlite3.Connection, documents: Iterable[tuple[str, list[str]]]
) -> None:
    """The term counts of documents given as their passages' texts (one-passage ones skipped)."""
    db.executemany("INSERT OR REPLACE INTO document_terms VALUES (?, ?, ?)", _rows(documents))


def _rows(documents: Iterable[tuple[str, list[str]]]) -> Iterator[tuple[str, int, bytes]]:
    for doc_id, texts in documents:
        if len(texts) > 1:
            terms_ = DocumentTerms.of_texts(texts)
            yield doc_id, terms_.chars, _encode(terms_.counts)


def read_corpus_stats(db: sqlite3.Connection) -> CorpusStats:
    """The one row (one primary-key read, whatever the library's size)."""
    row = db.execute("SELECT passages, documents, chars FROM corpus_stats WHERE id = 1").fetchone()
    return CorpusStats(*row) if row else CorpusStats(0, 0, 0)


def read_document_terms(db: sqlite3.Connection, doc_ids: Sequence[str]) -> dict[str, DocumentTerms]:
    """The rows of `doc_ids` (a document of fewer than two passages has none)."""
    found: dict[str, DocumentTerms] = {}
    for i in range(0, len(doc_ids), 500):
        chunk = list(doc_ids[i : i + 500])
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            f"SELECT doc_id, chars, counts FROM document_terms WHERE doc_id IN ({marks})", chunk
        )
        for doc_id, chars, counts in rows:
            found[str(doc_id)] = DocumentTerms(json.loads(zlib.decompress(counts)), int(chars))
    return found


def _encode(counts: Mapping[str, int]) -> bytes:
    return zlib.compress(json.dumps(counts, ensure_ascii=False, separators=(",", ":")).encode(), 1)

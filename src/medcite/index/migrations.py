"""Numbered schema migrations, recorded in `_migrations` and applied on open."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

Migration = Callable[[sqlite3.Connection], None]


def _m001_initial(db: sqlite3.Connection) -> None:
    _run(
        db,
        """
        CREATE TABLE sources (
            id TEXT PRIMARY KEY, path TEXT NOT NULL, content_hash TEXT NOT NULL,
            reader TEXT NOT NULL, n_documents INTEGER NOT NULL, n_passages INTEGER NOT NULL,
            ingested_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            source_id TEXT NOT NULL REFERENCES sources(id) DEFERRABLE INITIALLY DEFERRED,
            title TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, origin TEXT NOT NULL,
            version TEXT NOT NULL, url TEXT, published TEXT, updated TEXT,
            authors TEXT NOT NULL, journal TEXT, extra TEXT NOT NULL,
            text TEXT NOT NULL, ingested_at TEXT NOT NULL
        );
        CREATE INDEX documents_source ON documents(source_id);
        CREATE TABLE passages (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL,
            end INTEGER NOT NULL, section TEXT, kind TEXT NOT NULL
        );
        CREATE INDEX passages_doc ON passages(doc_id, seq);
        CREATE TABLE lexical_pending (doc_id TEXT PRIMARY KEY);
        """,
    )


def _m002_conversations(db: sqlite3.Connection) -> None:
    """Saved answers (their public JSON) and conversations as ordered answer ids."""
    _run(
        db,
        """
        CREATE TABLE answers (
            id TEXT PRIMARY KEY, created TEXT NOT NULL, question TEXT NOT NULL,
            audience TEXT NOT NULL, body TEXT NOT NULL
        );
        CREATE INDEX answers_created ON answers(created);
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY, created TEXT NOT NULL, updated TEXT NOT NULL,
            audience TEXT NOT NULL
        );
        CREATE TABLE conversation_turns (
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            answer_id TEXT NOT NULL REFERENCES answers(id),
            PRIMARY KEY (conversation_id, seq)
        );
        """,
    )


def _m003_vectors(db: sqlite3.Connection) -> None:
    """Queue of documents whose vectors must be (re)written; every document starts queued."""
    _run(
        db,
        """
        CREATE TABLE IF NOT EXISTS vector_pending (doc_id TEXT PRIMARY KEY);
        INSERT OR IGNORE INTO vector_pending(doc_id) SELECT id FROM documents
        """,
    )


def _m004_scrubbed_questions(db: sqlite3.Connection) -> None:
    """Questions stored verbatim by earlier versions of the web app, scrubbed of identifiers
    in place (the column and the answer's JSON); the old text is overwritten on disk."""
    from medcite.privacy import scrub

    db.execute("PRAGMA secure_delete = ON")
    rows = db.execute("SELECT id, question, body FROM answers").fetchall()
    for answer_id, question, body in rows:
        clean = " ".join(scrub(str(question)).text.split())
        if clean == question:
            continue
        try:
            public = json.loads(str(body))
            public["question"] = clean
            body = json.dumps(public, ensure_ascii=False)
        except (ValueError, TypeError, KeyError):
            pass  # not an answer's JSON: nothing of it is shown
        db.execute(
            "UPDATE answers SET question = ?, body = ? WHERE id = ?", (clean, body, answer_id)
        )
    db.execute("PRAGMA secure_delete = OFF")


def _m005_identity(db: sqlite3.Connection) -> None:
    """Document identity (ingest/identity.py): each document's global key and revision,
    the versions other files hold while one is active, and withdrawals (deletions and
    retractions). Every file is read again at its next ingest, since ids now depend on it."""
    _run(
        db,
        """
        ALTER TABLE documents ADD COLUMN identity TEXT;
        ALTER TABLE documents ADD COLUMN revision TEXT NOT NULL DEFAULT '';
        CREATE TABLE held_versions (
            doc_id TEXT NOT NULL, source_id TEXT NOT NULL, revision TEXT NOT NULL,
            record TEXT NOT NULL, PRIMARY KEY (doc_id, source_id)
        );
        CREATE INDEX held_versions_source ON held_versions(source_id);
        CREATE TABLE withdrawals (
            doc_id TEXT NOT NULL, source_id TEXT NOT NULL, action TEXT NOT NULL,
            revision TEXT NOT NULL, notice TEXT NOT NULL,
            PRIMARY KEY (doc_id, source_id, action, notice)
        );
        CREATE INDEX withdrawals_source ON withdrawals(source_id);
        UPDATE sources SET content_hash = ''
        """,
    )


def _m006_corpus_stats(db: sqlite3.Connection) -> None:
    """Corpus statistics kept at write time (index/stats.py): passage and document counts
    and lengths by triggers, each document's term counts; filled once from the store."""
    from medcite.index.stats import create_stats

    create_stats(db)


def _m007_vector_space(db: sqlite3.Connection) -> None:
    """The embedder whose vectors the library keeps (and `vector_pending` is relative to):
    its name, model, variant and dimensions; none until the next `medcite embed`."""
    _run(
        db,
        """
        CREATE TABLE vector_space (
            id INTEGER PRIMARY KEY CHECK (id = 1), embedder TEXT NOT NULL, model TEXT NOT NULL,
            variant TEXT NOT NULL, dimensions INTEGER NOT NULL
        )
        """,
    )


def _m008_passage_text_once(db: sqlite3.Connection) -> None:
    """A passage's text is stored once, in its document's text: a passage row keeps its
    offsets (`start`, `end`) and the text is read as that slice. The kept statistics count
    a passage's length as `end - start`."""
    from medcite.index.stats import STATS_TRIGGERS

    _run(
        db,
        """
        DROP TRIGGER passage_added;
        DROP TRIGGER passage_removed;
        DROP TRIGGER passage_edited;
        CREATE TABLE passages_once (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
            section TEXT, kind TEXT NOT NULL
        );
        INSERT INTO passages_once SELECT id, doc_id, seq, start, end, section, kind FROM passages;
        DROP TABLE passages;
        ALTER TABLE passages_once RENAME TO passages;
        CREATE INDEX passages_doc ON passages(doc_id, seq)
        """,
    )
    for statement in STATS_TRIGGERS:
        db.execute(statement)


def _m009_checkpoints(db: sqlite3.Connection) -> None:
    """Checkpoints of a large file's ingest (index/writes.py): how many of its items were
    committed, for which content, and the documents and withdrawals it showed so far."""
    _run(
        db,
        """
        CREATE TABLE source_progress (
            source_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, items INTEGER NOT NULL
        );
        CREATE TABLE source_seen (
            source_id TEXT NOT NULL, doc_id TEXT NOT NULL, revision TEXT NOT NULL,
            PRIMARY KEY (source_id, doc_id)
        );
        CREATE TABLE source_withdrawn (
            source_id TEXT NOT NULL, doc_id TEXT NOT NULL, action TEXT NOT NULL,
            notice TEXT NOT NULL, PRIMARY KEY (source_id, doc_id, action, notice)
        )
        """,
    )


def _run(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one (executescript would commit the open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (
    _m001_initial,
    _m002_conversations,
    _m003_vectors,
    _m004_scrubbed_questions,
    _m005_identity,
    _m006_corpus_stats,
    _m007_vector_space,
    _m008_passage_text_once,
    _m009_checkpoints,
)


def migrate(db: sqlite3.Connection) -> int:
    """Apply the migrations not yet recorded; returns the schema version."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied TEXT)")
    done = {r[0] for r in db.execute("SELECT version FROM _migrations")}
    for version, step in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            db.execute(
                "INSERT INTO _migrations VALUES (?, ?)",
                (version, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return len(MIGRATIONS)

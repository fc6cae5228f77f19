"""Saved answers and conversations (ordered answer ids), in the SQLite store.

An answer is kept as the JSON its caller serialised (the web app stores `AnswerPublic`),
with a random id that is safe to share in a URL. Writes are serialised by a lock; every
thread reads through its own connection (see `Store`).

Questions may describe patients. `append` stores every question scrubbed of identifiers
(and the identifiers it finds replaced in the answer's JSON too), whoever the caller; callers
should also ask without them (the web app does). `forget` deletes conversations with their
answers, overwriting the deleted content in the database file (`secure_delete`) and emptying
the write-ahead log where it could linger.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from medcite.errors import NotFound
from medcite.index.store import Store
from medcite.privacy import scrub
from medcite.types import Audience

ID_BYTES = 12  # 16 URL-safe characters: unguessable, so a shared link is the only way in


@dataclass(frozen=True, slots=True)
class SavedAnswer:
    id: str
    conversation_id: str
    created: datetime
    question: str
    audience: Audience
    body: str


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What `Conversations.forget` deleted."""

    conversations: int
    answers: int


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    created: datetime
    updated: datetime
    audience: Audience
    answer_ids: tuple[str, ...]


class Conversations:
    """Answers and conversations over a Store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._write = threading.Lock()

    def answer(self, answer_id: str) -> SavedAnswer:
        found = self.answers([answer_id])
        if not found:
            raise NotFound(f"no saved answer with id {answer_id}")
        return found[0]

    def answers(self, answer_ids: Sequence[str]) -> list[SavedAnswer]:
        """The saved answers among `answer_ids`, in the order given."""
        if not answer_ids:
            return []
        marks = ",".join("?" * len(answer_ids))
        rows = self.store.connection.execute(
            "SELECT a.id, t.conversation_id, a.created, a.question, a.audience, a.body "
            "FROM answers a JOIN conversation_turns t ON t.answer_id = a.id "
            f"WHERE a.id IN ({marks})",
            list(answer_ids),
        ).fetchall()
        by_id = {str(r[0]): _answer_from_row(r) for r in rows}
        return [by_id[i] for i in answer_ids if i in by_id]

    def recent(self, limit: int) -> list[SavedAnswer]:
        """The latest answer to each of the most recently asked questions, newest first."""
        rows = self.store.connection.execute(
            "SELECT id FROM answers WHERE rowid IN "
            "(SELECT max(rowid) FROM answers GROUP BY question) ORDER BY rowid DESC LIMIT ?",
            (limit,),
        )
        return self.answers([str(r[0]) for r in rows])

    def create(self, audience: Audience) -> Conversation:
        now = _now()
        conversation = Conversation(_new_id(), now, now, audience, ())
        with self._write, self.store.transaction() as db:
            db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?)",
                (conversation.id, now.isoformat(), now.isoformat(), audience.value),
            )
        return conversation

    def conversation(self, conversation_id: str) -> Conversation:
        db = self.store.connection
        row = db.execute(
            "SELECT id, created, updated, audience FROM conversations WHERE id = ?",
            (conversation_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no conversation with id {conversation_id}")
        turns = db.execute(
            "SELECT answer_id FROM conversation_turns WHERE conversation_id = ? ORDER BY seq",
            (conversation_id,),
        )
        return Conversation(
            id=str(row[0]),
            created=datetime.fromisoformat(str(row[1])),
            updated=datetime.fromisoformat(str(row[2])),
            audience=Audience(str(row[3])),
            answer_ids=tuple(str(t[0]) for t in turns),
        )

    def set_audience(self, conversation_id: str, audience: Audience) -> None:
        with self._write, self.store.transaction() as db:
            updated = db.execute(
                "UPDATE conversations SET updated = ?, audience = ? WHERE id = ?",
                (_now().isoformat(), audience.value, conversation_id),
            ).rowcount
        if not updated:
            raise NotFound(f"no conversation with id {conversation_id}")

    def append(
        self, conversation_id: str, question: str, audience: Audience, body: str
    ) -> SavedAnswer:
        """Save an answer as the conversation's next turn; the conversation takes its audience.
        The question is stored scrubbed of identifiers, and the body without them."""
        question, body = _scrubbed(question, body)
        saved = SavedAnswer(_new_id(), conversation_id, _now(), question, audience, body)
        with self._write, self.store.transaction() as db:
            seq = db.execute(
                "SELECT count(*) FROM conversation_turns WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()[0]
            updated = db.execute(
                "UPDATE conversations SET updated = ?, audience = ? WHERE id = ?",
                (saved.created.isoformat(), audience.value, conversation_id),
            ).rowcount
            if not updated:
                raise NotFound(f"no conversation with id {conversation_id}")
            _insert_answer(db, saved)
            db.execute(
                "INSERT INTO conversation_turns VALUES (?, ?, ?)",
                (conversation_id, int(seq), saved.id),
            )
        return saved

    def forget(
        self, *, before: datetime | None = None, conversation_id: str | None = None
    ) -> Forgotten:
        """Delete every conversation (no argument), those whose last turn is older than
        `before`, or one, with their answers; forgetting all or by date also deletes answers
        no conversation holds."""
        if conversation_id is not None:
            where, params, loose = "id = ?", [conversation_id], None
        elif before is not None:
            where, params, loose = "updated < ?", [before.isoformat()], before
        else:
            where, params, loose = "1", [], datetime.max.replace(tzinfo=UTC)
        db = self.store.connection
        with self._write:
            db.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten with zeros
            try:
                forgotten = self._delete(where, params, loose)
            finally:
                db.execute("PRAGMA secure_delete = OFF")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # old pages must not linger there
        return forgotten

    def _delete(self, where: str, params: list[str], loose: datetime | None) -> Forgotten:
        with self.store.transaction() as db:
            ids = [
                str(r[0]) for r in db.execute(f"SELECT id FROM conversations WHERE {where}", params)
            ]
            answer_ids: list[str] = []
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                answer_ids += [
                    str(r[0])
                    for r in db.execute(
                        "SELECT answer_id FROM conversation_turns "
                        f"WHERE conversation_id IN ({marks})",
                        chunk,
                    )
                ]
                db.execute(f"DELETE FROM conversations WHERE id IN ({marks})", chunk)  # + turns
            for chunk in _chunks(answer_ids):
                db.execute(f"DELETE FROM answers WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            orphans = 0
            if loose is not None:
                orphans = db.execute(
                    "DELETE FROM answers WHERE created < ? "
                    "AND id NOT IN (SELECT answer_id FROM conversation_turns)",
                    (loose.isoformat(),),
                ).rowcount
        return Forgotten(len(ids), len(answer_ids) + orphans)


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _scrubbed(question: str, body: str) -> tuple[str, str]:
    """The question with its identifiers replaced by placeholders, and the body with every
    identifier found in the question replaced by the same placeholder wherever it appears."""
    found = scrub(question)
    longest_first = sorted(found.replacements.items(), key=lambda item: -len(item[1]))
    for placeholder, value in longest_first:
        body = body.replace(json.dumps(value, ensure_ascii=False)[1:-1], placeholder)
        body = body.replace(json.dumps(value)[1:-1], placeholder)
    return " ".join(found.text.split()), body


def _insert_answer(db: sqlite3.Connection, saved: SavedAnswer) -> None:
    db.execute(
        "INSERT INTO answers VALUES (?, ?, ?, ?, ?)",
        (saved.id, saved.created.isoformat(), saved.question, saved.audience.value, saved.body),
    )


def _answer_from_row(row: tuple[object, ...]) -> SavedAnswer:
    aid, conversation_id, created, question, audience, body = row
    return SavedAnswer(
        id=str(aid),
        conversation_id=str(conversation_id),
        created=datetime.fromisoformat(str(created)),
        question=str(question),
        audience=Audience(str(audience)),
        body=str(body),
    )


def _new_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def _now() -> datetime:
    return datetime.now(UTC)

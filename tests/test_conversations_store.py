"""Saved answers and conversations in the store; one SQLite connection per thread."""

import sqlite3
import threading
from pathlib import Path

import pytest

from medcite.errors import NotFound
from medcite.index.conversations import Conversations
from medcite.index.migrations import MIGRATIONS
from medcite.index.store import Store
from medcite.types import Audience


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "medcite.sqlite3")


def test_migration_adds_the_conversation_tables(store: Store, tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "medcite.sqlite3")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"answers", "conversations", "conversation_turns"} <= tables
    versions = [r[0] for r in db.execute("SELECT version FROM _migrations ORDER BY version")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    db.close()
    Store(tmp_path / "medcite.sqlite3").close()  # reopening applies nothing twice


def test_conversation_keeps_its_answers_in_order(store: Store) -> None:
    conversations = Conversations(store)
    started = conversations.create(Audience.CLINICIAN)
    first = conversations.append(started.id, "Q1?", Audience.CLINICIAN, '{"n": 1}')
    second = conversations.append(started.id, "Q2?", Audience.PATIENT, '{"n": 2}')
    found = conversations.conversation(started.id)
    assert found.answer_ids == (first.id, second.id)
    assert found.audience == Audience.PATIENT  # the latest turn's
    assert [a.body for a in conversations.answers(found.answer_ids)] == ['{"n": 1}', '{"n": 2}']
    assert conversations.answer(second.id).conversation_id == started.id
    assert len(started.id) >= 16 and started.id != first.id


def test_recent_lists_each_question_once_newest_first(store: Store) -> None:
    conversations = Conversations(store)
    c = conversations.create(Audience.CLINICIAN)
    for question in ["A?", "B?", "A?", "C?"]:
        conversations.append(c.id, question, Audience.CLINICIAN, "{}")
    assert [a.question for a in conversations.recent(10)] == ["C?", "A?", "B?"]
    assert [a.question for a in conversations.recent(1)] == ["C?"]


def test_unknown_ids_raise_not_found(store: Store) -> None:
    conversations = Conversations(store)
    with pytest.raises(NotFound):
        conversations.conversation("nope")
    with pytest.raises(NotFound):
        conversations.answer("nope")
    with pytest.raises(NotFound):
        conversations.append("nope", "Q?", Audience.CLINICIAN, "{}")
    with pytest.raises(NotFound):
        conversations.set_audience("nope", Audience.PATIENT)
    assert conversations.answers([]) == []


def test_concurrent_writers_and_readers_are_safe(store: Store) -> None:
    conversations = Conversations(store)
    c = conversations.create(Audience.CLINICIAN)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                conversations.append(c.id, f"Q{n}-{i}?", Audience.CLINICIAN, "{}")
                conversations.conversation(c.id)
                store.passage_count()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(conversations.conversation(c.id).answer_ids) == 80


def test_each_thread_has_its_own_connection_and_finished_ones_are_closed(store: Store) -> None:
    seen: list[sqlite3.Connection] = []
    for _ in range(5):
        thread = threading.Thread(target=lambda: seen.append(store.connection))
        thread.start()
        thread.join()
    assert all(db is not store.connection for db in seen)
    # A finished thread's connection is closed when another thread opens one, or reused by a
    # new thread that got the finished one's id: never left open and unreachable.
    for db in {id(db): db for db in seen[:-1]}.values():
        if db is not seen[-1]:
            with pytest.raises(sqlite3.ProgrammingError):
                db.execute("SELECT 1")
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        seen[-1].execute("SELECT 1")


def test_a_question_is_stored_scrubbed_whoever_appends_it(tmp_path: Path) -> None:
    import json

    store = Store(tmp_path / "home" / "medcite.sqlite3")
    conversations = Conversations(store)
    conversation = conversations.create(Audience.CLINICIAN)
    question = "Is Mrs. Jane Doe (phone 555-123-4567) at risk?"
    body = json.dumps({"question": question, "assumptions": ["Jane Doe is 52"]})
    saved = conversations.append(conversation.id, question, Audience.CLINICIAN, body)
    stored = conversations.answer(saved.id)
    assert "Jane" not in stored.question and "555-123-4567" not in stored.question
    assert "Jane Doe" not in stored.body and "555-123-4567" not in stored.body
    assert json.loads(stored.body)["assumptions"] == ["[NAME_1] is 52"]
    store.close()

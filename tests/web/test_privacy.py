"""Patient data at rest in the web app: questions stored, shown and returned scrubbed, recent
questions off by default, nothing stored from another site, retention and `forget`."""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from medcite.cli import app as cli
from medcite.index.conversations import Conversations
from medcite.index.store import Store
from medcite.settings import Settings, load_settings
from medcite.types import Audience
from medcite.web import create_app

from ..web_support import FIRST_QUESTION, form, ingest_cmv_corpus

HTML = {"accept": "text/html"}
CANARIES = {
    "name": "Thaddeus Quackenbush",
    "mrn": "ZX4471920",
    "dob": "07/19/1958",
    "phone": "(555) 867-5309",
    "email": "tq.canary@example.org",
    "url": "https://tq-canary.example.org/notes",
}
PHI_QUESTION = (
    f"{FIRST_QUESTION} The patient is Mr. {CANARIES['name']} (MRN {CANARIES['mrn']}, "
    f"DOB {CANARIES['dob']}), phone {CANARIES['phone']}, email {CANARIES['email']}, "
    f"notes at {CANARIES['url']}"
)


@pytest.fixture
def private(tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    settings = load_settings(home=tmp_path / "home", web={"recent_questions": 5})
    ingest_cmv_corpus(settings, tmp_path / "corpus")
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client, settings


def _database_bytes(settings: Settings) -> bytes:
    home = settings.data_dir
    return b"".join(p.read_bytes() for p in home.glob("medcite.sqlite3*") if p.is_file())


def test_identifiers_never_reach_the_store_the_pages_or_the_api(
    private: tuple[TestClient, Settings],
) -> None:
    client, settings = private
    asked = client.post("/ask", data=form(client, q=PHI_QUESTION, audience="clinician"))
    assert asked.status_code == 303
    conversation = client.get(asked.headers["location"].split("#")[0], headers=HTML).text
    api = client.post("/api/ask", json={"question": PHI_QUESTION}).json()
    home = client.get("/", headers=HTML).text
    assert not api["answer"]["abstained"] and "[NAME_1]" in api["answer"]["question"]
    stored = _database_bytes(settings)
    for canary in CANARIES.values():
        for where, text in (("page", conversation), ("api", str(api)), ("home", home)):
            assert canary not in text, (where, canary)
        assert canary.encode() not in stored, canary
    assert "cytomegalovirus" in conversation.lower() or "CMV" in conversation


def test_recent_questions_show_older_verbatim_questions_scrubbed(
    private: tuple[TestClient, Settings],
) -> None:
    client, _ = private
    service = client.app.state.service  # type: ignore[attr-defined]
    conversation = service.conversations.create(Audience.CLINICIAN)
    body = client.post("/api/ask", json={"question": FIRST_QUESTION}).json()["answer"]
    service.conversations.append(
        conversation.id,
        f"Is Mrs. Jane Doe ({CANARIES['phone']}) at risk?",
        Audience.CLINICIAN,
        json.dumps(body),
    )
    home = client.get("/", headers=HTML).text
    assert "Recent questions" in home and "[NAME_1]" in home
    assert "Jane Doe" not in home and CANARIES["phone"] not in home


def test_another_site_cannot_make_the_server_store_a_question(
    private: tuple[TestClient, Settings],
) -> None:
    client, _ = private
    conversations = client.app.state.service.conversations  # type: ignore[attr-defined]
    before = conversations.recent(50)
    planted = "Planted question about CMV?"
    link = client.get("/ask", params={"q": planted}, headers=HTML)
    assert link.status_code == 200 and planted in link.text  # a filled-in box, nothing stored
    no_token = client.post("/ask", data={"q": planted, "audience": "clinician"}, headers=HTML)
    cross = client.post(
        "/ask",
        data=form(client, q=planted, audience="clinician"),
        headers={"sec-fetch-site": "cross-site", "origin": "https://evil.example"},
    )
    api = client.post(
        "/api/ask", json={"question": planted}, headers={"origin": "https://evil.example"}
    )
    assert (no_token.status_code, cross.status_code, api.status_code) == (403, 403, 403)
    assert conversations.recent(50) == before


def test_conversations_past_the_retention_period_are_deleted(
    private: tuple[TestClient, Settings],
) -> None:
    client, settings = private
    old = client.post("/api/ask", json={"question": FIRST_QUESTION}).json()
    new = client.post("/api/ask", json={"question": FIRST_QUESTION}).json()
    store = Store(settings.data_dir / "medcite.sqlite3")
    long_ago = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    store.connection.execute(
        "UPDATE conversations SET updated = ? WHERE id = ?", (long_ago, old["conversation_id"])
    )
    service = client.app.state.service  # type: ignore[attr-defined]
    service._purged = 0.0  # the hourly purge is due
    purged = service.purge_expired()
    assert purged is not None and purged.conversations == 1 and purged.answers == 1
    assert client.get(f"/api/answers/{old['id']}").status_code == 404
    assert client.get(f"/api/answers/{new['id']}").status_code == 200
    store.close()


def test_forget_deletes_stored_questions_from_the_file(
    private: tuple[TestClient, Settings],
) -> None:
    client, settings = private
    first = client.post("/api/ask", json={"question": FIRST_QUESTION + " zqcanaryone"}).json()
    client.post("/api/ask", json={"question": FIRST_QUESTION + " zqcanarytwo"})
    runner = CliRunner()
    home = ["--home", str(settings.home)]
    refused = runner.invoke(cli, [*home, "forget"])
    assert refused.exit_code == 1 and "--all" in refused.output
    one = runner.invoke(cli, [*home, "forget", "--conversation", first["conversation_id"]])
    assert one.exit_code == 0 and "forgot 1 conversations and 1 stored answers" in one.output
    assert b"zqcanaryone" not in _database_bytes(settings)
    assert b"zqcanarytwo" in _database_bytes(settings)
    everything = runner.invoke(cli, [*home, "forget", "--all"])
    assert everything.exit_code == 0 and "forgot 1 conversations" in everything.output
    assert b"zqcanarytwo" not in _database_bytes(settings)


def test_the_data_directory_and_its_databases_are_private(
    private: tuple[TestClient, Settings],
) -> None:
    _, settings = private
    home = settings.data_dir
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("medcite.sqlite3", "articles.sqlite3"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name


def test_an_older_store_has_its_verbatim_questions_scrubbed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "home" / "medcite.sqlite3"
    store = Store(path)
    conversations = Conversations(store)
    conversation = conversations.create(Audience.CLINICIAN)
    raw = f"Is Mr. {CANARIES['name']} at risk?"
    conversations.append(conversation.id, raw, Audience.CLINICIAN, json.dumps({"question": raw}))
    store.connection.execute("DELETE FROM _migrations WHERE version = 4")
    store.close()
    path.chmod(0o644)
    reopened = Store(path)
    ids = [r[0] for r in reopened.connection.execute("SELECT id FROM answers")]
    (saved,) = Conversations(reopened).answers(ids)
    assert CANARIES["name"] not in saved.question and CANARIES["name"] not in saved.body
    assert "[NAME_1]" in saved.question
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reopened.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM answers").fetchone() == (1,)

"""`medcite chat` and `medcite ask --conversation`, driven with scripted input."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.index.conversations import Conversations
from medcite.index.store import Store
from medcite.settings import Settings

runner = CliRunner()


@pytest.fixture
def ingested(corpus: Path) -> Path:
    result = runner.invoke(app, ["ingest", str(corpus)])
    assert result.exit_code == 0, result.output
    return corpus


def _conversation_id(output: str) -> str:
    found = re.findall(r"conversation ([\w-]{16})", output)
    assert found, output
    return found[-1]


def test_chat_answers_follow_ups_in_context_and_saves_them(
    ingested: Path, settings: Settings
) -> None:
    script = "\n".join(
        [
            "What are the symptoms of Brindle syndrome?",
            "How is it treated?",
            "/show 1",
            "/show 99",
            "/sources",
            "/quit",
        ]
    )
    result = runner.invoke(app, ["chat", "--audience", "patient"], input=script + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Read as a follow-up to" in out and "brindle syndrome" in out.lower()
    assert "Passage " in out  # /show 1 printed the cited passage in full
    assert "no reference '99'" in out
    assert "indexed sources" in out
    conversation = _conversation_id(out)
    store = Store(settings.data_dir / "medcite.sqlite3")
    saved = Conversations(store)
    turns = saved.answers(saved.conversation(conversation).answer_ids)
    assert [t.question for t in turns] == [
        "What are the symptoms of Brindle syndrome?",
        "How is it treated?",
    ]
    assert all(t.audience.value == "patient" for t in turns)


def test_new_starts_a_conversation_without_the_earlier_subject(ingested: Path) -> None:
    script = "What are the symptoms of Brindle syndrome?\n/new\nHow is it treated?\n"
    result = runner.invoke(app, ["chat"], input=script)
    assert result.exit_code == 0, result.output
    assert "New conversation" in result.output
    assert "Read as a follow-up to" not in result.output  # end of input closes the chat


def test_ask_continues_a_stored_conversation(ingested: Path) -> None:
    first = runner.invoke(
        app, ["ask", "What are the symptoms of Brindle syndrome?", "--conversation", "new"]
    )
    assert first.exit_code == 0, first.output
    conversation = _conversation_id(first.output)
    then = runner.invoke(
        app, ["ask", "How is it treated?", "--conversation", conversation, "--json"]
    )
    assert then.exit_code == 0, then.output
    body = then.stdout[then.stdout.index("{") :]
    assert '"carried_subjects"' in body and "brindle" in body.lower()
    unknown = runner.invoke(app, ["ask", "How is it treated?", "--conversation", "nope"])
    assert unknown.exit_code == 1 and "no conversation" in unknown.output

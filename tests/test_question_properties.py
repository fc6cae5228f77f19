"""Property-based tests of question handling: whatever text arrives — bytes that are not UTF-8,
lone surrogates, control characters, markup, identifiers, the length limit — the engine
answers or refuses with a MedciteError, the CLI never shows a traceback, and identifiers
never survive scrubbing into what is stored."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from medcite.cli import app
from medcite.engine import MAX_QUESTION_CHARS, Engine
from medcite.errors import MedciteError
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.privacy import scrub, without_identifiers
from medcite.settings import Settings, load_settings
from medcite.text import legible

from .conftest import write_medquad

BOUNDED = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_PIECES = st.sampled_from(
    [
        "What are the symptoms of Brindle syndrome?",
        "kidney stones",
        "\ud800",
        "\udcff",
        "\x00",
        "\u202e",
        "<script>alert(1)</script>",
        "[red]markup[/red]",
        "Mrs. JANE SMITH",
        "SSN: 123 45 6789",
        "call 555-123-4567",
        "https://x.example/y",
        "10 µg/kg",
        "\n\n",
        "  ",
    ]
)
QUESTIONS = st.lists(_PIECES | st.text(max_size=40), max_size=8).map(" ".join)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("questions")
    settings = load_settings(home=root / "home")
    library = Library(settings)
    ingest([write_medquad(root / "m.jsonl")], library)
    library.close()
    yield settings


@pytest.fixture(scope="module")
def engine(indexed: Settings) -> Iterator[Engine]:
    opened = Engine(indexed)
    yield opened
    opened.close()


@BOUNDED
@given(question=QUESTIONS)
def test_the_engine_answers_or_refuses_any_text(engine: Engine, question: str) -> None:
    try:
        answer = engine.ask(question)
    except MedciteError as exc:
        assert str(exc)  # a message that says what to do
        return
    assert legible(answer.question) == answer.question  # storable, printable
    assert len(answer.question) <= MAX_QUESTION_CHARS


@BOUNDED
@given(question=QUESTIONS)
def test_the_cli_never_shows_a_traceback(indexed: Settings, question: str) -> None:
    result = CliRunner().invoke(app, ["--home", str(indexed.home), "ask", "--json", question])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


@BOUNDED
@given(raw=st.binary(max_size=60))
def test_bytes_that_are_not_utf8_on_stdin_are_read(indexed: Settings, raw: bytes) -> None:
    result = CliRunner().invoke(app, ["--home", str(indexed.home), "ask", "--json", "-"], input=raw)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@settings(max_examples=150, deadline=None)
@given(question=QUESTIONS)
def test_scrubbing_is_total_and_keeps_no_identifier(question: str) -> None:
    scrubbed = scrub(question)
    assert scrubbed.restore(scrubbed.text) == question
    for secret in ("JANE SMITH", "123 45 6789", "555-123-4567", "https://x.example/y"):
        assert secret not in scrubbed.text
        assert secret not in without_identifiers(question)


@pytest.mark.parametrize("argument", [b"asthma \xff treatment", b"\xff\xfe", b"gout \xed\xa0\x80"])
def test_a_command_line_that_is_not_utf8_is_answered(indexed: Settings, argument: bytes) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from medcite.cli import main; main()", "--home",
         str(indexed.home), "ask", argument],
        capture_output=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr and b"Traceback" not in done.stdout


def test_a_file_whose_name_is_not_utf8_fails_by_name(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    bad = Path(folder, b"g\xffout.md".decode("utf-8", "surrogateescape"))
    bad.write_text("# Gout\n\nGout is a kind of arthritis.\n")
    library = Library(settings)
    (outcome,) = ingest([folder], library).outcomes
    library.close()
    assert outcome.status == "failed" and "not valid UTF-8" in outcome.detail
    assert legible(outcome.detail) == outcome.detail


def test_the_api_refuses_a_lone_surrogate_cleanly(indexed: Settings) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from medcite.web import create_app

    body = '{"question": "What are the symptoms of Brindle syndrome? \\ud800 \\udcff"}'
    with TestClient(create_app(indexed)) as client:
        response = client.post(
            "/api/ask", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 422  # pydantic refuses it: a problem detail, not a crash
    assert response.json()["errors"][0]["loc"] == ["body", "question"]

"""The command line, driven through Typer's runner."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.schema import AnswerPublic

runner = CliRunner()


@pytest.fixture
def ingested(corpus: Path) -> Path:
    result = runner.invoke(app, ["ingest", str(corpus)])
    assert result.exit_code == 0, result.output
    return corpus


def test_ingest_prints_a_summary_and_is_idempotent(corpus: Path) -> None:
    first = runner.invoke(app, ["ingest", str(corpus)])
    assert first.exit_code == 0
    assert "added 2" in first.output and "failed 0" in first.output
    again = runner.invoke(app, ["ingest", str(corpus)])
    assert "unchanged 2" in again.output


def test_ingest_failure_names_the_file_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    result = runner.invoke(app, ["ingest", str(bad)])
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "failed 1" in result.output


def test_ask_json_follows_the_published_schema(ingested: Path) -> None:
    result = runner.invoke(app, ["ask", "What are the symptoms of Brindle syndrome?", "--json"])
    assert result.exit_code == 0, result.output
    answer = AnswerPublic.model_validate_json(result.stdout)
    assert not answer.abstained
    numbers = {r.number for r in answer.references}
    assert all(n in numbers for c in answer.bottom_line for n in c.citations)
    assert answer.references[0].kind == "patient_education"


def test_ask_markdown_and_stdin(ingested: Path) -> None:
    result = runner.invoke(app, ["ask", "-", "--markdown"], input="What is Brindle syndrome?\n")
    assert result.exit_code == 0
    assert result.stdout.startswith("# What is Brindle syndrome?")
    assert "**Bottom line.**" in result.stdout and "## References" in result.stdout
    assert "Patient education" in result.stdout


def test_ask_on_an_empty_library_explains_what_to_do() -> None:
    result = runner.invoke(app, ["ask", "What is gout?"])
    assert result.exit_code == 1
    assert "medcite ingest" in result.output


def test_sources_and_show(ingested: Path) -> None:
    sources = runner.invoke(app, ["sources"])
    assert sources.exit_code == 0
    assert "Patient education" in sources.output and "Case report" in sources.output
    answer = json.loads(
        runner.invoke(app, ["ask", "How is valley fever treated?", "--json"]).stdout
    )
    passage_id = answer["references"][0]["passages"][0]["passage_id"]
    shown = runner.invoke(app, ["show", passage_id])
    assert shown.exit_code == 0
    assert passage_id in shown.output and "characters" in shown.output
    missing = runner.invoke(app, ["show", "nope"])
    assert missing.exit_code == 1 and "no passage" in missing.output


def test_schema_config_and_home_option(tmp_path: Path) -> None:
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    assert "bottom_line" in schema["properties"]
    config = runner.invoke(app, ["--home", str(tmp_path / "elsewhere"), "config"])
    assert config.exit_code == 0
    assert str(tmp_path / "elsewhere") in config.output


def test_bad_config_file_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "medcite.toml"
    cfg.write_text("[retrieval]\nk = -3\n")
    result = runner.invoke(app, ["--config", str(cfg), "config"])
    assert result.exit_code == 1
    assert "retrieval.k" in result.output


def test_demo_reports_a_missing_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDCITE_CORPUS__ROOT", str(tmp_path / "no-such-folder"))
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 1
    assert "corpus source not found" in result.output

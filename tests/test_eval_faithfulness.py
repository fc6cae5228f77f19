"""`medcite eval faithfulness` on a small evaluation set written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.engine import Engine
from medcite.errors import MedciteError
from medcite.eval.faithfulness import evaluate, load_questions
from medcite.eval.perturb import Perturbation
from medcite.index import Library
from medcite.settings import Settings

runner = CliRunner()

MEDIQA = """<?xml version="1.0" encoding="UTF-8"?>
<MEDIQA2019-Task3-QA-TestSet>
  <Question QID="1"><QuestionText>what are the treatments for brindle syndrome?</QuestionText>
    <AnswerList><Answer AID="1_1"><AnswerText>Beta blockers.</AnswerText></Answer></AnswerList>
  </Question>
  <Question QID="2"><QuestionText>  how do kidney
  stones form </QuestionText></Question>
</MEDIQA2019-Task3-QA-TestSet>
"""


@pytest.fixture
def eval_dir(tmp_path: Path) -> Path:
    root = tmp_path / "eval"
    (root / "bioasq").mkdir(parents=True)
    (root / "mediqa2019-task3").mkdir()
    questions = [
        {"id": "q1", "type": "summary", "body": "What are the symptoms of Brindle syndrome?"},
        {"id": "q2", "type": "summary", "body": "How is valley fever treated with fluconazole?"},
        {"id": "q3", "type": "factoid", "body": "What is the dose of zorblaxin?"},
    ]
    lines = "\n".join(json.dumps(q) for q in questions)
    (root / "bioasq" / "questions.jsonl").write_text(lines + "\n", encoding="utf-8")
    (root / "mediqa2019-task3" / "set.xml").write_text(MEDIQA, encoding="utf-8")
    return root


def test_questions_load_from_both_sets(eval_dir: Path) -> None:
    assert len(load_questions("bioasq", eval_dir)) == 3
    assert load_questions("bioasq", eval_dir, limit=1) == [
        "What are the symptoms of Brindle syndrome?"
    ]
    assert load_questions("mediqa", eval_dir) == [
        "what are the treatments for brindle syndrome?",
        "how do kidney stones form",
    ]
    with pytest.raises(MedciteError, match=r"eval\.data_dir"):
        load_questions("bioasq", eval_dir / "missing")


def test_report_counts_claims_and_catches_every_hard_perturbation(
    library: Library, settings: Settings, eval_dir: Path
) -> None:
    library.close()
    engine = Engine(settings)
    report = evaluate(engine, load_questions("bioasq", eval_dir), "bioasq")
    t = report.tally
    assert t.questions == 3 and t.abstained == 1
    assert report.claims == t.verified > 0
    assert t.numbers_checked >= 2 and t.numbers_shown == t.numbers_checked
    assert t.unresolvable_citations == 0 and t.unverified_numbers == 0
    rates = {r.kind: r for r in report.rates}
    assert rates[Perturbation.UNKNOWN_CITATION].applied == t.verified
    assert rates[Perturbation.TIMES_10].applied >= 2
    assert all(r.caught == r.applied for r in report.rates if r.kind.hard)
    assert report.passed


def test_eval_command_prints_the_table_and_writes_json(
    library: Library, eval_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.close()
    monkeypatch.setenv("MEDCITE_EVAL__DATA_DIR", str(eval_dir))
    out = tmp_path / "faithfulness.json"
    result = runner.invoke(app, ["eval", "faithfulness", "--limit", "2", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "| unresolvable citations (must be 0) | 0 |" in result.stdout
    assert "perturbation caught: dose x10 (must be 100%) | 100.0%" in result.stdout
    figures = json.loads(out.read_text())
    assert figures["questions"] == 2 and figures["passed"] is True
    assert {p["kind"] for p in figures["perturbations"]} == {k.value for k in Perturbation}
    mediqa = runner.invoke(app, ["eval", "faithfulness", "--dataset", "mediqa"])
    assert mediqa.exit_code == 0, mediqa.output
    assert "| questions (mediqa) | 2 |" in mediqa.stdout


def test_eval_command_explains_missing_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDCITE_EVAL__DATA_DIR", str(tmp_path / "nowhere"))
    result = runner.invoke(app, ["eval", "faithfulness"])
    assert result.exit_code == 1
    assert "eval.data_dir" in result.output

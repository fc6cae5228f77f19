"""`medcite eval retrieval` on small gold sets written here (the real ones live in ../shared)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.eval.datasets import load_bioasq, load_mediqa, mediqa_split, select_mediqa, split_of
from medcite.eval.fit import RECIPES, fit_reranker
from medcite.eval.mediqa import evaluate_mediqa
from medcite.eval.retrieval import CONFIGURATIONS, evaluate_bioasq
from medcite.index.embedders import EMBEDDERS
from medcite.retrieve.rerank import load_linear
from medcite.settings import load_settings

from .fakes import FakeEmbedder

runner = CliRunner()
SNIPPETS = [
    ("S1", "101", "title", "Ruxolitinib treatment and cytomegalovirus reactivation."),
    ("S2", "101", "abstract", "Patients on ruxolitinib developed CMV viremia after months."),
    ("S3", "102", "abstract", "Milvexian is an oral inhibitor of factor XIa."),
    ("S4", "103", "abstract", "Granzyme B is a serine protease released by cytotoxic cells."),
    ("S5", "104", "abstract", "Vitamin D supplementation in older adults and falls."),
]
QUESTIONS = [
    ("q1", "Does ruxolitinib cause CMV reactivation?", ["101"], ["S1", "S2"]),
    ("q2", "Which factor is inhibited by milvexian?", ["102", "999"], ["S3"]),
    ("q3", "What is granzyme B?", ["103"], ["S4"]),
]
MEDIQA = """<?xml version="1.0" encoding="UTF-8"?>
<MEDIQA2019-Task3-QA-ValidationSet>
  <Question QID="1"><QuestionText>is uveitis an autoimmune disease?</QuestionText>
    <AnswerList>
      <Answer AID="1_1" SystemRank="1" ReferenceRank="2" ReferenceScore="1">
        <AnswerText>Glaucoma damages the optic nerve.</AnswerText></Answer>
      <Answer AID="1_2" SystemRank="2" ReferenceRank="1" ReferenceScore="4">
        <AnswerText>Uveitis is eye inflammation; autoimmune disease can cause it.</AnswerText>
      </Answer>
    </AnswerList></Question>
</MEDIQA2019-Task3-QA-ValidationSet>
"""
MEDIQA_TRAIN = """<?xml version="1.0" encoding="UTF-8"?>
<MEDIQA2019-Task3-QA-TrainingSet1-LiveQAMed>
  <Question QID="7"><QuestionText>What causes glaucoma?</QuestionText>
    <AnswerList>
      <Answer AID="7_1" SystemRank="1" ReferenceRank="2" ReferenceScore="2">
        <AnswerText>Glaucoma (Symptoms): Glaucoma often has no symptoms.</AnswerText></Answer>
      <Answer AID="7_2" SystemRank="2" ReferenceRank="1" ReferenceScore="4">
        <AnswerText>Glaucoma (Causes): Pressure in the eye causes glaucoma.</AnswerText>
      </Answer>
    </AnswerList></Question>
</MEDIQA2019-Task3-QA-TrainingSet1-LiveQAMed>
"""


@pytest.fixture
def eval_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "eval"
    bioasq = folder / "bioasq"
    bioasq.mkdir(parents=True)
    corpus = [{"_id": i, "pmid": p, "section": s, "text": t} for i, p, s, t in SNIPPETS]
    (bioasq / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in corpus) + "\n")
    (bioasq / "questions.jsonl").write_text(
        "\n".join(
            json.dumps({"id": q, "type": "factoid", "body": b, "pmids": p, "snippet_ids": s})
            for q, b, p, s in QUESTIONS
        )
    )
    docs = ["query-id\tpmid\tscore"] + [f"{q}\t{p}\t1" for q, _, ps, _ in QUESTIONS for p in ps]
    snips = ["query-id\tcorpus-id\tscore"] + [
        f"{q}\t{s}\t1" for q, _, _, ss in QUESTIONS for s in ss
    ]
    (bioasq / "qrels_docs.tsv").write_text("\n".join(docs) + "\n")
    (bioasq / "qrels_snippets.tsv").write_text("\n".join(snips) + "\n")
    (folder / "mediqa2019-task3").mkdir()
    (folder / "mediqa2019-task3" / "MEDIQA-test.xml").write_text(MEDIQA)
    (folder / "mediqa2019-task3" / "MEDIQA-TrainingSet1-LiveQA.xml").write_text(MEDIQA_TRAIN)
    monkeypatch.setitem(EMBEDDERS, "fake", FakeEmbedder)
    monkeypatch.setenv("MEDCITE_EVAL__DATA_DIR", str(folder))
    monkeypatch.setenv("MEDCITE_CORPUS__ROOT", str(tmp_path / "no-corpus"))
    monkeypatch.setenv("MEDCITE_RETRIEVAL__EMBEDDER", "fake")
    return folder


def test_bioasq_reader_keeps_judgments_inside_the_pool(eval_dir: Path) -> None:
    data = load_bioasq(eval_dir / "bioasq")
    assert data.judged_pmids_missing == 1  # pmid 999 has no snippet
    q2 = data.questions[1]
    assert q2.pmids == {"102"} and q2.snippets == {"S3"}
    assert data.snippet_pmid["S2"] == "101"
    assert {split_of(q.id) for q in data.select("train")} <= {"train"}
    assert len(data.select("all", limit=2)) == 2


def test_split_is_deterministic_and_about_thirty_percent_test() -> None:
    ids = [f"question-{i}" for i in range(2000)]
    share = sum(split_of(i) == "test" for i in ids) / len(ids)
    assert 0.27 < share < 0.33
    assert [split_of(i) for i in ids[:50]] == [split_of(i) for i in ids[:50]]


def test_bioasq_evaluation_scores_every_configuration(eval_dir: Path) -> None:
    report = evaluate_bioasq(load_settings(), split="all")
    assert [r.configuration for r in report.rows] == [name for name, _ in CONFIGURATIONS]
    assert report.queries == 3
    for row in report.rows:
        assert all(0.0 <= v <= 1.0 for v in row.metrics.values())
        assert row.p50_ms is not None and row.p95_ms is not None and row.p50_ms <= row.p95_ms
    lexical = report.rows[0].metrics
    assert lexical["doc MRR@10"] == 1.0 and lexical["snip R@10"] == 1.0
    assert "without" not in report.description and "3 questions" in report.description


def test_mediqa_reader_and_its_splits(eval_dir: Path) -> None:
    questions = load_mediqa(eval_dir / "mediqa2019-task3")
    (question,) = select_mediqa(questions, "test")
    assert [a.score for a in question.answers] == [1, 4]
    assert [a.system_rank for a in question.answers] == [1, 2]
    (training,) = select_mediqa(questions, "train")
    assert training.text == "What causes glaucoma?" and training.split == "train"
    assert len(select_mediqa(questions, "all")) == 2
    assert mediqa_split("MEDIQA2019-Task3-QA-ValidationSet") == "test"
    assert mediqa_split("MEDIQA2019-Task3-QA-TestSet-wReferenceScores") == "test"
    assert mediqa_split("MEDIQA2019-Task3-QA-TrainingSet2-Alexa") == "train"


def test_cli_eval_retrieval_prints_a_table_and_writes_json(eval_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "bioasq.json"
    result = runner.invoke(
        app, ["eval", "retrieval", "--dataset", "bioasq", "--split", "all", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "bioasq" in result.output and "lexical (BM25)" in result.output, result.output
    data = json.loads(out.read_text())
    assert data["dataset"] == "bioasq" and len(data["rows"]) == len(CONFIGURATIONS)
    assert data["rows"][-1]["configuration"] == "hybrid RRF + expansion + rerank"
    assert set(data["rows"][0]) == {"configuration", "metrics", "p50_ms", "p95_ms"}


def test_cli_eval_honours_home_and_can_leave_the_distractors_out(
    eval_dir: Path, tmp_path: Path
) -> None:
    home = tmp_path / "elsewhere"
    args = ["--home", str(home), "eval", "retrieval", "--no-distractors", "--markdown"]
    result = runner.invoke(app, [*args, "--split", "all"])
    assert result.exit_code == 0, result.output
    assert "BioASQ pool alone" in result.output
    assert (home / "eval" / "bioasq-pool" / "medcite.sqlite3").is_file()
    assert not (home / "eval" / "bioasq").exists()


def test_cli_eval_mediqa_beside_the_original_order(eval_dir: Path) -> None:
    result = runner.invoke(app, ["eval", "retrieval", "--dataset", "mediqa", "--markdown"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("| ")]
    original = next(line for line in lines if "original" in line)
    assert "| 0.000 |" in original  # P@1: the system put the incorrect answer first
    lexical = next(line for line in lines if line.startswith("| lexical (BM25) |"))
    assert lexical.split("|")[4].strip() == "1.000"  # P@1 after reordering
    assert "test split, 1 questions" in result.output and "MEDIQA-test" in result.output


def test_mediqa_training_files_are_their_own_split(eval_dir: Path) -> None:
    report = evaluate_mediqa(load_settings(), split="train")
    assert report.queries == 1 and "MEDIQA-TrainingSet1-LiveQA" in report.description
    assert "MEDIQA-test" not in report.description
    reranked = next(r for r in report.rows if r.configuration == "lexical + expansion + rerank")
    assert reranked.metrics["P@1"] == 1.0  # the answer whose heading names the cause


def test_no_dense_measures_the_lexical_rows_without_embedding(eval_dir: Path) -> None:
    before = FakeEmbedder.calls
    result = runner.invoke(app, ["eval", "retrieval", "--split", "all", "--no-dense", "--markdown"])
    assert result.exit_code == 0, result.output
    assert "lexical + expansion + rerank" in result.output and "hybrid" not in result.output
    assert FakeEmbedder.calls == before


def test_fit_reranker_on_both_training_sets(eval_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reranker.json"
    fitted = fit_reranker(load_settings(), out=out)
    assert json.loads(out.read_text()) == fitted
    lexical, hybrid = fitted["lexical"], fitted["hybrid"]
    assert lexical["base"] == list(RECIPES["lexical"].features)
    assert lexical["fitted_on"]["questions"] == 2  # q2 and q3; q1 is held out
    assert lexical["fitted_on"]["mediqa"]["questions"] == 1  # never the validation file
    assert "mediqa" not in hybrid["fitted_on"] and "dense" in hybrid["base"]
    assert load_linear(out).lexical.base == RECIPES["lexical"].features


def test_fit_reranker_without_dense_keeps_the_hybrid_set(eval_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reranker.json"
    hybrid = {"fitted_on": {"dataset": "earlier"}, **load_linear().hybrid.to_json()}
    out.write_text(json.dumps({"hybrid": hybrid, "lexical": hybrid}))
    before = FakeEmbedder.calls
    result = runner.invoke(app, ["eval", "fit-reranker", "--no-dense", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "hybrid model kept" in result.output
    data = json.loads(out.read_text())
    assert data["hybrid"] == hybrid and "mediqa" in data["lexical"]["fitted_on"]
    assert FakeEmbedder.calls == before  # nothing embedded


def test_cli_eval_without_the_data_says_where_to_point(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["eval", "retrieval"], env={"MEDCITE_EVAL__DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert "eval.data_dir" in result.output

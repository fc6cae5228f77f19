"""`medcite eval ideal`: ROUGE against ideal answers, on a small BioASQ folder written here."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.answer import verdict as verdict_module
from medcite.answer.verdict import VerdictModel
from medcite.cli import app
from medcite.eval.datasets import load_bioasq
from medcite.eval.ideal import baseline_text, evaluate_ideal
from medcite.eval.retrieval import eval_settings
from medcite.eval.rouge import rouge2_f1, rouge_su4_f1, su4_f1_tokens, tokens
from medcite.index import Library
from medcite.index.embedders import EMBEDDERS
from medcite.settings import load_settings

from .fakes import FakeEmbedder

runner = CliRunner()
SNIPPETS = [
    ("S1", "101", "Sotrovimab reduced the risk of progression of Covid-19. It was well tolerated."),
    ("S2", "102", "Golimumab did not show efficacy in pulmonary sarcoidosis. Trials were small."),
    ("S3", "103", "Granzyme B is a serine protease released by cytotoxic T cells."),
    ("S4", "104", "Vitamin D supplementation in older adults did not reduce falls."),
]
QUESTIONS = [
    {
        "id": "q1",
        "type": "yesno",
        "body": "Is sotrovimab effective for Covid-19?",
        "exact_answer": "yes",
        "ideal_answer": ["Yes. Sotrovimab reduced the risk of progression of Covid-19."],
        "pmids": ["101"],
        "snippet_ids": ["S1"],
    },
    {
        "id": "q2",
        "type": "yesno",
        "body": "Is golimumab effective for sarcoidosis?",
        "exact_answer": "No",
        "ideal_answer": "No. Golimumab did not show efficacy in sarcoidosis.",
        "pmids": ["102"],
        "snippet_ids": ["S2"],
    },
    {
        "id": "q3",
        "type": "factoid",
        "body": "What is granzyme B?",
        "exact_answer": [["serine protease"]],
        "ideal_answer": ["Granzyme B is a serine protease of cytotoxic T cells."],
        "pmids": ["103"],
        "snippet_ids": ["S3"],
    },
    {
        "id": "q4",
        "type": "yesno",
        "body": "Does zorblaxin cure quantum flu?",
        "exact_answer": "no",
        "ideal_answer": ["No, zorblaxin does not cure quantum flu."],
        "pmids": ["104"],
        "snippet_ids": ["S4"],
    },
]
# States "yes" on every yes/no question that is answered: the accounting is what is tested.
ALWAYS_YES = VerdictModel((), (), (), (), 5.0, low=0.01, high=0.5)


@pytest.fixture
def bioasq_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "eval"
    bioasq = folder / "bioasq"
    bioasq.mkdir(parents=True)
    corpus = [{"_id": i, "pmid": p, "section": "abstract", "text": t} for i, p, t in SNIPPETS]
    (bioasq / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in corpus) + "\n")
    (bioasq / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n")
    docs = ["query-id\tpmid\tscore"] + [f"{q['id']}\t{q['pmids'][0]}\t1" for q in QUESTIONS]
    snips = ["query-id\tcorpus-id\tscore"] + [
        f"{q['id']}\t{q['snippet_ids'][0]}\t1" for q in QUESTIONS
    ]
    (bioasq / "qrels_docs.tsv").write_text("\n".join(docs) + "\n")
    (bioasq / "qrels_snippets.tsv").write_text("\n".join(snips) + "\n")
    monkeypatch.setitem(EMBEDDERS, "fake", FakeEmbedder)
    monkeypatch.setenv("MEDCITE_EVAL__DATA_DIR", str(folder))
    monkeypatch.setenv("MEDCITE_CORPUS__ROOT", str(tmp_path / "no-corpus"))
    monkeypatch.setenv("MEDCITE_RETRIEVAL__EMBEDDER", "fake")
    monkeypatch.setattr(verdict_module, "load_model", lambda: ALWAYS_YES)
    return folder


def test_rouge_su4_on_a_hand_checked_pair() -> None:
    # "cats eat fish" -> cat eat fish: 3 unigrams + 3 skip-bigrams, all in the reference;
    # "cats often eat fish" -> 4 unigrams + 6 skip-bigrams. P = 6/6, R = 6/10, F1 = 0.75.
    assert tokens("Cats often eat fish.") == ["cat", "often", "eat", "fish"]
    assert rouge_su4_f1("cats eat fish", ["cats often eat fish"]) == pytest.approx(0.75)
    # At most 4 words between the two words of a pair: a..f (4 between) counts, a..g does not.
    ref = list("abcdefg")  # 7 unigrams + 20 skip-bigrams = 27 units
    assert su4_f1_tokens(["a", "f"], ref) == pytest.approx(2 * 1 * (3 / 27) / (1 + 3 / 27))
    assert su4_f1_tokens(["a", "g"], ref) == pytest.approx(2 * (2 / 3) * (2 / 27) / (20 / 27))
    assert rouge_su4_f1("", ["cats eat fish"]) == 0.0
    assert rouge_su4_f1("cats eat fish", ["dogs bark", "cats eat fish"]) == pytest.approx(1.0)


def test_rouge2_is_rouge_score_with_stemming_and_the_best_reference() -> None:
    # Stemmed, "cats" is "cat": cat-sat, sat-on, on-the, the-mat are shared; each text has
    # 5 bigrams -> P = R = F1 = 0.8.
    assert rouge2_f1("The cats sat on the mat", ["a cat sat on the mat"]) == pytest.approx(0.8)
    # 4 bigrams, all among the reference's 5 -> P = 1, R = 0.8, F1 = 8/9.
    assert rouge2_f1("cats sat on the mat", ["the cat sat on the mat"]) == pytest.approx(8 / 9)
    assert rouge2_f1("cats sat", ["dogs ran", "the cats sat"]) == pytest.approx(2 / 3)
    assert rouge2_f1("", ["the cat sat"]) == 0.0


def test_the_reader_keeps_ideal_and_yes_no_answers(bioasq_dir: Path) -> None:
    data = load_bioasq(bioasq_dir / "bioasq")
    q1, q2, q3, _ = data.questions
    assert q1.ideal == ("Yes. Sotrovimab reduced the risk of progression of Covid-19.",)
    assert q2.ideal == ("No. Golimumab did not show efficacy in sarcoidosis.",)  # a string
    assert (q1.yes_no, q2.yes_no, q3.yes_no) == ("yes", "no", None)


def test_the_baseline_is_the_top_bm25_passage_first_sentences(bioasq_dir: Path) -> None:
    settings = eval_settings(load_settings(), "bioasq")
    evaluate_ideal(load_settings(), split="all", limit=1)  # builds the library
    library = Library(settings)
    try:
        text = baseline_text("Is golimumab effective for sarcoidosis?", library)
    finally:
        library.close()
    assert text == "Golimumab did not show efficacy in pulmonary sarcoidosis. Trials were small."


def test_evaluation_scores_answers_baseline_and_verdicts(bioasq_dir: Path) -> None:
    report = evaluate_ideal(load_settings(), split="all")
    assert [s.id for s in report.scored] == ["q1", "q2", "q3", "q4"]
    q1, q2, q3, q4 = report.scored
    assert q4.abstained and q4.rouge2 == 0.0 and q4.su4 == 0.0  # nothing on zorblaxin
    assert not q1.abstained and q1.rouge2 > 0.5 and q1.baseline_rouge2 > 0.5
    assert report.abstention_rate == 0.25
    assert (q1.verdict, q2.verdict, q3.verdict, q4.verdict) == ("yes", "yes", None, None)
    assert len(report.yes_no) == 3
    assert report.stated_share == pytest.approx(2 / 3)
    assert report.verdict_accuracy == 0.5 and report.verdicts_elsewhere == 0
    assert report.retrieval == "lexical + expansion + rerank"
    library = Library(eval_settings(load_settings(), "bioasq"))
    try:
        assert library.unembedded() > 0  # this evaluation never embeds the library
    finally:
        library.close()


def test_cli_eval_ideal_prints_the_table_and_writes_json(bioasq_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ideal.json"
    result = runner.invoke(
        app, ["eval", "ideal", "--split", "all", "--limit", "3", "--json", str(out), "--markdown"]
    )
    assert result.exit_code == 0, result.output
    assert "| answer | ROUGE-2 F1 | SU4 F1 | abstained | p50 ms |" in result.output
    assert "| medcite bottom line |" in result.output
    assert "yes/no questions: 2; a yes/no stated on 100.0%" in result.output
    data = json.loads(out.read_text())
    assert len(data["scored"]) == 3 and data["yes_no_questions"] == 2
    assert set(data["summary"]) >= {"ROUGE-2 F1", "ROUGE-SU4 F1", "baseline ROUGE-2 F1"}


def test_cli_eval_ideal_without_the_data_says_where_to_point(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "ideal"], env={"MEDCITE_EVAL__DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "eval.data_dir" in result.output


def test_without_rouge_score_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from medcite.errors import MissingExtra
    from medcite.eval import rouge

    monkeypatch.setitem(sys.modules, "rouge_score", None)
    rouge._rouge.cache_clear()
    try:
        with pytest.raises(MissingExtra, match=r"medcite\[eval\]"):
            rouge2_f1("cats eat fish", ["cats eat fish"])
    finally:
        rouge._rouge.cache_clear()

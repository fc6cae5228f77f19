"""Readers for the gold evaluation sets under `eval.data_dir` (read in place, never copied)."""

from __future__ import annotations

import csv
import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from medcite.errors import MedciteError

Split = Literal["train", "test", "all"]
TEST_SHARE = 30  # percent of BioASQ questions held out from fitting the reranker


def split_of(question_id: str) -> Literal["train", "test"]:
    """Deterministic split by a hash of the question id: 30 % test, 70 % train."""
    bucket = int(hashlib.sha256(question_id.encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_SHARE else "train"


@dataclass(frozen=True, slots=True)
class BioasqQuestion:
    id: str
    body: str
    type: str
    pmids: frozenset[str]  # relevant documents that are in the corpus
    snippets: frozenset[str]  # relevant snippet ids
    ideal: tuple[str, ...] = ()  # the ideal (summary) answers written by the experts
    yes_no: str | None = None  # "yes" | "no": the exact answer of a yes/no question


@dataclass(frozen=True, slots=True)
class Bioasq:
    folder: Path
    questions: tuple[BioasqQuestion, ...]
    snippet_pmid: dict[str, str]
    judged_pmids_missing: int  # judged relevant, but absent from the corpus

    @property
    def corpus(self) -> Path:
        return self.folder / "corpus.jsonl"

    def select(self, split: Split, limit: int | None = None) -> list[BioasqQuestion]:
        chosen = [q for q in self.questions if split == "all" or split_of(q.id) == split]
        return chosen[:limit] if limit else chosen


def load_bioasq(folder: Path) -> Bioasq:
    """Questions with doc- and snippet-level judgments, restricted to the corpus."""
    _require(folder, ("questions.jsonl", "corpus.jsonl", "qrels_docs.tsv", "qrels_snippets.tsv"))
    snippet_pmid: dict[str, str] = {}
    with (folder / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            snippet_pmid[str(record["_id"])] = str(record.get("pmid") or record["_id"])
    pool = set(snippet_pmid.values())
    docs = _qrels(folder / "qrels_docs.tsv")
    snippets = _qrels(folder / "qrels_snippets.tsv")
    missing = sum(len(v - pool) for v in docs.values())
    questions = []
    with (folder / "questions.jsonl").open(encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            qid = str(q["id"])
            questions.append(
                BioasqQuestion(
                    qid,
                    str(q["body"]),
                    str(q.get("type", "")),
                    frozenset(docs.get(qid, set()) & pool),
                    frozenset(snippets.get(qid, set())),
                    _ideal(q.get("ideal_answer")),
                    _yes_no(q),
                )
            )
    return Bioasq(folder, tuple(questions), snippet_pmid, missing)


def _ideal(value: object) -> tuple[str, ...]:
    """The ideal answers: a string or a list of strings in the file."""
    found = value if isinstance(value, list) else [value]
    return tuple(str(v).strip() for v in found if v and str(v).strip())


def _yes_no(record: dict[str, object]) -> str | None:
    exact = record.get("exact_answer")
    if record.get("type") != "yesno" or not isinstance(exact, str):
        return None
    answer = exact.strip().lower()
    return answer if answer in ("yes", "no") else None


def _qrels(path: Path) -> dict[str, set[str]]:
    judged: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows, None)  # header
        for row in rows:
            if len(row) >= 3 and float(row[2]) > 0:
                judged.setdefault(row[0], set()).add(row[1])
    return judged


@dataclass(frozen=True, slots=True)
class MediqaAnswer:
    id: str
    text: str
    system_rank: int  # the order the original retrieval system returned
    score: int  # expert score: 1 incorrect, 2 related, 3 incomplete, 4 excellent


@dataclass(frozen=True, slots=True)
class MediqaQuestion:
    id: str
    text: str
    answers: tuple[MediqaAnswer, ...]
    source: str  # the file's stem

    @property
    def split(self) -> Literal["train", "test"]:
        return mediqa_split(self.source)


def mediqa_split(file_stem: str) -> Literal["train", "test"]:
    """The training files (LiveQA, Alexa) may be fitted on; every other file (the validation
    set, a test set dropped beside them) is held out."""
    return "train" if "trainingset" in file_stem.lower() else "test"


def select_mediqa(
    questions: list[MediqaQuestion], split: Split, limit: int | None = None
) -> list[MediqaQuestion]:
    """The split's questions that have candidate answers, at most `limit` of them."""
    chosen = [q for q in questions if q.answers and split in ("all", q.split)]
    return chosen[:limit] if limit else chosen


def load_mediqa(folder: Path) -> list[MediqaQuestion]:
    """Every question of every MEDIQA 2019 task 3 XML file in the folder."""
    files = sorted(folder.glob("*.xml"))
    if not files:
        raise MedciteError(f"no MEDIQA XML files in {folder}; set eval.data_dir")
    questions = []
    for path in files:
        root = ET.parse(path).getroot()
        for q in root.iter("Question"):
            answers = tuple(
                MediqaAnswer(
                    a.get("AID", ""),
                    (a.findtext("AnswerText") or "").strip(),
                    int(a.get("SystemRank", "0")),
                    int(a.get("ReferenceScore", "1")),
                )
                for a in q.iter("Answer")
            )
            text = (q.findtext("QuestionText") or "").strip()
            questions.append(
                MediqaQuestion(f"{path.stem}:{q.get('QID')}", text, answers, path.stem)
            )
    return questions


def _require(folder: Path, names: tuple[str, ...]) -> None:
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise MedciteError(
            f"{folder} lacks {', '.join(missing)}; point eval.data_dir "
            "(MEDCITE_EVAL__DATA_DIR) at the folder holding bioasq/ and mediqa2019-task3/"
        )

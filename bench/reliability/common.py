"""What the reliability trials share: child processes running medcite, synthetic corpora with a
version marker in every record, and the store = index = vectors check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import medcite
from medcite.maintenance.check import check
from medcite.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SRC = Path(medcite.__file__).resolve().parents[1]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this process's medcite first on its path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDCITE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(ROOT), env.get("PYTHONPATH", "")])
    return {**env, **extra}


def start_child(
    code: str, *args: str, capture: bool = False, **env: str
) -> subprocess.Popen[bytes]:
    """A Python child running `code` (dedented) with `args` as sys.argv[1:]; its standard
    output is captured when asked (else dropped), its errors always."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=child_env(**env),
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@dataclass
class Tally:
    """Counts of named outcomes, and a few examples of the bad ones."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def add(self, outcome: str, example: str = "") -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if example and len(self.examples) < 5:
            self.examples.append(example)

    def __getitem__(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)

    def line(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))


def write_corpus(folder: Path, version: str, records: int = 2500, texts: int = 6) -> Path:
    """A MedQuAD-style file of `records` records and `texts` Markdown files, every record
    and paragraph carrying the word `version` (old and new are told apart by it)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {
                "source": "GARD",
                "qid": f"R{i}",
                "qtype": "information",
                "question": f"What is condition {i} ?",
                "answer": f"Condition {i} is a {version} disorder of the skin. "
                f"It affects {i % 97 + 1} in 10,000 people and is {version}.",
            }
        )
        for i in range(records)
    ]
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for t in range(texts):
        paragraphs = [f"Topic {t} paragraph {p} is {version} text." for p in range(40)]
        body = f"# Topic {t}\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"topic-{t}.md").write_text(body, encoding="utf-8")
    return folder


def consistent(settings: Settings) -> tuple[bool, str]:
    """Whether store = lexical index = vectors (`medcite check`'s own comparison)."""
    report = check(settings)
    bad = [f"{f.part}: {f.detail}" for f in report.findings if not f.ok and f.part != "permissions"]
    return not bad, "; ".join(bad)


def fresh_copy(template: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target)
    return target

"""Shared fixtures: an isolated data directory and a small corpus written for the tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings, load_settings

SHARED = Path(__file__).resolve().parents[2] / "shared"

# Invented, NIH-style patient-education answers (not copied from MedQuAD).
MEDQUAD_RECORDS = [
    {
        "source": "GARD",
        "qid": "T1-1",
        "qtype": "information",
        "focus": "Brindle syndrome",
        "url": "https://example.org/brindle",
        "question": "What is (are) Brindle syndrome ?",
        "answer": "Brindle syndrome is a rare genetic disorder that affects the skin and the "
        "heart. Most people with Brindle syndrome are diagnosed in childhood.",
    },
    {
        "source": "GARD",
        "qid": "T1-2",
        "qtype": "symptoms",
        "focus": "Brindle syndrome",
        "url": "https://example.org/brindle",
        "question": "What are the symptoms of Brindle syndrome ?",
        "answer": "What are the signs and symptoms of Brindle syndrome? Signs and symptoms of "
        "Brindle syndrome may include patchy skin pigmentation, an irregular heartbeat and "
        "easy bruising.\n    Some affected people also have hearing loss that begins in early "
        "adulthood.",
    },
    {
        "source": "GHR",
        "qid": "T2-1",
        "qtype": "symptoms",
        "focus": "Brindle syndrome",
        "url": "https://example.org/ghr/brindle",
        "question": "What are the symptoms of Brindle syndrome ?",
        "answer": "Signs and symptoms of Brindle syndrome may include patchy skin pigmentation, "
        "an irregular heartbeat and easy bruising. The heart problems usually appear in the "
        "teenage years.",
    },
    {
        "source": "GARD",
        "qid": "T1-3",
        "qtype": "treatment",
        "focus": "Brindle syndrome",
        "url": "https://example.org/brindle",
        "question": "What are the treatments for Brindle syndrome ?",
        "answer": "Treatment of Brindle syndrome focuses on the heart rhythm problems. Beta "
        "blockers are often used as the first treatment for the irregular heartbeat. Regular "
        "monitoring with an electrocardiogram every 12 months is recommended.",
    },
    {
        "source": "NIDDK",
        "qid": "T3-1",
        "qtype": "information",
        "focus": "Kidney stones",
        "url": "https://example.org/stones",
        "question": "What is (are) Kidney stones ?",
        "answer": "A kidney stone is a solid piece of material that forms in the kidney from "
        "substances in the urine. Drinking enough fluid each day helps prevent kidney stones.",
    },
]

CASE_REPORT = """Here, we describe a case of valley fever with pulmo\u2010
nary nodules in a 52-year-old man, who was treated with fluconazole. Coccidioidomycosis is
a fungal infec\u2010
tion acquired by inhaling spores, and anti-
fungal therapy is not always needed.

 The patient received fluconazole (400 mg once daily) for six months. His cough re\u2010
solved and the nodules shrank on imaging.

Fig. 1  Chest radiograph on admission showing two nodules.

At a 3-month follow-up, he remained well without relapse.
"""


def write_medquad(path: Path, records: list[dict[str, str]] | None = None) -> Path:
    lines = [json.dumps(r) for r in (records or MEDQUAD_RECORDS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data directory; no user config leaks in."""
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MEDCITE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder with a MedQuAD-style file and a PDF-extracted case report."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_medquad(folder / "medquad.jsonl")
    (folder / "valley-fever.txt").write_text(CASE_REPORT, encoding="utf-8")
    return folder


@pytest.fixture
def library(settings: Settings, corpus: Path) -> Iterator[Library]:
    lib = Library(settings)
    report = ingest([corpus], lib)
    assert report.count("failed") == 0, report.outcomes
    yield lib
    lib.close()

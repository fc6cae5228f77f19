"""Guideline summaries (Markdown + registry.json) and the renal dose table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcite.engine import Engine
from medcite.errors import MalformedSource
from medcite.grades import grade_in
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings
from medcite.sources.base import ParsedDocument, SourceFile
from medcite.sources.guidelines import GuidelineSummaryReader
from medcite.sources.registry import reader_for
from medcite.sources.renal_table import RenalTableReader
from medcite.types import DocKind, PassageKind

from .conftest import SHARED

TOPIC = """# Brindle Syndrome Rhythm Control — BSS 2022

## Initial Therapy

Beta blockers are recommended as first-line therapy for the irregular heartbeat of Brindle \
syndrome (Strong, High).

### Dosing

**Adults:**
- **Zephyrin:** Start 25 mg twice daily.
  - *Dose Reduction:* Reduce to 10 mg twice daily if CrCl < 30 mL/min.
- Reassess the heart rhythm after 4 weeks (Conditional, Low certainty).

| Stage | Heart rate target |
| :--- | :--- |
| **Stage 1** | < 110 bpm |
| Stage 2 | < 80 bpm |

> **OpenMedicine Calculator:** `calculate_brindle` — available via MCP for automated scoring.
"""
REGISTRY = [
    {
        "id": "bss_brindle_2022",
        "title": "2022 BSS Guideline for the Management of Brindle Syndrome",
        "doi": "10.9999/bss.2022.001",
        "year": 2022,
        "organization": "BSS",
    }
]
RENAL = {
    "zephyrin": {
        "drug_name": "zephyrin",
        "brand_names": ["Zephyra"],
        "drug_class": "antiarrhythmic",
        "route": "PO",
        "normal_dose": "25 mg PO BID",
        "label_renal_metric": "egfr",
        "requires_tdm": False,
        "monitoring_parameters": ["ECG every 3 months"],
        "source_description": "BSS Guideline 2022; Zephyra label 2021.",
        "source_doi": "10.9999/bss.2022.001",
        "tiers": [
            {"min": 60, "max": None, "dose": "25 mg PO BID", "adjustment_type": "no_adjustment"},
            {
                "min": 30,
                "max": 59,
                "dose": "10 mg PO BID",
                "adjustment_type": "dose_reduction",
                "warnings": ["Monitor QTc"],
            },
            {
                "min": 0,
                "max": 29,
                "dose": "Contraindicated",
                "adjustment_type": "contraindicated",
                "dialysis_note": "Avoid in dialysis",
            },
        ],
    }
}


@pytest.fixture
def guidelines(tmp_path: Path) -> Path:
    root = tmp_path / "guidelines"
    folder = root / "open-medicine" / "bss_brindle_2022"
    folder.mkdir(parents=True)
    (folder / "rhythm_control.md").write_text(TOPIC, encoding="utf-8")
    (root / "open-medicine" / "registry.json").write_text(json.dumps(REGISTRY))
    (root / "renal_dose_adjustments.json").write_text(json.dumps(RENAL))
    stray = root / "open-medicine" / "not_registered"
    stray.mkdir()
    (stray / "notes.md").write_text("# Notes\n\nA stray note about Brindle syndrome.\n")
    return root


def read_one(path: Path) -> ParsedDocument:
    data = path.read_bytes()
    (doc,) = reader_for(path, data[:4096]).read(SourceFile(path, data))
    assert isinstance(doc, ParsedDocument)
    return doc


def test_a_topic_is_a_guideline_summary_citing_its_guideline(guidelines: Path) -> None:
    doc = read_one(guidelines / "open-medicine/bss_brindle_2022/rhythm_control.md")
    assert doc.kind == DocKind.GUIDELINE_SUMMARY
    assert doc.title == "Brindle Syndrome Rhythm Control — BSS 2022"
    assert "Summary of the BSS guideline (2022)" in doc.source
    assert "not the guideline's own text" in doc.source
    assert doc.extra["doi"] == "10.9999/bss.2022.001" and doc.extra["year"] == "2022"
    assert doc.extra["organisation"] == "BSS"
    sections = [b.section for b in doc.blocks]
    assert sections[0] == "Initial Therapy"
    assert "Initial Therapy — Dosing — Adults" in sections
    texts = [b.text for b in doc.blocks]
    assert (
        "Zephyrin: Start 25 mg twice daily. Dose Reduction: Reduce to 10 mg twice daily if "
        "CrCl < 30 mL/min." in texts
    )
    (table,) = [b for b in doc.blocks if b.kind == PassageKind.TABLE]
    assert table.text.split("\n") == [
        "Stage | Heart rate target",
        "Stage 1 | < 110 bpm",
        "Stage 2 | < 80 bpm",
    ]
    assert not any("MCP" in t for t in texts)
    assert grade_in(texts[0]) == "Strong, High"


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        (
            "Use X (Strong recommendation, Moderate quality of evidence).",
            "Strong recommendation, Moderate quality of evidence",
        ),
        (
            "Use X (Conditional, Very Low to Moderate Certainty).",
            "Conditional, Very Low to Moderate Certainty",
        ),
        ("Use X (Ungraded Good Practice Statement).", "Ungraded Good Practice Statement"),
        ("Use X (Class III: No Benefit).", "Class III: No Benefit"),
        # a risk band in parentheses is not a grade
        ("Score 2 (Moderate risk, 30-day mortality ~9.2%): admit.", None),
    ],
)
def test_grades_as_printed_and_nothing_else(text: str, grade: str | None) -> None:
    assert grade_in(text) == grade


def test_a_markdown_file_outside_the_registry_is_plain_text(guidelines: Path) -> None:
    path = guidelines / "open-medicine/not_registered/notes.md"
    assert not GuidelineSummaryReader().accepts(path, path.read_bytes())
    assert read_one(path).kind is None


def test_the_renal_table_is_a_document_per_drug_with_a_tier_table(guidelines: Path) -> None:
    doc = read_one(guidelines / "renal_dose_adjustments.json")
    assert doc.extra["doi"] == "10.9999/bss.2022.001"
    assert doc.title == "Renal dose adjustment: zephyrin (Zephyra)"
    tiers = [b.text for b in doc.blocks if b.kind == PassageKind.TABLE]
    assert tiers[1] == (
        "Zephyrin, eGFR 30–59 mL/min/1.73 m²: 10 mg PO BID (dose reduction). Warnings: Monitor QTc."
    )


def test_bad_renal_tables_fail_with_their_name(tmp_path: Path) -> None:
    path = tmp_path / "renal.json"
    path.write_text('{"x": {"drug_name": "x", "tiers": [ ')
    with pytest.raises(MalformedSource, match=r"renal\.json"):
        list(RenalTableReader().read(SourceFile(path, path.read_bytes())))
    path.write_text("[" * 100_000)  # found by the fuzzer: nested past Python's recursion limit
    with pytest.raises(MalformedSource, match=r"renal\.json"):
        list(RenalTableReader().read(SourceFile(path, path.read_bytes())))


def test_an_answer_shows_the_grade_and_the_guideline(settings: Settings, guidelines: Path) -> None:
    lib = Library(settings)
    report = ingest([guidelines], lib)
    assert {o.path.name: o.status for o in report.outcomes}["registry.json"] == "skipped"
    lib.close()
    answer = Engine(settings).ask("What is the first-line therapy for Brindle syndrome?")
    graded = [c for c in answer.claims if c.grade]
    assert graded and graded[0].grade == "Strong, High"
    reference = answer.references[0].document
    assert reference.kind == DocKind.GUIDELINE_SUMMARY
    assert (reference.doi, reference.year) == ("10.9999/bss.2022.001", 2022)
    assert "BSS guideline" in reference.source


def test_a_changed_registry_rereads_its_summaries(settings: Settings, guidelines: Path) -> None:
    lib = Library(settings)
    ingest([guidelines], lib)
    registry = guidelines / "open-medicine" / "registry.json"
    registry.write_text(json.dumps([{**REGISTRY[0], "year": 2023}]))
    report = ingest([guidelines], lib)
    status = {o.path.name: o.status for o in report.outcomes}
    assert status["rhythm_control.md"] == "updated"
    assert status["renal_dose_adjustments.json"] == "unchanged"


SHARED_GUIDELINES = SHARED / "data/corpus/guidelines"


@pytest.mark.skipif(not SHARED_GUIDELINES.is_dir(), reason="shared guidelines not present")
def test_the_shared_summaries_read_with_grades_and_dois() -> None:
    doc = read_one(SHARED_GUIDELINES / "open-medicine/acc_aha_af_2023/anticoagulation.md")
    assert doc.extra["doi"] == "10.1161/CIR.0000000000001193" and doc.extra["year"] == "2023"
    assert any(grade_in(b.text) == "Class I" for b in doc.blocks)
    renal = [
        d
        for d in RenalTableReader().read(
            SourceFile(
                SHARED_GUIDELINES / "renal_dose_adjustments.json",
                (SHARED_GUIDELINES / "renal_dose_adjustments.json").read_bytes(),
            )
        )
    ]
    assert len(renal) == 23 and all(d.extra.get("doi") for d in renal)


@pytest.mark.parametrize("mark", ["[", "*", "_", "`"])
def test_a_run_of_markdown_marks_is_read_in_linear_time(tmp_path: Path, mark: str) -> None:
    """Found by the fuzzer: link and emphasis patterns were quadratic in a run of marks."""
    from medcite.eval.mutate import read_hostile

    data = f"# Gout\n\n## Treatment\n\n- Colchicine {mark * 70_000} works.\n".encode()
    reader = GuidelineSummaryReader()
    assert read_hostile(reader, Path("seed.md"), data, budget_s=3.0).outcome == "read"

"""Checks against the patient's own medicines: renal dose tiers and interactions."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.answer.interactions import class_forms, drug_classes
from medcite.answer.patient_checks import INTERACTION_SECTION, RENAL_SECTION
from medcite.clinical.bands import find_bands, place
from medcite.engine import Engine
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings
from medcite.sources.base import SourceFile
from medcite.sources.renal_table import RenalTableReader
from medcite.types import Answer, DrugUse

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_TABLE = SHARED / "data/corpus/guidelines/renal_dose_adjustments.json"
TABLE = {
    "vancomycin": {
        "drug_name": "vancomycin",
        "brand_names": ["Vancocin"],
        "drug_class": "antibiotic",
        "route": "IV",
        "label_renal_metric": "crcl",
        "normal_dose": "15-20 mg/kg IV q8-12h",
        "source_doi": "10.1093/cid/ciz895",
        "source_description": "Vancomycin monitoring guideline (test fixture).",
        "evidence_level": "Clinical Practice Guideline",
        "tiers": [
            {"min": 50, "max": None, "dose": "15-20 mg/kg IV q8-12h", "warnings": []},
            {"min": 30, "max": 49, "dose": "15-20 mg/kg IV q12h", "warnings": ["Monitor AUC"]},
            {"min": 10, "max": 29, "dose": "15-20 mg/kg IV q24-48h", "warnings": []},
            {"min": 0, "max": 9, "dose": "15-20 mg/kg IV; redose by levels only"},
        ],
    },
    "metformin": {
        "drug_name": "metformin",
        "label_renal_metric": "egfr",
        "source_doi": "10.2337/dc24-S009",
        "evidence_level": "Clinical Practice Guideline",
        "tiers": [
            {"min": 45, "max": None, "dose": "500-2000 mg PO daily"},
            {"min": 30, "max": 44, "dose": "Maximum 1000 mg PO daily"},
            {"min": 0, "max": 29, "dose": "Contraindicated"},
        ],
    },
}
LABEL = """# Cialis (tadalafil) tablets

## Contraindications

Administration of CIALIS to patients using any form of organic nitrate is contraindicated.

## Drug Interactions

Nitrates: CIALIS potentiates the hypotensive effect of nitrates.
Strong CYP3A4 inhibitors (e.g., ketoconazole, ritonavir) increase tadalafil exposure.

## Patient Information

Do not take CIALIS if you take medicines called nitrates (such as nitroglycerin).
"""


def test_bands_as_sources_write_them() -> None:
    bands = find_bands(
        "No dose adjustment for mild (CLcr=50–80 mL/min); in severe (creatinine clearance "
        "<30 mL/minute) start at 25 mg. eGFR ≥ 45: usual dose. CrCl 30 to 59 mL/min."
    )
    assert [(b.metric, b.low, b.high) for b in bands] == [
        ("CrCl", 50, 80),
        ("CrCl", 0, 30),
        ("eGFR", 45, math.inf),
        ("CrCl", 30, 59),
    ]


@pytest.mark.parametrize(
    ("value", "shown", "edge"),
    [
        (70, ["CrCl ≥ 50"], False),
        (40, ["CrCl 30–49"], False),
        (20, ["CrCl 10–29"], False),
        (5, ["CrCl 0–9"], False),
        (29.6, ["CrCl 10–29", "CrCl 30–49"], True),  # between two bands' limits
        (30, ["CrCl 10–29", "CrCl 30–49"], True),  # on a limit
        (49, ["CrCl 30–49", "CrCl ≥ 50"], True),
    ],
)
def test_a_value_on_or_between_limits_is_shown_against_both(
    value: float, shown: list[str], edge: bool
) -> None:
    bands = find_bands("CrCl ≥ 50; CrCl 30–49; CrCl 10–29; CrCl 0–9")
    placement = place(value, bands)
    assert [b.text for b in placement.bands] == shown and placement.edge is edge


def test_the_renal_table_reader_keeps_drug_band_and_doi(tmp_path: Path) -> None:
    path = tmp_path / "renal.json"
    path.write_text(json.dumps(TABLE))
    docs = list(RenalTableReader().read(SourceFile(path, path.read_bytes())))
    vanco = docs[0]
    assert vanco.title == "Renal dose adjustment: vancomycin (Vancocin)"
    assert vanco.extra["doi"] == "10.1093/cid/ciz895" and vanco.extra["renal_metric"] == "crcl"
    rows = [b.text for b in vanco.blocks if b.standalone]
    assert len(rows) == 4 and rows[1].startswith("Vancomycin, CrCl 30–49 mL/min: 15-20 mg/kg")
    assert docs[1].blocks[1].text.startswith("Metformin, eGFR ≥ 45 mL/min/1.73 m²")


@pytest.mark.skipif(not SHARED_TABLE.is_file(), reason="needs ../shared (the renal table)")
def test_the_shared_renal_table_reads_one_document_per_drug() -> None:
    docs = list(RenalTableReader().read(SourceFile(SHARED_TABLE, SHARED_TABLE.read_bytes())))
    table = json.loads(SHARED_TABLE.read_text())
    assert len(docs) == len(table) and all(d.extra.get("doi") for d in docs)
    for doc, entry in zip(docs, table.values(), strict=True):
        rows = [b for b in doc.blocks if b.standalone]
        assert len(rows) == len(entry["tiers"])
        assert all(find_bands(r.text) for r in rows)  # every tier states its band


def test_drug_classes_come_from_the_index_text() -> None:
    nitro = DrugUse("nitroglycerin", mentions=("nitroglycerin",))
    texts = ["Do not take it if you take medicines called nitrates (such as nitroglycerin)."]
    assert drug_classes(nitro, texts) == ("nitrates",)
    keto = DrugUse("ketoconazole", mentions=("ketoconazole",))
    found = drug_classes(keto, ["Strong CYP3A4 inhibitors (e.g., ketoconazole) raise levels."])
    assert "cyp3a4 inhibitors" in class_forms(found) and "inhibitors" not in class_forms(found)
    assert drug_classes(keto, ["Nothing about classes here."]) == ()


@pytest.fixture
def engine(settings: Settings, tmp_path: Path) -> Iterator[Engine]:
    table = tmp_path / "renal.json"
    table.write_text(json.dumps(TABLE))
    label = tmp_path / "cialis.md"
    label.write_text(LABEL)
    library = Library(settings)
    ingest([table, label], library)
    library.close()
    engine = Engine(settings)
    yield engine
    engine.close()


def _section(answer: Answer, key: str) -> tuple[list[str], str]:
    section = next(s for s in answer.sections if s.key == key)
    return [c.text for c in section.claims], section.note or ""


@pytest.mark.parametrize(
    ("creatinine", "tier"),
    [
        ("0.9", "CrCl ≥ 50 mL/min"),  # CrCl 70
        ("1.6", "CrCl 30–49 mL/min"),  # CrCl 39.4
        ("2.5", "CrCl 10–29 mL/min"),  # CrCl 25.2
        ("9.0", "CrCl 0–9 mL/min"),  # CrCl 7.0
    ],
)
def test_each_band_gets_its_tier_quoted_and_cited(
    engine: Engine, creatinine: str, tier: str
) -> None:
    question = f"A 70-year-old man, 72 kg, creatinine {creatinine} mg/dL, on vancomycin. Dose?"
    answer = engine.ask(question)
    quoted, note = _section(answer, RENAL_SECTION)
    assert len(quoted) == 1 and quoted[0].startswith(f"Vancomycin, {tier}:")
    claim = next(c for s in answer.sections for c in s.claims if c.section == RENAL_SECTION)
    assert claim.citations and claim.support[0].exact
    assert "Cockcroft–Gault" in (claim.frame or "") and "never computes a dose" in note
    cited = {p.text for r in answer.references for p in r.passages}
    for number in re.findall(r"\d+(?:\.\d+)?", quoted[0]):
        assert any(number in text for text in cited)  # no dose number the source lacks
    # no other section shows another value's tier as if it were this patient's dose
    elsewhere = [c.text for s in answer.sections if s.key != RENAL_SECTION for c in s.claims]
    assert not any(t.startswith("Vancomycin, CrCl") for t in elsewhere)


def test_asked_about_kidney_function_the_patients_tier_leads(engine: Engine) -> None:
    answer = engine.ask("My patient's creatinine clearance has come back at 39. Vancomycin dose?")
    assert answer.bottom_line[0].text.startswith("Vancomycin, CrCl 30–49 mL/min:")
    assert not any("CrCl ≥ 50" in c.text for c in answer.bottom_line)


def test_a_drug_without_an_entry_gets_the_no_source_line(engine: Engine) -> None:
    question = "A 70-year-old man, 72 kg, creatinine 1.6 mg/dL, on vancomycin and Cialis. Dose?"
    answer = engine.ask(question)
    quoted, note = _section(answer, RENAL_SECTION)
    assert all(q.startswith("Vancomycin") for q in quoted)
    assert "tadalafil: no indexed source gives a dose" in note


def test_interactions_by_class_and_the_no_mention_line(engine: Engine) -> None:
    answer = engine.ask("He takes Cialis, nitroglycerin and vancomycin. Is that safe?")
    quoted, note = _section(answer, INTERACTION_SECTION)
    assert any("hypotensive effect of nitrates" in q for q in quoted)
    assert "vancomycin: no indexed source mentions this pair" in note
    assert "no interaction" not in note.replace("no indexed source", "")

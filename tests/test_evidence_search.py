"""Reaching the evidence: names spelt out from the library, misspellings, section neighbours,
boxed warnings, and the writer's reserve bottom line."""

from __future__ import annotations

import json
from pathlib import Path

from medcite.answer.compose import settle_bottom_line
from medcite.answer.extractive import BOTTOM_LINE, RESERVE
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.retrieve.acronyms import long_form, other_names, spelled_out
from medcite.retrieve.neighbours import with_boxed_warnings, with_neighbours
from medcite.settings import Settings
from medcite.types import Claim, ClaimStatus, DocKind, Document, Hit, Passage, PassageKind
from medcite.understand.spelling import correction

RECORDS = [
    (
        "A1",
        "Zorbic syndrome",
        "Zorbic syndrome, often called hereditary nonpolyposis zorbic "
        "colitis (HNZC), is an inherited disorder. People with HNZC have colon polyps.",
    ),
    ("A2", "Zorbic syndrome", "Variations in the ZRB1 gene cause Zorbic syndrome."),
    ("B1", "Shingles", "Shingles (herpes zoster) is a painful rash."),
    ("B2", "Shingles", "Older adults get shingles (herpes zoster) more often."),
]


def _library(settings: Settings, tmp_path: Path) -> Library:
    path = tmp_path / "medquad.jsonl"
    rows = [
        {
            "source": "GARD",
            "qid": qid,
            "qtype": "information",
            "focus": focus,
            "url": f"https://example.org/{qid}",
            "question": f"What is (are) {focus} ?",
            "answer": answer,
        }
        for qid, focus, answer in RECORDS
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    library = Library(settings)
    ingest([path], library)
    return library


def test_an_acronym_is_spelt_out_as_the_library_defines_it(
    settings: Settings, tmp_path: Path
) -> None:
    library = _library(settings, tmp_path)
    try:
        assert spelled_out("HNZC", library) == (
            "hereditary nonpolyposis zorbic colitis",
            "zorbic syndrome",
        )
        assert other_names("herpes zoster", library) == ("shingles",)
    finally:
        library.close()


def test_long_forms_are_matched_letter_by_letter() -> None:
    assert long_form("ADPKD", "The autosomal dominant polycystic kidney disease ") == (
        "autosomal dominant polycystic kidney disease"
    )
    assert long_form("FMF", "a common illness ") is None


def test_a_misspelling_is_read_as_the_word_the_library_uses() -> None:
    indexed = {"therapi": 40, "genom": 12, "myositi": 3}
    df = lambda term: indexed.get(term, 0)  # noqa: E731
    assert correction("threapy", df) == "therapy"
    assert correction("mysositis", df) == "myositis"
    assert correction("velorbatide", df) is None  # an unknown name stays unknown
    assert correction("therapy", df) is None  # nothing to correct


def _passage(pid: str, seq: int, section: str, kind: PassageKind = PassageKind.TEXT) -> Passage:
    doc = Document("label", "Zorbitol (zorbitolam)", DocKind.DRUG_LABEL, "FDA SPL", "o", "v")
    return Passage(pid, doc, seq, f"text {pid}", 0, 9, section, kind)


def test_a_section_brings_its_table_and_a_label_its_boxed_warning() -> None:
    boxed = _passage("box", 0, "Boxed Warning")
    dose = _passage("dose", 3, "Dosage & Administration")
    table = _passage("table", 4, "Dosage & Administration", PassageKind.TABLE)
    other = _passage("other", 9, "Clinical Studies")
    store = [boxed, dose, table, other]

    def passages_of(ids: object) -> list[Passage]:
        return store

    hits = with_neighbours([Hit(dose, 1.0, 1)], passages_of)
    assert [h.passage.id for h in hits] == ["dose", "table"]
    import re

    named = re.compile("zorbitolam", re.I)
    with_boxed = with_boxed_warnings(hits, passages_of, named)
    assert [h.passage.id for h in with_boxed] == ["dose", "table", "box"]
    assert with_boxed_warnings(hits, passages_of, None) == hits


def test_a_reserve_stands_in_only_when_the_whole_bottom_line_was_removed() -> None:
    reserve = Claim("Next best.", ("p",), RESERVE, status=ClaimStatus.VERIFIED)
    section = Claim("Next best.", ("p",), "symptoms")
    settled = settle_bottom_line([reserve, section])
    assert [(c.text, c.section) for c in settled] == [("Next best.", BOTTOM_LINE)]
    bottom = Claim("Best.", ("p",), BOTTOM_LINE)
    assert settle_bottom_line([bottom, reserve]) == [bottom]

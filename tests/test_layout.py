import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medcite.ingest.clean import normalize_chars
from medcite.ingest.layout import blocks_from_text, break_paragraphs_at_short_lines
from medcite.types import PassageKind

from .conftest import SHARED


def test_normalize_chars_keeps_numbers_and_restores_lost_exponents() -> None:
    assert normalize_chars("ﬁbrosis\u00a0and 10⁹ cells") == "fibrosis and 10^9 cells"
    assert normalize_chars("platelets 71×10 9 L–1") == "platelets 71×10^9/L"
    assert normalize_chars("1.58×105 copies/mL") == "1.58×10^5 copies/mL"
    assert normalize_chars("soft\u00adhyphen") == "softhyphen"


def test_line_break_hyphens_join_words_but_real_hyphens_stay() -> None:
    text = "an infec\u2010\ntion treated with anti-\ninfective drugs and IL-\n6 blockade.\n"
    (block,) = blocks_from_text(text)
    assert block.text == "an infection treated with anti-infective drugs and IL-6 blockade."


def test_ascii_hyphen_is_joined_when_the_document_uses_the_whole_word() -> None:
    text = "The treat-\nment failed.\n\nA second treatment worked.\n"
    assert blocks_from_text(text)[0].text == "The treatment failed."


def test_one_cell_per_line_table_becomes_one_table_block() -> None:
    text = (
        "Results were clear.\n\nTable 1  Blood counts\n\nTest\n\nDay 1\n\nDay 2\n\n"
        "Hemoglo\u2011\nbin (g/L)\n\n80\n\n55\n\nPlatelets\n(×109 L-1)\n\n71\n\n52\n\n"
        "Next paragraph starts here with a long sentence that is clearly prose text.\n"
    )
    blocks = blocks_from_text(normalize_chars(text))
    tables = [b for b in blocks if b.kind == PassageKind.TABLE]
    assert len(tables) == 1
    assert tables[0].standalone
    assert "Hemoglobin (g/L) | 80 | 55" in tables[0].text
    assert "Platelets (×10^9/L) | 71 | 52" in tables[0].text
    assert blocks[-1].text.startswith("Next paragraph")


def test_caption_interrupting_a_sentence_is_moved_and_the_sentence_rejoined() -> None:
    text = (
        "It was incorporated as\n"
        "Fig. 3  Bone marrow sample. (a) Day 3.\n"
        " part of a salvage regimen in most patients.\n"
    )
    blocks = blocks_from_text(text)
    assert blocks[0].text == "It was incorporated as part of a salvage regimen in most patients."
    assert blocks[1].kind == PassageKind.CAPTION
    assert blocks[1].text.startswith("Fig. 3")


def test_page_furniture_and_headings() -> None:
    page = "Journal of Tests 2024\n12\nIntroduction\n\nBody text of the page goes here.\n\n"
    blocks = blocks_from_text(page * 3)
    assert all("Journal of Tests" not in b.text for b in blocks)
    assert all(b.text != "12" for b in blocks)
    assert {b.section for b in blocks} == {"Introduction"}


def test_markdown_headings_and_lists() -> None:
    blocks = blocks_from_text("# Title\n\n## Dosing\n\n- 5 mg daily\n- 10 mg max\n", markdown=True)
    assert [b.text for b in blocks] == ["5 mg daily", "10 mg max"]
    assert blocks[0].section == "Dosing"


@pytest.mark.skipif(not (SHARED / "seeds").exists(), reason="shared seeds not present")
def test_seed_case_report_is_cleaned() -> None:
    raw = (SHARED / "seeds" / "004_9451d828407b2fcc.txt").read_text(encoding="utf-8")
    blocks = blocks_from_text(normalize_chars(raw))
    text = "\n".join(b.text for b in blocks)
    assert "\u2010" not in text
    for word in ("infection", "treatment", "immunocompromised", "anti-infective", "IL-6", "IL-10"):
        assert word in text
    assert "Zhejiang University School of Medicine" in text
    tables = [b for b in blocks if b.kind == PassageKind.TABLE]
    assert len(tables) == 1 and "Hemoglobin (g/L) | 80 | 55 | 45 | 40 | 52 | 79" in tables[0].text
    assert sum(b.kind == PassageKind.CAPTION for b in blocks) == 3
    assert "incorporated as part of a salvage regimen" in text


def test_short_sentence_final_lines_end_paragraphs_in_pdf_text() -> None:
    lines = [
        "The first paragraph runs across several lines of text in",
        "a column of a journal page, and it keeps going for a bit",
        "until it ends here.",
        "A second paragraph begins with a capital and continues on",
        "for another full line of text before it also stops.",
    ]
    out = break_paragraphs_at_short_lines(lines)
    assert out[3] == "" and out.count("") == 1
    blocks = blocks_from_text("\n".join(out))
    assert [b.text[:12] for b in blocks] == ["The first pa", "A second par"]


def test_table_without_blank_lines_takes_one_cell_per_line() -> None:
    text = "Table 2  Ferritin\nTest\nResult\nFerritin (ng/mL)\n35000\n"
    (table,) = blocks_from_text(text)
    assert table.kind == PassageKind.TABLE
    assert "Ferritin (ng/mL) | 35000" in table.text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_is_cleaned_as_any_text_is(text: str) -> None:
    """The ASCII shortcut gives what the full cleaning gives (here forced by a leading é)."""
    assert normalize_chars(text) == normalize_chars("é" + text)[1:]

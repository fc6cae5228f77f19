from medcite.ingest.passages import layout_document
from medcite.sources.base import Block
from medcite.types import PassageKind


def test_offsets_point_into_the_cleaned_text_and_headings_are_written() -> None:
    blocks = (
        Block("First paragraph.", "Intro"),
        Block("Second paragraph.", "Intro"),
        Block("A | B\n1 | 2", "Results", PassageKind.TABLE, standalone=True),
    )
    text, spans = layout_document(blocks, target_chars=200)
    assert text.startswith("Intro\n\nFirst paragraph.")
    assert "Results\n\nA | B" in text
    assert [text[s.start : s.end] for s in spans] == [
        "First paragraph.\n\nSecond paragraph.",
        "A | B\n1 | 2",
    ]
    assert [s.kind for s in spans] == [PassageKind.TEXT, PassageKind.TABLE]
    assert spans[1].section == "Results"


def test_packing_stops_at_the_target_and_at_section_changes() -> None:
    blocks = tuple(Block(f"Sentence number {i} is here.", "A" if i < 4 else "B") for i in range(6))
    text, spans = layout_document(blocks, target_chars=60)
    assert all(s.end - s.start <= 60 for s in spans)
    assert all(text[s.start : s.end].strip() for s in spans)
    assert {s.section for s in spans} == {"A", "B"}
    assert len(spans) == 3  # two blocks fit per passage; B starts its own


def test_a_long_block_is_cut_between_sentences() -> None:
    long = " ".join(f"This is sentence {i} of a long paragraph." for i in range(40))
    text, spans = layout_document((Block(long),), target_chars=300)
    assert len(spans) > 3
    for s in spans:
        piece = text[s.start : s.end]
        assert piece.startswith("This is sentence") and piece.endswith("paragraph.")
        assert len(piece) <= 300

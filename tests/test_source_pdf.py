"""PdfReader on small PDFs written by hand (or by pypdf.PdfWriter) at test time."""

from __future__ import annotations

import io
import logging
from datetime import date
from pathlib import Path

import pypdf
import pytest

from medcite.errors import EmptySource, EncryptedSource, MalformedSource
from medcite.sources.base import ParsedDocument, SourceFile
from medcite.sources.pdf import PdfReader, parse_pdf_date, strip_page_furniture
from medcite.types import PassageKind


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A minimal valid PDF: one Helvetica text line per entry, 14 pt apart, with a real xref."""
    objects: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    page_ids = [4 + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode()
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    for pid, lines in zip(page_ids, pages, strict=True):
        shown = " ".join(f"({_escape(line)}) Tj T*" for line in lines)
        stream = f"BT /F1 12 Tf 14 TL 72 720 Td {shown} ET".encode("latin-1")
        objects[pid] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (pid + 1)
        )
        objects[pid + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    if info:
        entries = " ".join(f"/{key} ({_escape(value)})" for key, value in info.items())
        objects[max(objects) + 1] = f"<< {entries} >>".encode("latin-1")
    return _assemble(objects, info_id=max(objects) if info else None)


def _assemble(objects: dict[int, bytes], info_id: int | None) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, objects[number]))
    xref = out.tell()
    size = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number])
    info = b" /Info %d 0 R" % info_id if info_id else b""
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (size, info))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def read_pdf(data: bytes, name: str = "paper.pdf", folder: Path = Path("/tmp")) -> ParsedDocument:
    (doc,) = PdfReader().read(SourceFile(folder / name, data))
    return doc


def all_text(doc: ParsedDocument) -> str:
    return "\n".join(block.text for block in doc.blocks)


PARAGRAPH = [
    "Background",
    "Cytomegalovirus infection is common after transplant and",
    "may cause severe disease in children.",
]


def test_helper_builds_a_pdf_pypdf_reads() -> None:
    reader = pypdf.PdfReader(io.BytesIO(make_pdf([["Hello (world)"], ["Page two"]])))
    assert len(reader.pages) == 2
    assert "Hello (world)" in reader.pages[0].extract_text()


def test_text_becomes_blocks_with_sections(tmp_path: Path) -> None:
    pages = [["Ruxolitinib for HLH", *PARAGRAPH, "Methods", "We reviewed 12 cases."]]
    doc = read_pdf(make_pdf(pages), folder=tmp_path)
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "Ruxolitinib for HLH"
    body = next(b for b in doc.blocks if b.text.startswith("Cytomegalovirus"))
    assert body.text.endswith("may cause severe disease in children.")
    assert body.section == "Background"
    assert any(b.section == "Methods" and b.text == "We reviewed 12 cases." for b in doc.blocks)
    assert "Background" not in texts  # headings name sections, they are not blocks
    assert doc.key == f"file:{(tmp_path / 'paper.pdf').resolve()}"
    assert doc.source == "PDF: paper.pdf"
    assert doc.kind is None
    assert doc.extra["pages"] == "1"


BODIES = ["Alpha results were stable.", "Beta cohorts improved.", "Gamma trends reversed."]


def test_running_header_and_page_numbers_are_removed() -> None:
    pages = [[f"J Clin Tests 2024;12:{100 + n}", body, f"{n + 1}"] for n, body in enumerate(BODIES)]
    doc = read_pdf(make_pdf(pages))
    text = all_text(doc)
    assert "J Clin Tests" not in text
    for body in BODIES:
        assert body in text
    assert not any(b.text.strip().isdigit() for b in doc.blocks)


def test_a_page_holding_only_a_running_head_becomes_empty() -> None:
    blank_verso = [["Running head 1", "Alpha"], ["Running head 2"], ["Running head 3", "Beta"]]
    assert strip_page_furniture(blank_verso) == [["Alpha"], [], ["Beta"]]


def test_two_line_footer_and_journal_page_numbers() -> None:
    pages = [
        [str(345 + n), body, f"Downloaded from example.org on 2024-01-0{n + 1}", "CC BY 4.0"]
        for n, body in enumerate(BODIES)
    ]
    assert strip_page_furniture(pages) == [[body] for body in BODIES]


def test_a_number_in_a_table_at_the_page_bottom_is_kept() -> None:
    pages = [["Table 1 Counts", "Patients", "87"], ["Second page text."]]
    assert strip_page_furniture(pages)[0][-1] == "87"
    assert strip_page_furniture([["Text", "Page 1 of 2"], ["More", "2"]]) == [["Text"], ["More"]]


def test_line_break_hyphen_is_rejoined_through_layout() -> None:
    # layout.py re-joins a plain hyphen only when the whole word occurs elsewhere.
    lines = ["Results", "The infection cleared. A second infec-", "tion of the lung followed."]
    doc = read_pdf(make_pdf([lines]))
    assert "A second infection of the lung followed." in all_text(doc)
    assert "infec-" not in all_text(doc)


def test_metadata_title_authors_and_date() -> None:
    info = {
        "Title": "Ruxolitinib in CMV-associated HLH",
        "Author": "Smith J; Jones B",
        "CreationDate": "D:20230415120000+02'00'",
    }
    doc = read_pdf(make_pdf([PARAGRAPH], info))
    assert doc.title == "Ruxolitinib in CMV-associated HLH"
    assert doc.authors == ("Smith J", "Jones B")
    assert doc.published == date(2023, 4, 15)


@pytest.mark.parametrize("meta_title", ["", "untitled", "Microsoft Word - draft3.docx", "x.doc"])
def test_meaningless_metadata_title_falls_back_to_first_line(meta_title: str) -> None:
    info = {"Title": meta_title, "Author": "A. Smith, B. Jones", "CreationDate": "yesterday"}
    doc = read_pdf(make_pdf([["Aspirin after stroke", "Text of the paper."]], info))
    assert doc.title == "Aspirin after stroke"
    assert doc.authors == ("A. Smith", "B. Jones")
    assert doc.published is None


def test_long_first_line_falls_back_to_file_stem() -> None:
    doc = read_pdf(make_pdf([["word " * 50]]), name="hlh-case.pdf")
    assert doc.title == "hlh-case"


def test_pdf_date_parsing() -> None:
    assert parse_pdf_date("D:20240229") == date(2024, 2, 29)
    assert parse_pdf_date("D:2021") == date(2021, 1, 1)
    assert parse_pdf_date("D:20231341") is None
    assert parse_pdf_date("") is None


def _writer_pdf(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf_raises_encrypted_source(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf([PARAGRAPH]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with pytest.raises(EncryptedSource) as caught:
        read_pdf(_writer_pdf(writer), name="locked.pdf", folder=tmp_path)
    assert caught.value.path == tmp_path / "locked.pdf"


def test_pdf_encrypted_with_empty_user_password_is_read() -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf([PARAGRAPH]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    doc = read_pdf(_writer_pdf(writer))
    assert "Cytomegalovirus infection is common" in all_text(doc)


def test_truncated_pdf_is_malformed() -> None:
    data = make_pdf([PARAGRAPH, PARAGRAPH])
    with pytest.raises(MalformedSource) as caught:
        read_pdf(data[: len(data) // 2], name="cut.pdf")
    assert "cut.pdf" in str(caught.value)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00garbage", b"%PDF-1.7\nnot really"])
def test_garbage_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedSource):
        read_pdf(data, name="fake.pdf")


def test_blank_pages_only_is_empty_source() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_blank_page(width=612, height=792)
    with pytest.raises(EmptySource, match="OCR"):
        read_pdf(_writer_pdf(writer), name="scan.pdf")


def test_empty_file_is_empty_source() -> None:
    with pytest.raises(EmptySource):
        read_pdf(b"", name="zero.pdf")


def test_accepts_by_extension_or_magic_bytes() -> None:
    reader = PdfReader()
    assert reader.accepts(Path("a.PDF"), b"")
    assert reader.accepts(Path("download.bin"), b"%PDF-1.5\n%")
    assert not reader.accepts(Path("notes.txt"), b"plain text")


def test_a_failing_page_is_skipped_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    original = pypdf.PageObject.extract_text

    def flaky(page: pypdf.PageObject, *args: object, **kwargs: object) -> str:
        text: str = original(page)
        if "BROKEN" in text:
            raise ValueError("bad content stream")
        return text

    monkeypatch.setattr(pypdf.PageObject, "extract_text", flaky)
    data = make_pdf([["Good page one."], ["BROKEN page"], ["Good page three."]])
    with caplog.at_level(logging.WARNING, logger="medcite.sources.pdf"):
        doc = read_pdf(data, name="flaky.pdf")
    assert "Good page three." in all_text(doc)
    assert "BROKEN" not in all_text(doc)
    assert any("page 2" in r.getMessage() and "flaky.pdf" in r.getMessage() for r in caplog.records)

    with pytest.raises(MalformedSource, match="every page"):
        read_pdf(make_pdf([["BROKEN"], ["BROKEN too"]]), name="dead.pdf")


def test_table_laid_out_one_cell_per_line_is_one_table_block() -> None:
    lines = ["Table 1 Laboratory values", "Test", "Value", "Ferritin", "3500", "Sodium", "131"]
    doc = read_pdf(make_pdf([[*PARAGRAPH, "", *lines]]))
    tables = [b for b in doc.blocks if b.kind is PassageKind.TABLE]
    assert len(tables) == 1
    assert tables[0].standalone
    assert tables[0].text.startswith("Table 1 Laboratory values")
    assert "Ferritin" in tables[0].text and "3500" in tables[0].text

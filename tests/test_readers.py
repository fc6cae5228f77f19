import codecs
import json
from pathlib import Path

import pytest

from medcite.errors import BadEncoding, BinaryContent, EmptySource, RecordError
from medcite.ingest.kinds import classify_kind
from medcite.sources.base import Block, ParsedDocument, SourceFile
from medcite.sources.beir import BeirReader
from medcite.sources.medquad import MedquadReader
from medcite.sources.registry import reader_for
from medcite.sources.text import TextReader
from medcite.types import DocKind

from .conftest import CASE_REPORT, MEDQUAD_RECORDS


def _read(reader: object, path: Path) -> list[ParsedDocument]:
    return list(reader.read(SourceFile(path, path.read_bytes())))  # type: ignore[attr-defined]


def test_medquad_records_become_patient_education_documents(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in MEDQUAD_RECORDS), encoding="utf-8")
    docs = _read(MedquadReader(), path)
    assert len(docs) == len(MEDQUAD_RECORDS)
    first = docs[0]
    assert first.key == "medquad:GARD:T1-1"
    assert first.title == "What is (are) Brindle syndrome?"
    assert first.kind == DocKind.PATIENT_EDUCATION
    assert first.url == "https://example.org/brindle"
    assert "GARD" in first.source and "MedQuAD" in first.source
    assert docs[1].blocks[0].section == "Symptoms"
    assert len({d.key for d in docs}) == len(docs)  # (source, qid) keys never collide


def test_medquad_malformed_line_is_a_record_error_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    lines = [
        json.dumps(MEDQUAD_RECORDS[0]),
        '{"qid": "x", "answer": ',
        json.dumps(MEDQUAD_RECORDS[1]),
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    items = _read(MedquadReader(), path)
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [d.key for d in items if isinstance(d, ParsedDocument)] == [
        "medquad:GARD:T1-1",
        "medquad:GARD:T1-2",
    ]
    assert len(errors) == 1 and errors[0].record == "line 2"
    assert "m.jsonl" in str(errors[0]) and "not JSON" in str(errors[0])


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [
        ("answer", None, "null"),
        ("answer", ["a", "list"], "a list"),
        ("qid", {"an": "object"}, "a dict"),
        ("question", True, "a bool"),
        ("source", None, "null"),
    ],
)
def test_medquad_record_with_a_wrong_type_is_skipped_by_line(
    tmp_path: Path, field: str, value: object, found: str
) -> None:
    path = tmp_path / "m.jsonl"
    bad = {**MEDQUAD_RECORDS[2], field: value}
    path.write_text("\n".join(json.dumps(r) for r in (MEDQUAD_RECORDS[0], bad)), "utf-8")
    first, error = _read(MedquadReader(), path)
    assert isinstance(first, ParsedDocument) and first.key == "medquad:GARD:T1-1"
    assert isinstance(error, RecordError) and error.record == "line 2"
    assert f"field {field!r} is {found}" in str(error)


def test_medquad_numeric_qid_is_read_as_its_digits(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({**MEDQUAD_RECORDS[0], "qid": 17}), "utf-8")
    (doc,) = _read(MedquadReader(), path)
    assert isinstance(doc, ParsedDocument) and doc.key == "medquad:GARD:17"


def test_beir_record_with_null_text_is_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    rows = [
        {"_id": "S1", "pmid": "111", "text": "A trial of X."},
        {"_id": "S2", "pmid": "111", "text": None},
        {"_id": "S3", "pmid": "222", "text": "Y in mice."},
        {"_id": None, "text": "no id"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    items = _read(BeirReader(), path)
    errors = [str(i) for i in items if isinstance(i, RecordError)]
    assert [d.key for d in items if isinstance(d, ParsedDocument)] == ["beir:111", "beir:222"]
    assert len(errors) == 2
    assert "line 2: field 'text' is null" in errors[0] and "c.jsonl" in errors[0]
    assert "line 4: field '_id' is null" in errors[1]


def test_beir_snippets_group_by_pmid(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    rows = [
        {"_id": "S1", "pmid": "111", "section": "title", "text": "A trial of X."},
        {"_id": "S2", "pmid": "111", "section": "abstract", "text": "X helped."},
        {"_id": "S3", "pmid": "222", "section": "title", "text": "Y in mice."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert reader_for(path, path.read_bytes()[:4096]).name == "beir"
    docs = _read(BeirReader(), path)
    assert [d.key for d in docs] == ["beir:111", "beir:222"]
    assert docs[0].extra["pmid"] == "111"
    assert docs[0].title == "A trial of X." and len(docs[0].blocks) == 2
    assert all(b.standalone for b in docs[0].blocks)


def test_text_reader_cleans_and_titles_a_case_report(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_text(CASE_REPORT, encoding="utf-8")
    (doc,) = _read(TextReader(), path)
    assert doc.title.startswith("Case of valley fever with pulmonary nodules")
    text = " ".join(b.text for b in doc.blocks)
    assert "infection" in text and "anti-fungal" in text and "resolved" in text
    assert classify_kind(doc) == DocKind.CASE_REPORT


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptySource),
        (b"   \n\t ", EmptySource),
        (b"\x00\x01\x02binary\x00", BinaryContent),
        (b"caf\xe9 \x81\x82\x83 \x01 bad", BadEncoding),
    ],
)
def test_bad_text_input_raises_a_typed_error_naming_the_file(
    tmp_path: Path, data: bytes, error: type[Exception]
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(error, match=r"bad\.txt"):
        _read(TextReader(), path)


def test_latin1_text_is_an_error_naming_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Fi\u00e8vre persistante chez un patient adulte.".encode("latin-1"))
    with pytest.raises(BadEncoding, match=r"latin\.txt.*not valid utf-8 at byte offset 2"):
        _read(TextReader(), path)


def test_a_named_encoding_decodes_a_file_that_declares_none(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Fi\u00e8vre persistante chez un patient adulte.".encode("latin-1"))
    (doc,) = TextReader().read(SourceFile(path, path.read_bytes(), encoding="cp1252"))
    assert isinstance(doc, ParsedDocument) and "Fièvre" in doc.blocks[0].text


def test_one_stray_byte_never_turns_micrograms_into_mojibake(tmp_path: Path) -> None:
    path = tmp_path / "dose.txt"
    path.write_bytes("Give 10 µg/kg once daily.\n".encode() + b"Stray \xff byte.\n")
    with pytest.raises(BadEncoding, match=r"dose\.txt.*byte offset 33 \(0xff\)"):
        _read(TextReader(), path)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF16_LE + "Give 10 µg/kg.".encode("utf-16-le"), "Give 10 µg/kg."),
        (codecs.BOM_UTF8 + "Give 10 µg/kg.".encode(), "Give 10 µg/kg."),
    ],
)
def test_a_byte_order_mark_is_honoured(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(data)
    (doc,) = _read(TextReader(), path)
    assert doc.blocks[0].text == expected


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        ("Drug X versus placebo: a randomized controlled trial", "", DocKind.TRIAL),
        (
            "Statins for prevention: a systematic review and meta-analysis",
            "",
            DocKind.SYSTEMATIC_REVIEW,
        ),
        ("2024 guideline for the management of heart failure", "", DocKind.GUIDELINE),
        ("Notes", "We describe a case of a 30-year-old woman with lupus.", DocKind.CASE_REPORT),
        (
            "Notes",
            "We conducted a retrospective cohort study of 900 adults.",
            DocKind.OBSERVATIONAL,
        ),
        ("Notes", "Keenan et al. conducted a systematic review of ruxolitinib.", DocKind.OTHER),
    ],
)
def test_kind_from_title_then_first_person_body_cues(title: str, body: str, kind: DocKind) -> None:
    doc = ParsedDocument("k", title, "s", (Block(body or "Text."),))
    assert classify_kind(doc) == kind


def test_kind_override_and_metadata_win_over_cues() -> None:
    doc = ParsedDocument("k", "A randomized trial", "s", (Block("x"),), kind=DocKind.DRUG_LABEL)
    assert classify_kind(doc) == DocKind.DRUG_LABEL
    assert classify_kind(doc, DocKind.GUIDELINE) == DocKind.GUIDELINE


def _streamed(reader: object, path: Path, **options: object) -> list[object]:
    """What a reader yields when it reads the file itself (how ingest calls it)."""
    return list(reader.read(SourceFile(path, b"", **options)))  # type: ignore[arg-type,attr-defined]


def test_snippets_of_one_paper_apart_in_the_file_make_one_document(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    rows = [
        {"_id": "S1", "pmid": "111", "section": "title", "text": "A trial of X."},
        {"_id": "S2", "pmid": "222", "section": "title", "text": "Y in mice."},
        {"_id": "S3", "pmid": "111", "section": "abstract", "text": "X helped."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    docs = {d.key: d for d in _streamed(BeirReader(), path)}  # type: ignore[attr-defined]
    assert sorted(docs) == ["beir:111", "beir:222"]
    assert [b.text for b in docs["beir:111"].blocks] == ["A trial of X.", "X helped."]


@pytest.mark.parametrize(
    ("prefix", "encoding", "named"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", None),
        (codecs.BOM_UTF8, "utf-8", None),
        (b"", "cp1252", "cp1252"),
    ],
)
def test_a_streamed_jsonl_file_reads_as_the_whole_file_does(
    tmp_path: Path, prefix: bytes, encoding: str, named: str | None
) -> None:
    path = tmp_path / "m.jsonl"
    lines = "\r\n".join(json.dumps(r, ensure_ascii=False) for r in MEDQUAD_RECORDS)
    path.write_bytes(prefix + lines.replace("Brindle", "Brindlé").encode(encoding))
    held = list(MedquadReader().read(SourceFile(path, path.read_bytes(), encoding=named)))
    streamed = _streamed(MedquadReader(), path, encoding=named)
    assert streamed == held and "Brindlé" in held[0].title  # type: ignore[union-attr]


def test_a_streamed_jsonl_file_with_a_bad_byte_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    good = json.dumps(MEDQUAD_RECORDS[0]).encode()
    path.write_bytes(good + b"\n" + good.replace(b"Brindle", b"Brindl\xe9"))
    with pytest.raises(BadEncoding, match=r"m\.jsonl.*line 2"):
        _streamed(MedquadReader(), path)

"""Evidence kind: metadata first (reader, publication type, SPL type, publisher), then cues."""

import json
import re
from pathlib import Path

import pytest

from medcite.ingest.kinds import classify_kind
from medcite.ingest.pipeline import build_record
from medcite.settings import Settings
from medcite.sources.base import Block, ParsedDocument, SourceFile
from medcite.sources.html import HtmlReader
from medcite.sources.medquad import MedquadReader
from medcite.sources.spl import SplReader
from medcite.sources.text import TextReader
from medcite.types import DocKind, PassageKind

from .clinical_fixtures import SPL_LABEL
from .conftest import CASE_REPORT, MEDQUAD_RECORDS


def doc(
    title: str = "Notes",
    body: str = "Some text about a condition.",
    url: str | None = None,
    **extra: str,
) -> ParsedDocument:
    return ParsedDocument("k", title, "somewhere", (Block(body),), url=url, extra=extra)


@pytest.mark.parametrize(
    ("parsed", "expected"),
    [
        (doc(publication_type="Journal Article; Case Reports"), DocKind.CASE_REPORT),
        (doc(publication_type="Review; Meta-Analysis"), DocKind.SYSTEMATIC_REVIEW),
        (doc(publication_type="Randomized Controlled Trial; Multicenter Study"), DocKind.TRIAL),
        (doc(publication_type="Clinical Trial, Phase III"), DocKind.TRIAL),
        (doc(publication_type="Practice Guideline"), DocKind.GUIDELINE),
        (doc(publication_type="Observational Study"), DocKind.OBSERVATIONAL),
        (doc(publication_type="Patient Education Handout"), DocKind.PATIENT_EDUCATION),
        (doc(document_type="HUMAN PRESCRIPTION DRUG LABEL"), DocKind.DRUG_LABEL),
        (doc(url="https://dailymed.nlm.nih.gov/dailymed/x"), DocKind.DRUG_LABEL),
        (doc(url="https://medlineplus.gov/ency/article/1.htm"), DocKind.PATIENT_EDUCATION),
        (doc(url="https://www.nice.org.uk/guidance/ng1"), DocKind.GUIDELINE),
        (doc("A rare case of CMV colitis"), DocKind.CASE_REPORT),
        (doc("Prescribing information: examplumab"), DocKind.DRUG_LABEL),
        (doc(body="HIGHLIGHTS OF PRESCRIBING INFORMATION These highlights"), DocKind.DRUG_LABEL),
        (doc(body="We describe a patient with gout."), DocKind.CASE_REPORT),
        (doc(body="The panel recommends testing (strong recommendation)."), DocKind.GUIDELINE),
        (
            doc(body="Talk to your doctor first. Ask your pharmacist too."),
            DocKind.PATIENT_EDUCATION,
        ),
        (doc(body="Randomized trials are discussed in this essay."), DocKind.OTHER),
    ],
)
def test_metadata_then_cues(parsed: ParsedDocument, expected: DocKind) -> None:
    assert classify_kind(parsed) == expected


def test_publication_type_outranks_title_cues_and_forced_kind_outranks_all() -> None:
    parsed = doc("A randomized trial", publication_type="Case Reports")
    assert classify_kind(parsed) == DocKind.CASE_REPORT
    assert classify_kind(parsed, DocKind.GUIDELINE) == DocKind.GUIDELINE


def test_html_article_type_meta_becomes_the_publication_type(tmp_path: Path) -> None:
    page = (
        b"<html><head><title>CMV after transplant</title>"
        b'<meta name="citation_article_type" content="Case Report"></head>'
        b"<body><p>A man developed CMV colitis after a kidney transplant.</p></body></html>"
    )
    (parsed,) = HtmlReader().read(SourceFile(tmp_path / "page.html", page))
    assert parsed.extra["publication_type"] == "Case Report"
    assert classify_kind(parsed) == DocKind.CASE_REPORT


def test_the_three_corpus_formats_come_out_as_their_kinds(tmp_path: Path) -> None:
    """MedQuAD is patient education, an SPL file a drug label, the case report a case report."""
    medquad = "\n".join(json.dumps(r) for r in MEDQUAD_RECORDS).encode()
    readers = [
        (MedquadReader(), "m.jsonl", medquad, DocKind.PATIENT_EDUCATION),
        (SplReader(), "label.xml", SPL_LABEL.encode(), DocKind.DRUG_LABEL),
        (TextReader(), "case.txt", CASE_REPORT.encode(), DocKind.CASE_REPORT),
    ]
    for reader, name, data, kind in readers:
        parsed = next(iter(reader.read(SourceFile(tmp_path / name, data))))
        assert classify_kind(parsed) == kind, name


def test_spl_label_sections_tables_and_effective_date(tmp_path: Path, settings: Settings) -> None:
    (parsed,) = SplReader().read(SourceFile(tmp_path / "label.xml", SPL_LABEL.encode()))
    record = build_record(parsed, None, settings, origin="label.xml")
    document = record.document
    assert document.kind == DocKind.DRUG_LABEL and document.title == "Jakafi (ruxolitinib)"
    assert document.date is not None and document.date.isoformat() == "2023-06-15"
    sections = [p.section for p in record.passages]
    for name in (
        "Boxed Warning",
        "Dosage & Administration",
        "Contraindications",
        "Warnings and Precautions",
        "Drug Interactions",
        "Use in Specific Populations",
    ):
        assert name in sections
    (table,) = [p for p in record.passages if p.kind == PassageKind.TABLE]
    assert table.section == "Dosage & Administration"
    assert table.text.splitlines() == [
        "Table 1: Starting dose by platelet count",
        "Platelet count | Starting dose",
        "Above 200 ×10^9/L | 20 mg twice daily",
        "100 to 200 ×10^9/L | 15 mg twice daily",
    ]


def test_cue_patterns_are_written_in_lower_case() -> None:
    """Cues match lower-cased text without re.I: an upper-case letter would never match."""
    from medcite.ingest import kinds

    groups = (
        kinds._PUBLICATION_TYPES,
        kinds._DOCUMENT_TYPES,
        kinds._PUBLISHERS,
        kinds._TITLE_CUES,
        kinds._BODY_CUES,
    )
    patterns = [p.pattern for group in groups for _, p in group]
    patterns += [kinds._ADDRESSES_PATIENT.pattern]
    for pattern in patterns:
        letters = re.sub(r"\\.", "", pattern)  # escapes such as \b, \w, \s
        assert letters == letters.lower(), pattern
        assert not pattern.startswith("(?i")

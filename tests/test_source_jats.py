"""PMC JATS full text: front matter, sections, tables, figure captions, what is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.errors import MalformedSource, UnsupportedFormat
from medcite.index import Library
from medcite.ingest.identity import document_id
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings
from medcite.sources.base import ParsedDocument, SourceFile
from medcite.sources.jats import JatsReader
from medcite.sources.registry import reader_for
from medcite.types import DocKind, PassageKind

from .conftest import SHARED

# An invented article in PMC's JATS, with {type} standing for its article type.
ARTICLE = (Path(__file__).parent / "data" / "jats_article.nxml").read_text(encoding="utf-8")


def write(tmp_path: Path, name: str = "a.nxml", article_type: str = "research-article") -> Path:
    path = tmp_path / name
    path.write_text(ARTICLE.replace("{type}", article_type), encoding="utf-8")
    return path


def read(path: Path) -> ParsedDocument:
    (doc,) = JatsReader().read(SourceFile(path, path.read_bytes()))
    return doc


def test_front_matter_and_body(tmp_path: Path) -> None:
    doc = read(write(tmp_path))
    assert doc.key == "pmc:PMC7000001"
    assert doc.title == "Zephyrin in Brindle syndrome: a cohort study"
    assert doc.journal == "Journal of Invented Cardiology" and doc.authors == ("Okafor AB",)
    assert doc.published is not None and doc.published.isoformat() == "2020-03-14"
    assert doc.extra["pmid"] == "31000001" and doc.extra["doi"] == "10.9999/jic.2020.7"
    assert doc.extra["licence"] == "http://creativecommons.org/licenses/by/4.0/"
    assert doc.url == "https://pmc.ncbi.nlm.nih.gov/articles/PMC7000001/"
    texts = {b.text: b for b in doc.blocks}
    followed = "We followed 120 patients with Brindle syndrome for 2 years."
    assert texts[followed].section == "Methods — Patients"  # citation markers out
    assert "Arrhythmias fell by 40% at 10^9 cells." in texts
    assert "Doses were 25 mg twice daily (Table 1)." in texts
    (table,) = [b for b in doc.blocks if b.kind == PassageKind.TABLE]
    assert table.text.split("\n") == [
        "Table 1 Doses by weight",
        "Weight | Dose",
        "< 60 kg | 10 mg",
        "≥ 60 kg | 25 mg",
        "Doses twice daily.",
    ]
    (caption,) = [b for b in doc.blocks if b.kind == PassageKind.CAPTION]
    assert caption.text == "Figure 1 Kaplan-Meier curve of arrhythmia-free survival."
    assert doc.blocks[0].section == "Abstract — Background"
    everything = " ".join(b.text for b in doc.blocks)
    assert "zebras" not in everything and "Foundation" not in everything
    assert "Data file S1" not in everything


def test_kinds_from_the_article_type(tmp_path: Path) -> None:
    assert read(write(tmp_path, article_type="case-report")).kind == DocKind.CASE_REPORT
    assert read(write(tmp_path, article_type="review-article")).kind == DocKind.REVIEW
    with pytest.raises(UnsupportedFormat, match="editorial is not evidence"):
        read(write(tmp_path, article_type="editorial"))


def test_an_xml_file_is_read_as_jats_when_it_holds_an_article(tmp_path: Path) -> None:
    path = write(tmp_path, "article.xml")
    assert reader_for(path, path.read_bytes()[:4096]).name == "jats"


def test_bad_jats_fails_with_the_file_name(tmp_path: Path) -> None:
    cut = tmp_path / "cut.nxml"
    cut.write_text(ARTICLE[:1500])
    with pytest.raises(MalformedSource, match=r"cut\.nxml"):
        read(cut)
    bomb = tmp_path / "bomb.nxml"
    bomb.write_text('<!DOCTYPE article [<!ENTITY a "aaaa">]><article>&a;</article>')
    with pytest.raises(MalformedSource, match="ENTITY"):
        read(bomb)
    odd = tmp_path / "odd.nxml"  # found by the fuzzer: an encoding Python does not know
    odd.write_bytes(b'<?xml version="1.0" encoding="MTF-8"?><article></article>')
    with pytest.raises(MalformedSource, match="unknown encoding"):
        read(odd)
    deep = tmp_path / "deep.nxml"
    deep.write_text("<article>" + "<sec>" * 300 + "</sec>" * 300 + "</article>")
    with pytest.raises(MalformedSource, match="nest deeper"):
        read(deep)


def test_the_same_pmcid_in_two_folders_is_one_document(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    lib = Library(settings)
    first = ingest([write(tmp_path / "one")], lib).outcomes[0]
    second = ingest([write(tmp_path / "two")], lib).outcomes[0]
    assert (first.documents, second.documents) == (1, 0) and "1 held" in second.detail
    assert lib.store.document_ids() == [document_id("pmc:PMC7000001", "")]


SHARED_PMC = SHARED / "data/corpus/pmc"


@pytest.mark.skipif(not SHARED_PMC.is_dir(), reason="shared PMC articles not present")
def test_the_shared_articles_read_with_tables_and_captions() -> None:
    docs = [read(p) for p in sorted(SHARED_PMC.glob("*.nxml"))]
    assert len(docs) == len(list(SHARED_PMC.glob("*.nxml"))) >= 8
    assert all(d.key.startswith("pmc:PMC") and d.extra.get("doi") for d in docs)
    by_key = {d.key: d for d in docs}
    cancer = by_key["pmc:PMC3574550"]
    assert cancer.journal == "Annals of Oncology" and cancer.published is not None
    tables = [b for b in cancer.blocks if b.kind == PassageKind.TABLE]
    assert len(tables) == 4 and tables[0].text.startswith("Table 1.")
    assert sum(b.kind == PassageKind.CAPTION for d in docs for b in d.blocks) >= 10

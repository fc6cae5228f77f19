"""PubMed/MEDLINE XML: citations, kinds, update files, deletions and retractions."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest

from medcite.errors import BadEncoding
from medcite.index import Library
from medcite.index.lexical import TermGroup
from medcite.ingest.identity import document_id
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings, load_settings
from medcite.sources.base import ParsedDocument, SourceFile, Withdrawal
from medcite.sources.pubmed import PubmedReader
from medcite.text import terms
from medcite.types import Claim, ClaimStatus, DocKind
from medcite.verify import Verifier, retraction_note

from .conftest import SHARED
from .pubmed_fixtures import (
    CASE,
    EDITORIAL,
    NO_ABSTRACT,
    NOTICE,
    RETRACTED,
    TRIAL,
    citation,
    deletion,
    write_set,
)

SHARED_2021 = SHARED / "data/corpus/pubmed/pubmed21n1298.xml.gz"


def read(path: Path, *, title_only: bool = False) -> list[ParsedDocument | Withdrawal]:
    return list(PubmedReader().read(SourceFile(path, b"", title_only=title_only)))


def documents(items: list[ParsedDocument | Withdrawal]) -> dict[str, ParsedDocument]:
    return {i.key: i for i in items if isinstance(i, ParsedDocument)}


def active(lib: Library, pmid: int) -> str | None:
    doc_id = document_id(f"pubmed:{pmid}", "")
    return lib.store.document_text(doc_id) if doc_id in lib.store.document_ids() else None


@pytest.mark.parametrize("name", ["set.xml", "set.xml.gz"])
def test_a_citation_becomes_a_document_with_its_metadata(tmp_path: Path, name: str) -> None:
    docs = documents(read(write_set(tmp_path / name, CASE, TRIAL)))
    case = docs["pubmed:1001"]
    assert case.title.startswith("Fluconazole for pulmonary valley fever in a 52-year-old")
    assert not case.title.endswith(".")
    assert [b.section for b in case.blocks] == ["Background", "Case presentation", "Conclusions"]
    assert case.kind == DocKind.CASE_REPORT and docs["pubmed:1002"].kind == DocKind.TRIAL
    assert case.journal == "Journal of Invented Medicine"
    assert case.authors == ("Okafor AB", "Brindle Study Group")
    assert case.published is not None and case.published.isoformat() == "2019-03-14"
    assert case.url == "https://pubmed.ncbi.nlm.nih.gov/1001/"
    assert case.extra["doi"] == "10.9999/test.1001" and case.extra["pmid"] == "1001"
    assert case.extra["mesh"] == "Coccidioidomycosis; Fluconazole; Humans"
    assert case.revision == "2021-06-07|0001"


def test_letters_editorials_and_notices_are_not_documents(tmp_path: Path) -> None:
    items = read(write_set(tmp_path / "s.xml", CASE, EDITORIAL, NO_ABSTRACT, NOTICE))
    assert set(documents(items)) == {"pubmed:1001"}
    withdrawn = [i for i in items if isinstance(i, Withdrawal)]
    assert withdrawn == [
        Withdrawal("pubmed:1002", "retracted", notice="retraction notice PMID 1006")
    ]


def test_title_only_citations_only_when_the_setting_says_so(tmp_path: Path) -> None:
    path = write_set(tmp_path / "s.xml", NO_ABSTRACT)
    assert documents(read(path)) == {}
    (doc,) = documents(read(path, title_only=True)).values()
    assert doc.blocks[0].text == "Brindle syndrome in twins" and doc.blocks[0].section == "Title"


def test_an_update_file_revises_and_deletes_in_either_order(tmp_path: Path) -> None:
    baseline = write_set(
        tmp_path / "base.xml",
        citation(2001, "Old trial", [("", "Zephyrin helped 10 patients.")], revised="2019-01-01"),
        citation(2002, "Doomed", [("", "A citation later deleted.")], revised="2019-01-01"),
        citation(2003, "Kept", [("", "A citation nobody touches.")], revised="2019-01-01"),
    )
    update = write_set(
        tmp_path / "update.xml.gz",
        citation(2001, "Old trial", [("", "Zephyrin helped 12 patients.")], revised="2021-02-02"),
        deletion(2002),
    )
    for n, order in enumerate(itertools.permutations([baseline, update])):
        lib = Library(load_settings(home=tmp_path / f"home{n}"))
        outcomes = [ingest([p], lib).outcomes[0] for p in order]
        assert all(o.status == "added" for o in outcomes), outcomes
        assert "12 patients" in (active(lib, 2001) or "")
        assert active(lib, 2002) is None
        assert active(lib, 2003) is not None
        assert len(lib.store.document_ids()) == 2 and lib.lexical.size() == 2
        lib.close()


def test_retractions_are_flagged_and_never_support(settings: Settings, tmp_path: Path) -> None:
    lib = Library(settings)
    ingest([write_set(tmp_path / "a.xml", CASE, TRIAL, RETRACTED)], lib)
    store = lib.store
    assert store.document(document_id("pubmed:1005", "")).retraction is not None
    trial_id = document_id("pubmed:1002", "")
    assert store.document(trial_id).retraction is None
    ingest([write_set(tmp_path / "later.xml", NOTICE)], lib)  # a notice in a later file
    trial = store.document(trial_id)
    assert trial.retraction == "retraction notice PMID 1006"
    (passage,) = store.passages_of([trial_id])
    claim = Claim(passage.text, (passage.id,), "bottom_line")
    kept, summary = Verifier().verify([claim], {passage.id: passage})
    assert kept == [] and summary.removed == 1 and "retracted" in summary.reasons[0]
    assert "Zephyrin versus placebo" in (retraction_note(summary) or "")


def test_a_verified_claim_keeps_its_other_support(settings: Settings, tmp_path: Path) -> None:
    lib = Library(settings)
    ingest([write_set(tmp_path / "a.xml", CASE, RETRACTED)], lib)
    case = next(lib.store.passages_of([document_id("pubmed:1001", "")]))
    bad = next(lib.store.passages_of([document_id("pubmed:1005", "")]))
    claim = Claim(case.text, (bad.id, case.id), "bottom_line")
    kept, _ = Verifier().verify([claim], {p.id: p for p in (case, bad)})
    assert kept[0].status == ClaimStatus.VERIFIED and kept[0].passage_ids == (case.id,)


def test_bad_pubmed_files_fail_with_their_name(settings: Settings, tmp_path: Path) -> None:
    good = write_set(tmp_path / "good.xml.gz", CASE)
    truncated = tmp_path / "truncated.xml.gz"
    truncated.write_bytes(good.read_bytes()[:-40])
    cut = tmp_path / "cut.xml"
    cut.write_bytes(write_set(tmp_path / "x.xml", CASE, TRIAL).read_bytes()[:900])
    entity = tmp_path / "entity.xml"
    entity.write_text(
        '<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaa">]>'
        "<PubmedArticleSet>&a;</PubmedArticleSet>"
    )
    not_gzip = tmp_path / "fake.xml.gz"
    not_gzip.write_bytes(b"<PubmedArticleSet></PubmedArticleSet>")
    lib = Library(settings)
    report = ingest([good, truncated, cut, entity, not_gzip], lib)
    status = {o.path.name: (o.status, o.detail) for o in report.outcomes}
    assert status["good.xml.gz"][0] == "added"
    for name in ("truncated.xml.gz", "cut.xml", "entity.xml"):
        assert status[name][0] == "failed" and name in status[name][1], status[name]
    assert status["fake.xml.gz"][0] in ("failed", "skipped")
    assert lib.store.passage_count() == lib.lexical.size() == 3


def test_a_decompression_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml.gz"
    padding = "<!-- " + " " * (3 * 1024 * 1024) + " -->"
    bomb.write_bytes(
        gzip.compress(("<PubmedArticleSet>" + padding + CASE + "</PubmedArticleSet>").encode())
    )
    assert bomb.stat().st_size < 64 * 1024  # tiny on disk
    settings = load_settings(home=tmp_path / "home", ingest={"max_stream_mb": 1})
    (outcome,) = ingest([bomb], Library(settings)).outcomes
    assert outcome.status == "failed" and "bomb.xml.gz" in outcome.detail
    assert "MB once read" in outcome.detail


@pytest.mark.skipif(not SHARED_2021.is_file(), reason="shared PubMed file not present")
def test_the_shared_2021_file_reads_as_a_stream() -> None:
    items = list(itertools.islice(PubmedReader().read(SourceFile(SHARED_2021, b"")), 25))
    docs = [i for i in items if isinstance(i, ParsedDocument)]
    assert docs[0].key == "pubmed:10704411"
    assert docs[0].title.startswith("Dopamine modulates acute responses to cocaine")
    assert [b.section for b in docs[0].blocks] == ["Background", "Results", "Conclusions"]
    assert docs[0].journal and docs[0].extra["doi"].startswith("10.1016/")
    assert all(d.key.startswith("pubmed:") and d.blocks for d in docs)
    assert any(d.kind == DocKind.CASE_REPORT for d in docs)


def test_mesh_headings_are_searched_with_the_title(settings: Settings, tmp_path: Path) -> None:
    rash = citation(
        3001,
        "A striped rash in a toddler",
        [("", "A toddler had a striped rash after three days of fever.")],
        mesh=("Exanthema Subitum", "Humans"),
    )
    lib = Library(settings)
    ingest([write_set(tmp_path / "s.xml", rash)], lib)
    doc = lib.store.document(document_id("pubmed:3001", ""))
    assert doc.extra["index_terms"] == "Exanthema Subitum"  # check tags left out
    assert lib.lexical.search([TermGroup(tuple(terms("exanthema")))], 5)


def test_an_unknown_declared_encoding_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "odd.xml"
    prolog = '<?xml version="1.0" encoding="utf-z"?>\n'
    path.write_bytes(f"{prolog}<PubmedArticleSet>{CASE}</PubmedArticleSet>".encode())
    with pytest.raises(BadEncoding, match=r"odd\.xml.*utf-z"):
        read(path)

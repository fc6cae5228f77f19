"""Title, authors, journal, year and DOI read from what a text states about itself.

Hand-written front matter (invented names and identifiers), the real seed case report from
../shared when present, and the text and PDF readers that use them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcite.ingest.front_matter import author_names, read_front_matter
from medcite.sources.base import SourceFile
from medcite.sources.pdf import PdfReader
from medcite.sources.text import TextReader

from .test_source_pdf import make_pdf

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_9451d828407b2fcc.txt"

ARTICLE = """J Invented Med (Case Rep) 2023 24(4):362-368
https://doi.org/10.9999/jim.B2200539

Case Report
Ruxolitinib for hemophagocytic syndrome associated with
cytomegalovirus infection in an immunocompetent adult
Lena MARSH1, Tomas Okafor2*, Ines R. Dale1
1Department of Hematology, Example University Hospital, Springfield 01000, Freedonia
Received: 3 Oct. 2022; Accepted: 20 Dec. 2022; Published online: 5 Apr. 2023
© Invented University Press 2023

Abstract: Cytomegalovirus (CMV) infection is common (Sridhar et al., 2018). We describe a
case of hemophagocytic syndrome in a 44-year-old woman.

Introduction
CMV infection mainly affects immunocompromised hosts (Dioverti and Razonable, 2016).
"""


def lines(text: str) -> list[str]:
    return text.split("\n")


def test_article_front_matter_gives_every_fact() -> None:
    front = read_front_matter(lines(ARTICLE))
    assert front.title == (
        "Ruxolitinib for hemophagocytic syndrome associated with cytomegalovirus infection in "
        "an immunocompetent adult"
    )
    assert front.authors == ("Lena MARSH", "Tomas Okafor", "Ines R. Dale")
    assert front.journal == "J Invented Med (Case Rep)"
    assert (front.published, front.year) == (date(2023, 4, 5), 2023)
    assert front.doi == "10.9999/jim.B2200539"
    assert front.extra == {"doi": "10.9999/jim.B2200539", "year": "2023"}


def test_disagreeing_or_unlabelled_facts_are_dropped() -> None:
    two_dois = "doi: 10.9999/one\nSee also doi:10.9999/two\n"
    assert read_front_matter(lines(two_dois)).doi is None
    years = "Acta Invented 2021; 12(3): 45-50\n© 2019 Someone\n"
    front = read_front_matter(lines(years))
    assert front.year is None and front.journal == "Acta Invented"
    assert read_front_matter(lines("Received: 3 Oct 2022\nAccepted: 2 Jan 2023\n")).year is None
    bare = "The sequence 10.9999/abc was compared (Smith et al., 2018).\n"
    front = read_front_matter(lines(bare))
    assert (front.doi, front.year, front.authors, front.journal) == (None, None, (), None)


def test_facts_below_the_front_matter_are_not_read() -> None:
    body = "\n".join(f"Line {i} of the case narrative continues here." for i in range(80))
    text = body + "\nReferences\nSmith J, Doe A. Acta Invented 2020; 3(1): 1-9. doi:10.9999/x\n"
    front = read_front_matter(lines(text))
    assert (front.doi, front.year, front.authors, front.journal) == (None, None, (), None)


def test_running_lines_can_state_the_doi_and_journal() -> None:
    front = read_front_matter(["A narrative line."], ["Acta Invented, Vol. 12, No. 3, 2021",
                                                      "DOI: 10.9999/acta.2021.7"])  # fmt: skip
    assert (front.journal, front.year, front.doi) == ("Acta Invented", 2021, "10.9999/acta.2021.7")


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Smith JA, Doe J, Li X.", ("Smith JA", "Doe J", "Li X")),
        ("Lena Marsh, Tomas Okafor and Ines Dale", ("Lena Marsh", "Tomas Okafor", "Ines Dale")),
        ("By Jane Doe", ("Jane Doe",)),
        ("John Smith, MD, PhD", ("John Smith",)),
        ("José Müller1, Ana García2", ("José Müller", "Ana García")),
        ("Hemophagocytic Lymphohistiocytosis, Cytomegalovirus Infection", ()),
        ("Department of Hematology, Example University Hospital", ()),
        ("Hangzhou, China", ()),
        ("CASE REPORT, OPEN ACCESS", ()),
        ("Ganciclovir and foscarnet were given", ()),
        ("Jane Doe", ()),  # one plain name could be anything: a heading, a drug, a place
    ],
)
def test_author_lines(line: str, names: tuple[str, ...]) -> None:
    assert author_names(line) == names


def test_text_reader_shows_the_stated_facts_instead_of_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "004_case.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (doc,) = TextReader().read(SourceFile(path, path.read_bytes()))
    assert doc.title.startswith("Ruxolitinib for hemophagocytic syndrome")
    assert doc.source == "J Invented Med (Case Rep)" == doc.journal
    assert doc.authors == ("Lena MARSH", "Tomas Okafor", "Ines R. Dale")
    assert doc.published == date(2023, 4, 5)
    assert doc.extra == {"doi": "10.9999/jim.B2200539", "year": "2023"}


def test_text_without_facts_keeps_its_file_name_as_source(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Case Report\n\nMonitoring of CMV viremia\n\nWeekly PCR was done.\n")
    (doc,) = TextReader().read(SourceFile(path, path.read_bytes()))
    assert (doc.title, doc.source, doc.authors, doc.journal) == (
        "Monitoring of CMV viremia", "notes.txt", (), None,
    )  # fmt: skip
    assert "title_from" not in doc.extra
    untitled = tmp_path / "untitled-note.txt"
    untitled.write_text("Weekly PCR was done. The viral load fell.\n")
    (doc,) = TextReader().read(SourceFile(untitled, untitled.read_bytes()))
    assert (doc.title, doc.extra["title_from"]) == ("untitled note", "file name")


@pytest.mark.skipif(not SEED.exists(), reason="../shared seeds not present")
def test_the_seed_case_report_states_no_title_authors_journal_year_or_doi() -> None:
    """The seed is the body of a case report only: nothing is made up for it, and its title
    is described from its own "we describe a case of ..." sentence, marked as such."""
    (doc,) = TextReader().read(SourceFile(SEED, SEED.read_bytes()))
    assert (doc.authors, doc.journal, doc.published) == ((), None, None)
    assert doc.source == SEED.name
    assert doc.extra == {"title_from": "case sentence"}
    assert doc.title.startswith("Case of hemophagocytic syndrome-associated with CMV")


def test_pdf_reads_front_matter_and_a_running_doi_footer() -> None:
    footer = "https://doi.org/10.9999/jcv.2021.104845"
    first = [
        "J Invented Virol 2021; 140: 104845",
        "Cytomegalovirus viremia during ruxolitinib",
        "therapy: a case report",
        "Ana Garcia1, Peter Smith2",
        "Abstract",
        "We describe a case of CMV viremia in a patient on ruxolitinib.",
        footer,
    ]
    rest = [[f"Page {n} text: weekly PCR testing guided the treatment.", footer] for n in (2, 3)]
    data = make_pdf([first, *rest])
    (doc,) = PdfReader().read(SourceFile(Path("case.pdf"), data))
    assert doc.title == "Cytomegalovirus viremia during ruxolitinib therapy: a case report"
    assert doc.authors == ("Ana Garcia", "Peter Smith")
    assert doc.source == doc.journal == "J Invented Virol"
    assert doc.extra["doi"] == "10.9999/jcv.2021.104845" and doc.extra["year"] == "2021"
    assert footer not in " ".join(block.text for block in doc.blocks)  # still furniture

"""One MEDLINE/PubMed citation (`<PubmedArticle>`) read into a typed `Citation`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

from medcite.ingest.clean import normalize_chars

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True, slots=True)
class AbstractPart:
    """One paragraph of an abstract; `label` as printed ("METHODS"), `category` NLM's."""

    text: str
    label: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class Citation:
    pmid: str
    version: int
    title: str
    abstract: tuple[AbstractPart, ...]
    journal: str
    journal_abbrev: str
    authors: tuple[str, ...]
    published: date | None
    year: int | None
    doi: str
    pmcid: str
    mesh: tuple[str, ...]
    major_mesh: tuple[str, ...]
    keywords: tuple[str, ...]
    publication_types: tuple[str, ...]
    revised: str  # DateRevised (else DateCompleted) as YYYY-MM-DD, "" when neither is given
    status: str
    retraction_in: tuple[str, ...]  # PMIDs of notices that retract this citation
    retraction_of: tuple[str, ...]  # PMIDs this citation (a notice) retracts


def read_citation(article: ET.Element) -> Citation | None:
    """The citation in a `<PubmedArticle>`, or None when it has no PMID."""
    medline = article.find("MedlineCitation")
    if medline is None:
        return None
    pmid_el = medline.find("PMID")
    pmid = text_of(pmid_el)
    if not pmid.isdigit() or pmid_el is None:
        return None
    art = medline.find("Article")
    journal = art.find("Journal") if art is not None else None
    published, year = _publication_date(art)
    corrections = _corrections(medline)
    return Citation(
        pmid=pmid,
        version=int(v) if (v := pmid_el.get("Version", "1")).isdigit() else 1,
        title=_title(text_of(art.find("ArticleTitle") if art is not None else None)),
        abstract=_abstract(art),
        journal=text_of(journal.find("Title")) if journal is not None else "",
        journal_abbrev=text_of(journal.find("ISOAbbreviation")) if journal is not None else "",
        authors=_authors(art),
        published=published,
        year=year,
        doi=_article_id(article, art, "doi"),
        pmcid=_article_id(article, art, "pmc"),
        mesh=tuple(
            text_of(d) for d in medline.iterfind("MeshHeadingList/MeshHeading/DescriptorName")
        ),
        major_mesh=_major_mesh(medline),
        keywords=tuple(k for e in medline.iterfind("KeywordList/Keyword") if (k := text_of(e))),
        publication_types=tuple(
            t
            for e in medline.iterfind(".//PublicationTypeList/PublicationType")
            if (t := text_of(e))
        ),
        revised=_ymd(medline.find("DateRevised")) or _ymd(medline.find("DateCompleted")),
        status=medline.get("Status", ""),
        retraction_in=corrections.get("RetractionIn", ()),
        retraction_of=corrections.get("RetractionOf", ()),
    )


def text_of(element: ET.Element | None) -> str:
    """An element's text with inline markup flattened and whitespace squashed."""
    if element is None:
        return ""
    text = element.text or "" if len(element) == 0 else "".join(element.itertext())
    return " ".join((text if text.isascii() else normalize_chars(text)).split())


def _title(title: str) -> str:
    """ "[Translated title]." -> "Translated title"; the final full stop is not part of it."""
    if title.startswith("[") and title.rstrip(".").endswith("]"):
        title = title.rstrip(".")[1:-1]
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title


def _abstract(art: ET.Element | None) -> tuple[AbstractPart, ...]:
    if art is None:
        return ()
    parts = []
    for element in art.iterfind("Abstract/AbstractText"):
        text = text_of(element)
        if text:
            label = element.get("Label", "").strip()
            parts.append(AbstractPart(text, label, element.get("NlmCategory", "").strip()))
    return tuple(parts)


def _authors(art: ET.Element | None) -> tuple[str, ...]:
    if art is None:
        return ()
    names = []
    for author in art.iterfind("AuthorList/Author"):
        if author.get("ValidYN", "Y") != "Y":
            continue
        collective = text_of(author.find("CollectiveName"))
        last = text_of(author.find("LastName"))
        initials = text_of(author.find("Initials"))
        name = collective or " ".join(p for p in (last, initials) if p)
        if name:
            names.append(name)
    return tuple(names)


def _publication_date(art: ET.Element | None) -> tuple[date | None, int | None]:
    """The issue's full date and year, as a citation gives them (an issue of "2021 Jan" or
    "1998 Dec-1999 Jan" has a year, not a date); the electronic date only when the issue
    states no year."""
    if art is None:
        return None, None
    issue = art.find("Journal/JournalIssue/PubDate")
    year_text = text_of(issue.find("Year")) if issue is not None else ""
    if not year_text and issue is not None:
        found = _YEAR.search(text_of(issue.find("MedlineDate")))
        year_text = found.group(1) if found else ""
    if year_text.isdigit():
        return _full_date(issue), int(year_text)
    electronic = _full_date(art.find("ArticleDate"))
    return electronic, electronic.year if electronic else None


def _full_date(element: ET.Element | None) -> date | None:
    if element is None:
        return None
    year, month, day = (text_of(element.find(t)) for t in ("Year", "Month", "Day"))
    month_no = int(month) if month.isdigit() else _MONTHS.get(month[:3].casefold(), 0)
    if not (year.isdigit() and day.isdigit() and month_no):
        return None
    try:
        return date(int(year), month_no, int(day))
    except ValueError:
        return None


def _ymd(element: ET.Element | None) -> str:
    found = _full_date(element)
    return found.isoformat() if found else ""


def _article_id(article: ET.Element, art: ET.Element | None, kind: str) -> str:
    for element in article.iterfind("PubmedData/ArticleIdList/ArticleId"):
        if element.get("IdType") == kind and (value := text_of(element)):
            return value
    if kind == "doi" and art is not None:
        for element in art.iterfind("ELocationID"):
            if element.get("EIdType") == "doi" and (value := text_of(element)):
                return value
    return ""


def _major_mesh(medline: ET.Element) -> tuple[str, ...]:
    major = []
    for heading in medline.iterfind("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        flags = [e.get("MajorTopicYN") for e in heading]
        if descriptor is not None and "Y" in flags:
            major.append(text_of(descriptor))
    return tuple(major)


def _corrections(medline: ET.Element) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for item in medline.iterfind("CommentsCorrectionsList/CommentsCorrections"):
        pmid = text_of(item.find("PMID"))
        if pmid.isdigit():
            found.setdefault(item.get("RefType", ""), []).append(pmid)
    return {k: tuple(v) for k, v in found.items()}

"""PubMed/MEDLINE XML (`PubmedArticleSet`, `.xml` or `.xml.gz`), read as a stream.

One document per citation, keyed on its PMID (a global key: the same citation in another
file, an update file or a fetch is the same document; its revision is the PMID version and
`DateRevised`, so a newer version replaces an older one). The title and the abstract (each
labelled part its own section: Background, Methods, Results, Conclusions) are the text;
journal, authors, date, DOI, PMCID, MeSH headings and keywords are metadata, and MeSH
headings and keywords are also searched with the title. The kind comes from the publication
types, then MeSH design headings, then the fitted model (pubmed_kinds.py); when the model is
unsure or reads original research of unstated design, the text's cues (ingest/kinds.py).

Not indexed: editorials, letters, comments, errata, news and retraction notices (not
evidence); citations without an abstract unless `ingest.title_only_citations`. A
`DeleteCitation` withdraws its PMIDs; a retraction notice withdraws (as retracted) the PMIDs
it retracts; a citation typed "Retracted Publication", or linked to a notice by
`RetractionIn`, is stored marked retracted (see `Document.retraction`).
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from medcite.errors import BadEncoding, EmptySource, MalformedSource
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, SourceItem, Withdrawal
from medcite.sources.medline import Citation, read_citation, text_of
from medcite.sources.pubmed_kinds import is_evidence, kind_from_metadata, load_kind_model
from medcite.types import DocKind

log = logging.getLogger(__name__)

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_MARKERS = (b"<PubmedArticleSet", b"<PubmedArticle>", b"<!DOCTYPE PubmedArticleSet")
# MeSH check tags: on most citations, they say nothing of the subject (not searched with it).
CHECK_TAGS = frozenset(
    {
        "Humans", "Animals", "Male", "Female", "Adult", "Aged", "Aged, 80 and over",
        "Middle Aged", "Young Adult", "Adolescent", "Child", "Child, Preschool", "Infant",
        "Infant, Newborn", "Pregnancy", "Mice", "Rats", "Dogs", "Cats", "Cattle", "Swine",
    }
)  # fmt: skip


class PubmedReader(Reader):
    name = "pubmed"
    extensions = (".xml", ".gz")
    streamed = True

    def accepts(self, path: Path, head: bytes) -> bool:
        name = path.name.lower()
        is_xml = name.endswith((".xml", ".xml.gz"))
        return is_xml and any(m in head for m in _MARKERS)

    def read(self, source: SourceFile) -> Iterator[SourceItem]:
        counts: Counter[str] = Counter()
        newest = ""
        with source.open() as stream:
            if _ENTITY.search(stream.read(4096)):
                raise MalformedSource(source.path, "ENTITY declarations are not allowed")
        with source.open() as stream:
            for element in pubmed_elements(source.path, stream):
                if element.tag == "DeleteCitation":
                    as_of = f"{newest or _today()}|9999"  # every version revised until then
                    for pmid in element.iterfind("PMID"):
                        counts["deleted"] += 1
                        yield Withdrawal(f"pubmed:{text_of(pmid)}", "deleted", as_of)
                    continue
                citation = read_citation(element)
                if citation is None:
                    counts["without PMID"] += 1
                    continue
                newest = max(newest, citation.revised)
                yield from _items(citation, source.title_only, counts)
        log.info("%s: %s", source.path.name, dict(counts))
        if not counts:
            raise EmptySource(source.path, "no PubMed citations")


def pubmed_elements(path: Path, stream: io.RawIOBase | io.BytesIO) -> Iterator[ET.Element]:
    """Each `PubmedArticle` and `DeleteCitation` as it ends, then cleared, so memory stays
    flat (the root keeps only the cleared shells)."""
    try:
        for _event, element in ET.iterparse(stream, events=("end",)):
            if element.tag in ("PubmedArticle", "DeleteCitation"):
                yield element
                element.clear()
            elif element.tag == "PubmedBookArticle":
                element.clear()
    except ET.ParseError as exc:
        raise MalformedSource(path, f"XML parse error: {exc}") from exc
    except LookupError as exc:  # the prolog names an encoding Python does not know
        raise BadEncoding(path, f"{exc}; re-save the file as UTF-8") from exc


def _items(citation: Citation, title_only: bool, counts: Counter[str]) -> Iterator[SourceItem]:
    for pmid in citation.retraction_of:
        yield Withdrawal(
            f"pubmed:{pmid}", "retracted", notice=f"retraction notice PMID {citation.pmid}"
        )
    if not is_evidence(citation):
        counts["not evidence"] += 1
        return
    if not citation.abstract and not title_only:
        counts["without abstract"] += 1
        return
    counts["citations"] += 1
    yield citation_document(citation)


def citation_document(citation: Citation) -> ParsedDocument:
    """The document for one citation."""
    kind, kind_from = _kind(citation)
    blocks = tuple(
        Block(part.text, _section(part.label, part.category)) for part in citation.abstract
    ) or (Block(citation.title, "Title"),)
    return ParsedDocument(
        key=f"pubmed:{citation.pmid}",
        title=citation.title or f"PubMed citation {citation.pmid}",
        source="PubMed",
        blocks=blocks,
        kind=kind,
        url=PUBMED_URL.format(citation.pmid),
        published=citation.published,
        authors=citation.authors,
        journal=citation.journal or citation.journal_abbrev or None,
        extra=_extra(citation, kind_from),
        revision=f"{citation.revised}|{citation.version:04d}",
    )


def _kind(citation: Citation) -> tuple[DocKind | None, str]:
    stated = kind_from_metadata(citation)
    if stated is not None:
        return stated, "publication type or MeSH"
    model = load_kind_model()
    predicted = model.predict(citation) if model is not None else None
    if predicted is None or predicted[0] == DocKind.OTHER:
        # not sure, or original research of unstated design: the text's own cues may state
        # it ("we conducted a retrospective cohort study"), else it is other
        return None, ""
    return predicted[0], f"fitted model ({predicted[1]:.2f})"


def _section(label: str, category: str) -> str:
    name = label or category
    if not name or name.upper() == "UNASSIGNED":
        return "Abstract"
    return name[0].upper() + name[1:].lower() if name.isupper() else name


def _extra(citation: Citation, kind_from: str) -> dict[str, str]:
    retracted = ""
    if "Retracted Publication" in citation.publication_types:
        retracted = "publication type Retracted Publication"
    elif citation.retraction_in:
        retracted = f"retraction notice PMID {citation.retraction_in[0]}"
    extra = {
        "pmid": citation.pmid,
        "doi": citation.doi,
        "pmcid": citation.pmcid,
        "year": str(citation.year or ""),
        "journal_abbrev": citation.journal_abbrev,
        "publication_type": "; ".join(citation.publication_types),
        "mesh": "; ".join(citation.mesh),
        "mesh_major": "; ".join(citation.major_mesh),
        "keywords": "; ".join(citation.keywords),
        "index_terms": "; ".join(
            dict.fromkeys([*(m for m in citation.mesh if m not in CHECK_TAGS), *citation.keywords])
        ),
        "kind_from": kind_from,
        "retracted": retracted,
        "status": citation.status,
    }
    return {key: value for key, value in extra.items() if value}


def _today() -> str:
    return date.today().isoformat()

"""PMC full text in JATS XML (`.nxml`, or `.xml` holding a JATS `<article>`).

One document per article (a `<pmc-articleset>`, as efetch returns, may hold several), keyed
on its PMCID (a global key: the same article fetched again
or found in another folder is the same document). Front matter gives the title, authors,
journal, date, DOI, PMID, PMCID and licence; the abstract and the body give the text, each
paragraph under its section's title ("Methods — Patients"); a table is one table passage
(label, caption, then a line per row with cells joined by " | ", then its footnotes); a
figure's label and caption are one caption passage. Reference lists, acknowledgements,
footnotes, appendices and supplementary material are not indexed, and citation markers
("[12]") are taken out of the text. Editorials, letters, corrections and other articles
that are not evidence are skipped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from medcite.errors import EmptySource, MalformedSource, UnsupportedFormat
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile
from medcite.sources.jats_front import Front, read_front
from medcite.sources.jats_text import inline_text, local_name
from medcite.sources.medline import Citation
from medcite.sources.pubmed_kinds import load_kind_model
from medcite.sources.xmlsafe import parse_xml
from medcite.types import DocKind, PassageKind

PMC_URL = "https://pmc.ncbi.nlm.nih.gov/articles/{}/"
_KINDS = {
    "case-report": DocKind.CASE_REPORT,
    "review-article": DocKind.REVIEW,
    "systematic-review": DocKind.SYSTEMATIC_REVIEW,
    "practice-guideline": DocKind.GUIDELINE,
    "guideline": DocKind.GUIDELINE,
}
NOT_EVIDENCE = frozenset(
    {
        "editorial",
        "letter",
        "correction",
        "retraction",
        "expression-of-concern",
        "news",
        "obituary",
        "book-review",
        "product-review",
        "announcement",
        "calendar",
        "reply",
        "addendum",
        "in-brief",
        "introduction",
    }
)
_SKIPPED = frozenset(
    {
        "title",
        "label",
        "ref-list",
        "fn-group",
        "ack",
        "app-group",
        "glossary",
        "sec-meta",
        "supplementary-material",
        "notes",
        "fn",
        "object-id",
        "alternatives",
    }
)
_BLOCKS = frozenset({"table-wrap", "fig", "list", "disp-quote", "boxed-text", "table-wrap-group"})


class JatsReader(Reader):
    name = "jats"
    extensions = (".nxml", ".xml")

    def accepts(self, path: Path, head: bytes) -> bool:
        if not super().accepts(path, head) or b"<article" not in head:
            return False
        return path.suffix.lower() == ".nxml" or any(
            marker in head
            for marker in (b"JATS", b"//NLM//DTD", b"<front>", b"jats", b"<pmc-articleset")
        )

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        articles = _parse(source.path, source.data, source.encoding)
        documents = [d for root in articles if (d := _article(source.path, root, len(articles)))]
        if not documents and len(articles) > 1:
            raise UnsupportedFormat(source.path, "none of its articles is evidence")
        yield from documents


def _article(path: Path, root: ET.Element, count: int) -> ParsedDocument | None:
    """One article's document; None for an article that is not evidence in a set of several
    (alone, it is refused with the reason)."""
    article_type = root.get("article-type", "").strip().casefold()
    if article_type in NOT_EVIDENCE:
        if count > 1:
            return None
        raise UnsupportedFormat(path, f"a {article_type} is not evidence")
    front = read_front(root)
    blocks = [*_abstract_blocks(root), *_body_blocks(root)]
    if not blocks:
        raise EmptySource(path, "no abstract or body text")
    return ParsedDocument(
        key=_key(front, path),
        title=front.title or path.stem,
        source="PubMed Central",
        blocks=tuple(blocks),
        kind=_kind(article_type, front),
        url=PMC_URL.format(front.pmcid) if front.pmcid else None,
        published=front.published,
        authors=front.authors,
        journal=front.journal or None,
        extra=_extra(front, article_type),
        revision=front.published.isoformat() if front.published else "",
    )


def _parse(path: Path, data: bytes, encoding: str | None = None) -> list[ET.Element]:
    """The articles of the file: its root `<article>`, or those of a `<pmc-articleset>` (what
    E-utilities' efetch returns)."""
    root = parse_xml(path, data, named=encoding, doctype=True)
    tag = local_name(root.tag)
    if tag == "article":
        return [root]
    articles = [a for a in root if local_name(a.tag) == "article"]
    if tag != "pmc-articleset" or not articles:
        raise MalformedSource(path, f"not a JATS article (root <{tag}>)")
    return articles


def _key(front: Front, path: Path) -> str:
    if front.pmcid:
        return f"pmc:{front.pmcid}"
    if front.doi:
        return f"doi:{front.doi}"
    return f"jats:{path.name}"


def _kind(article_type: str, front: Front) -> DocKind | None:
    """The article type, else the fitted model PubMed citations use (on the title and the
    abstract), else None: the text's cues decide (also when the model reads it as original
    research of unstated design)."""
    if article_type in _KINDS:
        return _KINDS[article_type]
    model = load_kind_model()
    if model is None or not front.abstract:
        return None
    citation = Citation(
        pmid=front.pmid, version=1, title=front.title, abstract=front.abstract, journal="",
        journal_abbrev="", authors=(), published=None, year=None, doi="", pmcid="", mesh=(),
        major_mesh=(), keywords=(), publication_types=(), revised="", status="",
        retraction_in=(), retraction_of=(),
    )  # fmt: skip
    predicted = model.predict(citation)
    if predicted is None or predicted[0] == DocKind.OTHER:
        return None  # original research of unstated design: the text's cues decide
    return predicted[0]


def _extra(front: Front, article_type: str) -> dict[str, str]:
    extra = {
        "pmcid": front.pmcid,
        "pmid": front.pmid,
        "doi": front.doi,
        "year": str(front.year or ""),
        "licence": front.licence,
        "article_type": article_type,
        "keywords": "; ".join(front.keywords),
        "index_terms": "; ".join(front.keywords),
    }
    return {k: v for k, v in extra.items() if v}


def _abstract_blocks(root: ET.Element) -> Iterator[Block]:
    for abstract in root.iterfind("front/article-meta/abstract"):
        if abstract.get("abstract-type") not in (None, "", "structured"):
            continue  # graphical, teaser, summary for editors
        yield from _walk(abstract, "Abstract")


def _body_blocks(root: ET.Element) -> Iterator[Block]:
    body = root.find("body")
    if body is not None:
        yield from _walk(body, None)


def _walk(element: ET.Element, section: str | None) -> Iterator[Block]:
    for child in element:
        tag = local_name(child.tag)
        if tag == "sec":
            if child.get("sec-type") not in ("supplementary-material", "display-objects"):
                title = inline_text(child.find("title")).rstrip(":").strip()
                title = title[:1].upper() + title[1:] if title.islower() else title
                named = " — ".join(p for p in (section, title) if p) or section
                yield from _walk(child, named)
        elif tag == "p":
            yield from _paragraph(child, section)
        elif tag in _BLOCKS:
            yield from _block(child, tag, section)
        elif tag not in _SKIPPED:
            yield from _walk(child, section)


def _paragraph(p: ET.Element, section: str | None) -> Iterator[Block]:
    """The paragraph's own text, then the tables, figures and lists it holds."""
    text = inline_text(p, skip=_BLOCKS)
    if text:
        yield Block(text, section)
    for child in _held_blocks(p):
        yield from _block(child, local_name(child.tag), section)


def _held_blocks(element: ET.Element) -> Iterator[ET.Element]:
    """The outermost tables, figures, lists and boxes inside a paragraph's inline markup."""
    for child in element:
        if local_name(child.tag) in _BLOCKS:
            yield child
        else:
            yield from _held_blocks(child)


def _block(element: ET.Element, tag: str, section: str | None) -> Iterator[Block]:
    if tag == "table-wrap":
        yield from _table(element, section)
    elif tag == "fig":
        caption = _caption(element)
        if caption:
            yield Block(caption, section, PassageKind.CAPTION, standalone=True)
    elif tag == "list":
        for item in element.iterfind("list-item"):
            yield from _walk(item, section)
    else:
        yield from _walk(element, section)


def _table(wrap: ET.Element, section: str | None) -> Iterator[Block]:
    lines = [_caption(wrap)]
    for row in wrap.iter():
        if local_name(row.tag) == "tr":
            cells = [inline_text(c) for c in row if local_name(c.tag) in ("td", "th")]
            if any(cells):
                lines.append(" | ".join(cells))
    for note in wrap.iterfind("table-wrap-foot"):
        lines += [inline_text(p) for p in note.iter() if local_name(p.tag) == "p"]
    text = "\n".join(line for line in lines if line)
    if text:
        yield Block(text, section, PassageKind.TABLE, standalone=True)


def _caption(element: ET.Element) -> str:
    label = inline_text(element.find("label"))
    caption = element.find("caption")
    parts = [inline_text(c) for c in caption] if caption is not None else []
    text = " ".join(p for p in parts if p)
    return f"{label} {text}".strip() if label else text

"""The front matter of a JATS article: ids, title, authors, journal, date, licence, abstract
structure (for the kind model)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

from medcite.sources.jats_text import inline_text
from medcite.sources.medline import AbstractPart

_DATE_PREFERENCE = ("epub", "pub", "ppub", "collection", "pmc-release")


@dataclass(frozen=True, slots=True)
class Front:
    title: str
    journal: str
    authors: tuple[str, ...]
    pmid: str
    pmcid: str
    doi: str
    published: date | None
    year: int | None
    licence: str
    keywords: tuple[str, ...]
    abstract: tuple[AbstractPart, ...]


def read_front(root: ET.Element) -> Front:
    meta = root.find("front/article-meta")
    journal = root.find("front/journal-meta")
    ids = {e.get("pub-id-type", ""): (e.text or "").strip() for e in _all(meta, "article-id")}
    pmcid = ids.get("pmc", "") or ids.get("pmcid", "")
    if pmcid and not pmcid.upper().startswith("PMC"):
        pmcid = f"PMC{pmcid}"
    published, year = _date(meta)
    return Front(
        title=inline_text(meta.find("title-group/article-title") if meta is not None else None),
        journal=_journal(journal),
        authors=_authors(meta),
        pmid=ids.get("pmid", ""),
        pmcid=pmcid.upper(),
        doi=ids.get("doi", ""),
        published=published,
        year=year,
        licence=_licence(meta),
        keywords=tuple(t for k in _all(meta, "kwd-group/kwd") if (t := inline_text(k))),
        abstract=_abstract(meta),
    )


def _all(element: ET.Element | None, path: str) -> list[ET.Element]:
    return element.findall(path) if element is not None else []


def _journal(journal: ET.Element | None) -> str:
    if journal is None:
        return ""
    for path in ("journal-title-group/journal-title", "journal-title"):
        if title := inline_text(journal.find(path)):
            return title
    ids = {e.get("journal-id-type"): (e.text or "").strip() for e in journal.iter("journal-id")}
    return ids.get("nlm-ta") or ids.get("iso-abbrev") or ""


def _authors(meta: ET.Element | None) -> tuple[str, ...]:
    names = []
    for contrib in _all(meta, "contrib-group/contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        collab = " ".join("".join(contrib.findtext("collab") or "").split())
        surname = (contrib.findtext("name/surname") or "").strip()
        given = (contrib.findtext("name/given-names") or "").strip()
        initials = "".join(part[0] for part in given.replace("-", " ").split() if part)
        name = collab or " ".join(p for p in (surname, initials) if p)
        if name:
            names.append(name)
    return tuple(names)


def _date(meta: ET.Element | None) -> tuple[date | None, int | None]:
    """The first full date by preference (electronic, print, collection), and its year."""
    dates: dict[str, ET.Element] = {}
    for element in _all(meta, "pub-date"):
        kind = element.get("pub-type") or element.get("date-type") or "pub"
        dates.setdefault(kind, element)
    year = None
    for kind in _DATE_PREFERENCE:
        found = dates.get(kind)
        if found is None:
            continue
        y, m, d = (found.findtext(t, "").strip() for t in ("year", "month", "day"))
        year = year or (int(y) if y.isdigit() else None)
        if y.isdigit() and m.isdigit() and d.isdigit():
            try:
                return date(int(y), int(m), int(d)), year
            except ValueError:
                continue
    return None, year


def _licence(meta: ET.Element | None) -> str:
    for licence in _all(meta, "permissions/license"):
        href = next((v for k, v in licence.attrib.items() if k.endswith("href")), "")
        first = inline_text(licence).split(". ")[0].strip()
        return href or first or licence.get("license-type", "")
    return ""


def _abstract(meta: ET.Element | None) -> tuple[AbstractPart, ...]:
    for abstract in _all(meta, "abstract"):
        if abstract.get("abstract-type") not in (None, "", "structured"):
            continue
        sections = abstract.findall("sec")
        if sections:
            return tuple(
                AbstractPart(inline_text(s), label=inline_text(s.find("title")).upper())
                for s in sections
            )
        return (AbstractPart(inline_text(abstract)),)
    return ()

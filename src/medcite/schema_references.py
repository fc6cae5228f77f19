"""The public JSON of an answer's references: one per document, its cited passages under it.

Answers saved before references became per-document (one reference per passage, with
`passage_id` at the top) still load: `upgrade_references` turns each into a one-passage
reference and gives each claim the passage ids its numbers named.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medcite.answer.citations import title_note
from medcite.types import Document, Passage, Reference

_LEGACY_PASSAGE_KEYS = ("passage_id", "document_id", "section", "start", "end", "passage")


class PublicModel(BaseModel):
    """The base of every public output shape: immutable once built."""

    model_config = ConfigDict(frozen=True)


class CitedPassagePublic(PublicModel):
    passage_id: str = Field(description="Id of the cited passage (`medcite show ID`).")
    document_id: str = Field(description="The document (version) the passage is from.")
    section: str | None = Field(description="Section of the source the passage is in.")
    start: int = Field(description="Offset of the passage in the cleaned document text.")
    end: int
    passage: str = Field(description="The full text of the cited passage.")


class VersionPublic(PublicModel):
    """Another version of the same label, whose cited passages are listed with the reference."""

    document_id: str
    title: str
    source: str = Field(description="Publisher or collection (for a label, its labeler).")
    date: dt.date | None = Field(description="Effective date of this version, if known.")
    url: str | None


class ReferencePublic(PublicModel):
    number: int = Field(description="The `[n]` used by claims: one number per document.")
    document_id: str
    title: str
    title_note: str | None = Field(
        default=None,
        description="Set when the source states no title: `title` is then described from "
        "its text (its 'we describe a case of ...' sentence) or is its file name.",
    )
    source: str = Field(description="Publisher or collection.")
    kind: str = Field(
        description="guideline | guideline_summary | drug_label | systematic_review | trial | "
        "observational | review | case_report | patient_education | other"
    )
    kind_label: str
    date: dt.date | None = Field(description="Most recent known date of the source, if any.")
    year: int | None = Field(
        default=None, description="Year of `date`, or a year the source states without a date."
    )
    url: str | None
    authors: list[str] = Field(default_factory=list, description="Authors, when stated.")
    journal: str | None = Field(default=None, description="Journal, when stated.")
    doi: str | None = Field(default=None, description="DOI, when stated.")
    pmid: str | None = Field(default=None, description="PubMed id, when known.")
    pmcid: str | None = Field(default=None, description="PubMed Central id, when known.")
    passages: list[CitedPassagePublic] = Field(
        description="The passages of this source that claims cite, in order of first citation."
    )
    also: list[VersionPublic] = Field(
        default_factory=list,
        description="Older versions of the same drug label cited under this reference.",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_passage_reference(cls, data: Any) -> Any:
        """A reference saved in the per-passage shape becomes a one-passage reference."""
        if isinstance(data, dict) and "passages" not in data and "passage_id" in data:
            passage = {key: data.get(key) for key in _LEGACY_PASSAGE_KEYS}
            return {**data, "passages": [passage]}
        return data


def upgrade_references(data: Any) -> Any:
    """A saved answer's JSON with per-passage references: claims get their passage ids."""
    if not isinstance(data, dict):
        return data
    references = data.get("references") or []
    legacy = {r["number"]: r["passage_id"] for r in references if _is_legacy(r)}
    if not legacy:
        return data
    data = copy.deepcopy(data)
    sections = data.get("sections") or []
    claims = [*data.get("bottom_line", []), *(c for s in sections for c in s.get("claims", []))]
    for claim in claims:
        if isinstance(claim, dict) and not claim.get("passage_ids"):
            claim["passage_ids"] = [legacy[n] for n in claim.get("citations", []) if n in legacy]
    return data


def _is_legacy(reference: Any) -> bool:
    return isinstance(reference, dict) and "passages" not in reference and "passage_id" in reference


def reference_public(r: Reference) -> ReferencePublic:
    d = r.document
    return ReferencePublic(
        number=r.number,
        document_id=d.id,
        title=d.title,
        title_note=title_note(d),
        source=d.source,
        kind=d.kind.value,
        kind_label=d.kind.label,
        date=d.date,
        year=d.year,
        url=d.url,
        authors=list(d.authors),
        journal=d.journal,
        doi=d.doi,
        pmid=d.extra.get("pmid") or None,
        pmcid=d.extra.get("pmcid") or None,
        passages=[_passage(p) for p in r.passages],
        also=[_version(v) for v in r.also],
    )


def _passage(p: Passage) -> CitedPassagePublic:
    return CitedPassagePublic(
        passage_id=p.id,
        document_id=p.document.id,
        section=p.section,
        start=p.start,
        end=p.end,
        passage=p.text,
    )


def _version(d: Document) -> VersionPublic:
    return VersionPublic(document_id=d.id, title=d.title, source=d.source, date=d.date, url=d.url)

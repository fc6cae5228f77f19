"""The one place that numbers citations and builds the reference list.

A reference is a document, not a passage: the claims' numbers name documents, and each
reference lists the passages of its document that claims cite. Versions of the same drug
label share one reference (see `same_label_key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from medcite.types import Claim, DocKind, Document, Passage, Reference

_TITLE_NOTES = {
    "case sentence": "described from its text, which states no title",
    "file name": "its file name: the text states no title",
}


def number_citations(
    claims: Sequence[Claim], passages: Mapping[str, Passage]
) -> tuple[list[Claim], list[Reference]]:
    """Number the cited documents in order of first citation and build one reference each.

    Ids that name no known passage are dropped; so is a claim left with no citation. A claim
    keeps its `passage_ids` and `support` per passage (verification is per passage), and its
    `citations` name each cited document once, in order of its first cited passage.
    """
    numbers: dict[str, int] = {}
    cited: dict[str, dict[str, Passage]] = {}  # source -> its cited passages by id
    numbered: list[Claim] = []
    for claim in claims:
        ids = [pid for pid in dict.fromkeys(claim.passage_ids) if pid in passages]
        if not ids:
            continue
        keys = [same_label_key(passages[pid].document) for pid in ids]
        for key, pid in zip(keys, ids, strict=True):
            numbers.setdefault(key, len(numbers) + 1)
            cited.setdefault(key, {})[pid] = passages[pid]
        numbered.append(
            replace(
                claim,
                passage_ids=tuple(ids),
                citations=tuple(dict.fromkeys(numbers[k] for k in keys)),
                support=tuple(s for s in claim.support if s.passage_id in ids),
            )
        )
    return numbered, [_reference(n, list(cited[key].values())) for key, n in numbers.items()]


def same_label_key(document: Document) -> str:
    """Documents with the same key are, for the reader, one source: versions of one label.

    Every document is its own source (its id) except drug labels read from SPL (they carry
    a `set_id`). Two SPL labels are versions of the same label text when they are of the same
    document type (prescription, OTC ...) and name the same brand names with the same active
    moieties: a repackager's or relabeler's label of Lipitor (atorvastatin) reproduces
    Pfizer's Lipitor label under its own set id and date. Labels naming no brand (generic
    products) are never merged, since each manufacturer of a generic writes its own label;
    neither is a label missing any of these facts. Labels of one set id are one document.
    """
    extra = document.extra
    facts = [extra.get(k, "") for k in ("set_id", "document_type", "brand_names")]
    moieties = extra.get("active_moieties", "")
    if document.kind is not DocKind.DRUG_LABEL or not all(facts) or not moieties:
        return f"document:{document.id}"
    return "label:" + "|".join([facts[1].casefold(), facts[2], moieties])


def title_note(document: Document) -> str | None:
    """Why a document's title is not one it states (see the text and PDF readers), if so."""
    return _TITLE_NOTES.get(document.extra.get("title_from", ""))


def _reference(number: int, passages: Sequence[Passage]) -> Reference:
    """The reference for one source: the newest cited version first, the others as `also`."""
    versions = sorted(_documents(passages), key=_newness, reverse=True)
    return Reference(number, versions[0], tuple(passages), tuple(versions[1:]))


def _documents(passages: Iterable[Passage]) -> list[Document]:
    return list({p.document.id: p.document for p in passages}.values())


def _newness(document: Document) -> tuple[date, int, str]:
    """Effective date (unknown dates oldest), then the label's version number, then id."""
    version = document.extra.get("version", "")
    return (document.date or date.min, int(version) if version.isdigit() else -1, document.id)

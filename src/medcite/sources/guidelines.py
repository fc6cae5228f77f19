"""Guideline summaries: a folder per guideline of Markdown topics, with a `registry.json`
beside the folders giving each guideline's title, organisation, year and DOI (the layout of
open-medicine's summaries); and the renal dose table (`renal_dose_adjustments.json`).

Each topic file is one document of kind *guideline summary*. These are secondary summaries
written by a third party, not the society's words: the reference says so in its source line
("Summary of the ACC/AHA guideline (2023) … — not the guideline's own text") and carries the
original guideline's organisation, year, title and DOI. Recommendation grades such as
"(Strong, High)" or "(Class I, LOE A)" stay in the text, where the answer finds them
(medcite/grades.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from medcite.errors import EmptySource, MalformedSource
from medcite.sources.base import ParsedDocument, Reader, SourceFile, decode_text
from medcite.sources.markdown_blocks import markdown_blocks
from medcite.types import DocKind

REGISTRY = "registry.json"
COLLECTION = "open-medicine guideline summaries (MIT licence)"
_TOOL_NOTE = re.compile(r"\bOpenMedicine Calculators?:|\bavailable via MCP\b")


@dataclass(frozen=True, slots=True)
class Guideline:
    """One registry entry: the original guideline a folder of summaries summarises."""

    id: str
    title: str
    organisation: str
    year: int | None
    doi: str


class GuidelineSummaryReader(Reader):
    """A Markdown topic inside a guideline's folder, that folder named in a registry.json
    beside it."""

    name = "guideline-summary"
    extensions = (".md", ".markdown")

    def accepts(self, path: Path, head: bytes) -> bool:
        return super().accepts(path, head) and guideline_for(path) is not None

    def related_files(self, path: Path) -> tuple[Path, ...]:
        return (path.parent.parent / REGISTRY,)

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        guideline = guideline_for(source.path)
        if guideline is None:
            raise MalformedSource(source.path, f"its folder is not in {REGISTRY}")
        title, blocks = markdown_blocks(decode_text(source.path, source.data))
        blocks = [b for b in blocks if not _TOOL_NOTE.search(b.text)]
        if not blocks:
            raise EmptySource(source.path)
        topic = source.path.stem.replace("_", " ")
        yield ParsedDocument(
            key=f"guideline-summary:{guideline.id}/{source.path.stem}",
            title=title or f"{topic.capitalize()} — {guideline.organisation} {guideline.year}",
            source=summary_source(guideline),
            blocks=tuple(blocks),
            kind=DocKind.GUIDELINE_SUMMARY,
            extra=_extra(guideline, topic),
        )


def summary_source(guideline: Guideline) -> str:
    """The reference's source line: whose guideline this summarises, and that it is a
    summary."""
    year = f" ({guideline.year})" if guideline.year else ""
    return (
        f"Summary of the {guideline.organisation} guideline{year} “{guideline.title}”, by "
        "open-medicine — not the guideline's own text"
    )


def _extra(guideline: Guideline, topic: str) -> dict[str, str]:
    extra = {
        "doi": guideline.doi,
        "year": str(guideline.year or ""),
        "organisation": guideline.organisation,
        "guideline": guideline.title,
        "guideline_id": guideline.id,
        "topic": topic,
        "summary_of": f"{guideline.organisation} {guideline.year}: {guideline.title}",
        "collection": COLLECTION,
    }
    return {k: v for k, v in extra.items() if v}


def guideline_for(path: Path) -> Guideline | None:
    """The registry entry of the folder a topic file sits in, if the registry has one."""
    registry = path.parent.parent / REGISTRY
    if not registry.is_file():
        return None
    return _registry(registry, registry.stat().st_mtime_ns).get(path.parent.name)


@lru_cache(maxsize=8)
def _registry(path: Path, _mtime: int) -> Mapping[str, Guideline]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # unreadable, not JSON, nested too deeply
        return {}
    if not isinstance(entries, list):
        return {}
    found = {}
    for entry in entries:
        if isinstance(entry, dict) and entry.get("id") and entry.get("title"):
            year = entry.get("year")
            found[str(entry["id"])] = Guideline(
                id=str(entry["id"]),
                title=str(entry["title"]),
                organisation=str(entry.get("organization") or entry.get("organisation") or ""),
                year=int(str(year)) if str(year).isdigit() else None,
                doi=str(entry.get("doi") or ""),
            )
    return found

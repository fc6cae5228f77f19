"""MedQuAD JSONL: one NIH question/answer pair a line, keyed on (source, qid)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from medcite.errors import EmptySource, RecordError
from medcite.ingest.clean import normalize_chars
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, SourceItem
from medcite.sources.jsonl import Line, jsonl_lines
from medcite.text import normalize_ws
from medcite.types import DocKind

log = logging.getLogger(__name__)

PUBLISHERS = {
    "CancerGov": "National Cancer Institute (NCI)",
    "GARD": "Genetic and Rare Diseases Information Center (GARD, NIH)",
    "GHR": "Genetics Home Reference (NLM, NIH)",
    "NIDDK": "National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)",
    "NINDS": "National Institute of Neurological Disorders and Stroke (NINDS)",
    "MPlusHealthTopics": "MedlinePlus Health Topics (NLM, NIH)",
    "NIHSeniorHealth": "NIHSeniorHealth (NIH)",
    "NHLBI": "National Heart, Lung, and Blood Institute (NHLBI)",
    "CDC": "Centers for Disease Control and Prevention (CDC)",
}
_REQUIRED = ("source", "qid", "question", "answer")
_OPTIONAL = ("qtype", "focus", "url")
_INLINE_BULLET = re.compile(r"\s{2,}-\s+")


class MedquadReader(Reader):
    name = "medquad"
    extensions = (".jsonl",)
    streamed = True  # a line at a time

    def accepts(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".jsonl" and b'"qid"' in head and b'"answer"' in head

    def read(self, source: SourceFile) -> Iterator[SourceItem]:
        count = 0
        for line in jsonl_lines(source):
            item = _item(line)
            if item is not None:
                count += isinstance(item, ParsedDocument)
                yield item
        if count == 0:
            raise EmptySource(source.path, "no MedQuAD records with an answer")


def _item(line: Line | RecordError) -> SourceItem | None:
    """The line's document, its error, or None for a record without an answer."""
    if isinstance(line, RecordError):
        return line
    try:
        record = _record(line)
    except RecordError as exc:
        return exc
    if record is None:
        return None
    doc = _document(record)
    return doc if doc.blocks else None


def _record(line: Line) -> dict[str, str] | None:
    """The record's fields as strings; None for an empty answer (skipped quietly)."""
    fields = {name: line.text(name) or "" for name in _REQUIRED}
    if not fields["answer"].strip():
        log.info("%s %s: empty answer skipped", line.path, line.where)
        return None
    if not fields["qid"].strip() or not fields["source"].strip():
        raise line.error("fields 'source' and 'qid' must not be empty")
    for name in _OPTIONAL:
        fields[name] = line.text(name, required=False) or ""
    return fields


def _document(record: dict[str, str]) -> ParsedDocument:
    source, qtype = record["source"], record.get("qtype", "")
    question = normalize_ws(record["question"]).replace(" ?", "?").replace("??", "?")
    section = qtype.capitalize() if qtype else None
    return ParsedDocument(
        key=f"medquad:{source}:{record['qid']}",
        title=question,
        source=PUBLISHERS.get(source, source) + ", via MedQuAD",
        blocks=tuple(Block(t, section) for t in _answer_blocks(record["answer"])),
        kind=DocKind.PATIENT_EDUCATION,
        url=record.get("url") or None,
        extra={
            "collection": "MedQuAD (Ben Abacha & Demner-Fushman, 2019), CC BY 4.0",
            "publisher_code": source,
            "focus": record.get("focus", ""),
            "qtype": qtype,
            "qid": record["qid"],
            "question": question,
        },
    )


def _answer_blocks(answer: str) -> list[str]:
    """Lines of the answer, with inline "  - item" bullets split into their own blocks."""
    blocks: list[str] = []
    for line in normalize_chars(answer).split("\n"):
        for part in _INLINE_BULLET.split(line):
            part = normalize_ws(part).removeprefix("- ")
            if part:
                blocks.append(part)
    return blocks

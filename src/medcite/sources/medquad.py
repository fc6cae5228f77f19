"""MedQuAD JSONL: one NIH question/answer pair a line, keyed on (source, qid)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from medcite.errors import EmptySource, MalformedSource
from medcite.ingest.clean import normalize_chars
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, decode_text
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
_INLINE_BULLET = re.compile(r"\s{2,}-\s+")


class MedquadReader(Reader):
    name = "medquad"
    extensions = (".jsonl",)

    def accepts(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".jsonl" and b'"qid"' in head and b'"answer"' in head

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        text = decode_text(source.path, source.data)
        count = 0
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            record = _parse_line(source.path, lineno, line)
            if record is None:
                continue
            doc = _document(record)
            if doc.blocks:
                count += 1
                yield doc
        if count == 0:
            raise EmptySource(source.path, "no MedQuAD records with an answer")


def _parse_line(path: Path, lineno: int, line: str) -> dict[str, str] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise MalformedSource(path, f"line {lineno}: {exc.msg}") from exc
    if not isinstance(record, dict) or any(k not in record for k in _REQUIRED):
        raise MalformedSource(path, f"line {lineno}: needs fields {', '.join(_REQUIRED)}")
    if not str(record["answer"]).strip():
        log.info("%s line %d: empty answer skipped", path, lineno)
        return None
    return {k: str(v) for k, v in record.items() if v is not None}


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

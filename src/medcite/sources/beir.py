"""BEIR-style corpus JSONL (`_id`, `text`, optional `title`, `pmid`, `section`).

Used for the BioASQ snippet corpus: snippets of one PubMed record become one document,
each snippet one passage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from medcite.errors import EmptySource, MalformedSource
from medcite.ingest.clean import normalize_chars
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, decode_text
from medcite.text import normalize_ws


class BeirReader(Reader):
    name = "beir"
    extensions = (".jsonl",)

    def accepts(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".jsonl" and b'"_id"' in head and b'"text"' in head

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        groups: dict[str, list[dict[str, str]]] = {}
        text = decode_text(source.path, source.data)
        for lineno, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                record = _record(source.path, lineno, line)
                groups.setdefault(record.get("pmid") or record["_id"], []).append(record)
        if not groups:
            raise EmptySource(source.path)
        for group_id, records in groups.items():
            yield _document(group_id, records)


def _record(path: Path, lineno: int, line: str) -> dict[str, str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise MalformedSource(path, f"line {lineno}: {exc.msg}") from exc
    if not isinstance(record, dict) or "_id" not in record or "text" not in record:
        raise MalformedSource(path, f"line {lineno}: needs fields _id and text")
    return {k: str(v) for k, v in record.items() if v is not None}


def _document(group_id: str, records: list[dict[str, str]]) -> ParsedDocument:
    title = next((r["text"] for r in records if r.get("section") == "title"), "")
    title = title or records[0].get("title", "") or normalize_ws(records[0]["text"])[:120]
    blocks = tuple(
        Block(normalize_ws(normalize_chars(r["text"])), r.get("section"), standalone=True)
        for r in records
        if r["text"].strip()
    )
    is_pubmed = group_id.isdigit()
    return ParsedDocument(
        key=f"pubmed:{group_id}" if is_pubmed else f"beir:{group_id}",
        title=normalize_ws(title),
        source="PubMed" if is_pubmed else "BEIR corpus",
        blocks=blocks,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{group_id}/" if is_pubmed else None,
        extra={"snippet_ids": " ".join(r["_id"] for r in records)},
    )

"""BEIR-style corpus JSONL (`_id`, `text`, optional `title`, `pmid`, `section`).

Used for the BioASQ snippet corpus: snippets of one PubMed record become one document,
each snippet one passage. A file's snippets are a retrieval corpus, not the citation itself:
they are grouped by PMID within the file and never across files (two halves of a split file
hold different snippets of the same paper; neither replaces the other), so the key is the
file's own (`beir:`), the PMID kept as metadata and link.

The file is streamed twice: the first pass counts each group's snippets (a file need not
keep a paper's snippets together, and the BioASQ corpus does not), the second yields each
group as soon as its last snippet is read, so only groups still open are held.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from medcite.errors import EmptySource, RecordError
from medcite.ingest.clean import normalize_chars
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, SourceItem
from medcite.sources.jsonl import Line, jsonl_lines
from medcite.text import normalize_ws

_OPTIONAL = ("title", "pmid", "section")


class BeirReader(Reader):
    name = "beir"
    extensions = (".jsonl",)
    streamed = True  # two passes, a line at a time

    def accepts(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".jsonl" and b'"_id"' in head and b'"text"' in head

    def read(self, source: SourceFile) -> Iterator[SourceItem]:
        sizes = Counter(
            _group(record)
            for record in map(_snippet, jsonl_lines(source))
            if not isinstance(record, RecordError)
        )
        if not sizes:
            raise EmptySource(source.path)
        open_groups: dict[str, list[dict[str, str]]] = {}
        for line in jsonl_lines(source):
            record = _snippet(line)
            if isinstance(record, RecordError):
                yield record
                continue
            group_id = _group(record)
            records = open_groups.setdefault(group_id, [])
            records.append(record)
            if len(records) == sizes[group_id]:
                del open_groups[group_id]
                yield _document(group_id, records)
        for group_id, records in open_groups.items():  # the file changed between the passes
            yield _document(group_id, records)


def _group(record: dict[str, str]) -> str:
    return record.get("pmid") or record["_id"]


def _snippet(line: Line | RecordError) -> dict[str, str] | RecordError:
    if isinstance(line, RecordError):
        return line
    try:
        return _record(line)
    except RecordError as exc:
        return exc


def _record(line: Line) -> dict[str, str]:
    """A snippet's fields as strings: `_id` and `text` required, the rest optional."""
    record = {"_id": line.text("_id") or "", "text": line.text("text") or ""}
    if not record["_id"].strip():
        raise line.error("field '_id' is empty")
    for name in _OPTIONAL:
        if value := line.text(name, required=False):
            record[name] = value
    return record


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
        key=f"beir:{group_id}",
        title=normalize_ws(title),
        source="PubMed" if is_pubmed else "BEIR corpus",
        blocks=blocks,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{group_id}/" if is_pubmed else None,
        extra={"snippet_ids": " ".join(r["_id"] for r in records)}
        | ({"pmid": group_id} if is_pubmed else {}),
    )

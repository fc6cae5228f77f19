"""Check the literature answer key (questions.jsonl beside this script) against the shared data.

For each item, its gold document is read with medcite's own reader (the text that is
indexed) and:
- every key alternative (`bottom_all`, `answer_all`) occurs in it verbatim (case-insensitive,
  whitespace collapsed), and is at most five words or a number with its unit;
- every piece of the `evidence` (pieces joined by " ... ") occurs in it;
- a `cite_any` string occurs in its title, source or url;
- the `cite_reference` facts a source states (year, DOI, PMID, journal or organisation) are
  the document's; the kind is the key's judgement and a different kind is only reported;
- no `forbid_any` string occurs in it;
- the question is answerable only from the new sources: no document of the shared key's
  sources (MedQuAD, the FDA labels, the seed case report) names its topic (`gold.topic`)
  and holds an alternative of every `bottom_all` group.

    PYTHONPATH=src python eval/keys/literature/verify_keys.py [--root ../shared]

Exit status 1 when any check fails.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medcite.errors import UnsupportedFormat
from medcite.ingest.pipeline import build_record
from medcite.settings import load_settings
from medcite.sources.base import ParsedDocument, SourceFile
from medcite.sources.registry import reader_for
from medcite.types import Document

HERE = Path(__file__).resolve().parent
OLD_SOURCES = (
    "data/corpus/medquad/medquad.jsonl",
    "data/corpus/fda-labels",
    "seeds/004_9451d828407b2fcc.txt",
)
_NUMBER_WITH_UNIT = re.compile(r"^[<>≤≥]?\s*[\d.,·–-]+\s*\S*$")


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def documents(path: Path) -> Iterator[ParsedDocument]:
    """The parsed documents of a file, or of every file in a folder, as medcite reads them."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.name.lower().startswith(("license", "copying", "readme")):
            continue
        try:
            reader = reader_for(file, _head(file))
        except UnsupportedFormat:  # files no reader takes (sections.csv, registry.json)
            continue
        source = SourceFile(file, b"" if reader.streamed else file.read_bytes())
        for item in reader.read(source):
            if isinstance(item, ParsedDocument):
                yield item


def _head(file: Path) -> bytes:
    if file.name.endswith(".gz"):
        with gzip.open(file) as unzipped:
            return unzipped.read(4096)
    with file.open("rb") as stream:
        return stream.read(4096)


def gold_document(root: Path, gold: dict[str, Any]) -> tuple[Document, str]:
    settings = load_settings()
    for parsed in documents(root / gold["document"]):
        if parsed.key == gold["key"]:
            record = build_record(parsed, None, settings, origin=gold["document"])
            return record.document, record.text
    raise SystemExit(f"gold document {gold['key']} not found in {gold['document']}")


def check_item(item: dict[str, Any], document: Document, text: str) -> list[str]:
    problems = []
    body = norm(" ".join([document.title, text]))
    for group in [*item.get("bottom_all", []), *item.get("answer_all", [])]:
        for key in group:
            if norm(key) not in body:
                problems.append(f"key {key!r} not in the gold document")
            if len(key.split()) > 5 and not _NUMBER_WITH_UNIT.match(key):
                problems.append(f"key {key!r} is longer than five words")
    for piece in item["gold"]["evidence"].split(" ... "):
        if norm(piece) not in body:
            problems.append(f"evidence not found: {piece[:70]!r}")
    cited = norm(" ".join(filter(None, (document.title, document.source, document.url))))
    if not any(norm(s) in cited for s in item.get("cite_any", [])):
        problems.append(f"no cite_any string in the title, source or url: {cited[:90]!r}")
    problems += _reference_problems(item.get("cite_reference", {}), document)
    problems += [f"forbidden {s!r} is in the gold document" for s in item.get("forbid_any", [])
                 if norm(s) in body]  # fmt: skip
    return problems


def _reference_problems(expected: dict[str, str], document: Document) -> list[str]:
    publisher = norm(" ".join(filter(None, (document.journal, document.source))))
    shown = {
        "year": str(document.year),
        "doi": (document.doi or "").casefold(),
        "pmid": document.extra.get("pmid", ""),
    }
    problems = []
    for name, value in expected.items():
        if name == "publisher" and norm(value) not in publisher:
            problems.append(f"publisher {value!r} not in {publisher[:80]!r}")
        elif name in shown and shown[name] != value.casefold():
            problems.append(f"{name} {value!r} but the document states {shown[name]!r}")
    return problems


def old_source_answers(root: Path, items: list[dict[str, Any]]) -> dict[str, str]:
    """item id -> the first old-source document naming the item's topic and holding a key of
    every bottom_all group."""
    found: dict[str, str] = {}
    settings = load_settings()
    for relative in OLD_SOURCES:
        for parsed in documents(root / relative):
            text = norm(build_record(parsed, None, settings, origin="").text + " " + parsed.title)
            for item in items:
                groups = item.get("bottom_all", [])
                if item["id"] in found or not groups:
                    continue
                topic = any(norm(t) in text for t in item["gold"]["topic"])
                if topic and all(any(norm(k) in text for k in group) for group in groups):
                    found[item["id"]] = parsed.title
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=load_settings().corpus.root)
    parser.add_argument("--key", type=Path, default=HERE / "questions.jsonl")
    args = parser.parse_args(argv)
    items = [json.loads(line) for line in args.key.read_text("utf-8").splitlines() if line]
    failures = 0
    for item in items:
        document, text = gold_document(args.root, item["gold"])
        problems = check_item(item, document, text)
        kind = item.get("cite_reference", {}).get("kind")
        note = (
            f" (medcite reads it as {document.kind.value})"
            if kind and kind != document.kind.value
            else ""
        )
        print(f"{item['id']} {'FAIL' if problems else 'ok'}{note}")
        for problem in problems:
            print(f"    {problem}")
        failures += bool(problems)
    elsewhere = old_source_answers(args.root, items)
    for item_id, title in elsewhere.items():
        print(f"{item_id} FAIL: answerable from an old source too: {title[:80]}")
    failures += len(elsewhere)
    print(f"{len(items)} items, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

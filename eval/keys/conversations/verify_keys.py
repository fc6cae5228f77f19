"""Check every key of the conversation set against its gold source, verbatim.

    python eval/keys/conversations/verify_keys.py [--shared ../shared]

For each item (see README.md beside this file): every `bottom_all` / `answer_all`
alternative is at most five words (or a number with its unit) and occurs in the gold
document; every piece of `evidence` (pieces joined by " ... ") occurs in it and the evidence
holds an alternative of every key group; a `cite_any` string occurs in the gold document's
title, source, url or file name; no `forbid_any` string occurs in it; every `carried_all`
alternative is named in the conversation's earlier turns; and the names of a must-abstain
item (`gold.absent`) occur nowhere in the three sources. Matching is case-insensitive after
collapsing whitespace, as in the scoring. Exits 1 naming each failure.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEDQUAD = "data/corpus/medquad/medquad.jsonl"
LABELS = "data/corpus/fda-labels"
CASE = "seeds/004_9451d828407b2fcc.txt"


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def xml_text(path: Path) -> str:
    """An SPL file's text without markup (entities decoded), as one string."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    return html.unescape(re.sub(r"<[^>]+>", " ", raw))


class Corpus:
    """The three sources of the key, read once."""

    def __init__(self, shared: Path) -> None:
        self.shared = shared
        self.medquad = {}
        for line in (shared / MEDQUAD).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                self.medquad[(r["source"], r["qid"])] = r
        self.labels = {p.name: xml_text(p) for p in sorted((shared / LABELS).glob("*.xml"))}
        self.case = (shared / CASE).read_text(encoding="utf-8")

    def gold(self, gold: dict[str, str]) -> tuple[str, str]:
        """(text, title/source/url/file) of an item's gold document."""
        source, where = gold["source"], gold.get("qid_or_file", "")
        if source.startswith("MedQuAD"):
            r = self.medquad[(source.split()[1], where)]
            return r["answer"], " ".join([r["focus"], r["question"], r["url"], r["source"]])
        if source.startswith("FDA"):
            name = where.split("/")[1].split()[0]
            text = self.labels[name]
            return text, name + " " + text[:3000]
        return self.case, CASE

    def everything(self) -> str:
        parts = [r["answer"] + " " + r["focus"] for r in self.medquad.values()]
        return norm(" ".join([*parts, *self.labels.values(), self.case]))


def short(alternative: str) -> bool:
    return len(alternative.split()) <= 5 or bool(re.fullmatch(r"[\d.,]+\s*\S+", alternative))


def check(item: dict, corpus: Corpus, everything: str) -> list[str]:
    """The failures of one item."""
    if item.get("abstain"):
        return [
            f"absent name occurs in the corpus: {name}"
            for name in item["gold"].get("absent", [])
            if norm(name) in everything
        ] or ([] if item["gold"].get("absent") else ["must-abstain item names no absent term"])
    text, about = corpus.gold(item["gold"])
    doc, label = norm(text), norm(about)
    groups = [*item.get("bottom_all", []), *item.get("answer_all", [])]
    failures = [
        f"key not in gold: {alt!r}" for group in groups for alt in group if norm(alt) not in doc
    ]
    failures += [
        f"key longer than five words: {alt!r}" for g in groups for alt in g if not short(alt)
    ]
    pieces = [p for p in item["gold"]["evidence"].split(" ... ") if p.strip()]
    failures += [f"evidence not in gold: {p[:60]!r}" for p in pieces if norm(p) not in doc]
    evidence = norm(" ".join(pieces))
    failures += [
        f"evidence lacks group {g}" for g in groups if not any(norm(a) in evidence for a in g)
    ]
    if not any(norm(c) in label or norm(c) in doc for c in item.get("cite_any", [])):
        failures.append(f"cite_any matches nothing: {item.get('cite_any')}")
    failures += [
        f"forbidden string in gold: {s!r}" for s in item.get("forbid_any", []) if norm(s) in doc
    ]
    earlier = norm(" ".join(item.get("history", [])))
    failures += [
        f"carried_all not in the earlier turns: {g}"
        for g in item.get("carried_all", [])
        if not any(norm(a) in earlier for a in g)
    ]
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parents[3] / "shared")
    parser.add_argument("--key", type=Path, default=HERE / "questions.jsonl")
    args = parser.parse_args()
    corpus = Corpus(args.shared)
    everything = corpus.everything()
    items = [json.loads(line) for line in args.key.read_text().splitlines() if line.strip()]
    bad = 0
    for item in items:
        for failure in check(item, corpus, everything):
            bad += 1
            print(f"{item['id']}: {failure}")
    print(f"{len(items)} items, {bad} failures")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

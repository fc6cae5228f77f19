"""Files that overlap, ingested in random orders: is every record of every file still findable?

A MedQuAD file, a second one sharing a third of its records, a 10-record excerpt of the first,
and a BEIR file split in two (each PubMed record's snippets spread over both halves); at the
end the excerpt is cut to 5 records and ingested again (its other 5 are still in the first
file, so they must stay). Whether
anything is lost depends on how documents are identified across files (issue 13's policy);
this trial only measures it.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from contextlib import closing
from pathlib import Path

from bench.reliability.common import Tally

from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import load_settings

_MARK = re.compile(r"zq(?:rec|snip)\d+x\d*")


def _medquad(path: Path, ids: range) -> set[str]:
    rows = [
        {
            "source": "GARD",
            "qid": f"R{i}",
            "question": f"What is condition {i} ?",
            "answer": f"Condition {i} is rare (marker zqrec{i}x).",
        }
        for i in ids
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return {f"zqrec{i}x" for i in ids}


def _beir(path: Path, pmids: range, snippet: int) -> set[str]:
    rows = [
        {
            "_id": f"S{p}-{snippet}",
            "pmid": str(p),
            "text": f"Finding {snippet} of {p} zqsnip{p}x{snippet}.",
        }
        for p in pmids
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return {f"zqsnip{p}x{snippet}" for p in pmids}


def _files(folder: Path) -> dict[Path, set[str]]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        folder / "a.jsonl": _medquad(folder / "a.jsonl", range(0, 300)),
        folder / "b.jsonl": _medquad(folder / "b.jsonl", range(200, 500)),
        folder / "excerpt.jsonl": _medquad(folder / "excerpt.jsonl", range(0, 10)),
        folder / "pubmed-1.jsonl": _beir(folder / "pubmed-1.jsonl", range(1, 51), 1),
        folder / "pubmed-2.jsonl": _beir(folder / "pubmed-2.jsonl", range(1, 51), 2),
    }


def _found(home: Path) -> set[str]:
    with closing(sqlite3.connect(home / "medcite.sqlite3")) as db:
        texts = [str(r[0]) for r in db.execute("SELECT text FROM passages")]
    return {m.group() for text in texts for m in _MARK.finditer(text)}


def overlapping_ingests(work: Path, trials: int, rng: random.Random) -> Tally:
    files = _files(work / "overlap-corpus")
    expected = set().union(*files.values())
    tally = Tally()
    total_lost = 0
    for trial in range(trials):
        home = work / f"overlap-{trial}"
        order = list(files)
        rng.shuffle(order)
        order += rng.sample(list(files), k=rng.randint(1, len(files)))  # some again
        library = Library(load_settings(home=home))
        for path in order:
            ingest([path], library)
        excerpt = work / "overlap-corpus" / "excerpt.jsonl"
        _medquad(excerpt, range(0, 5))  # edited: records R5-R9 remain in a.jsonl only
        ingest([excerpt], library)
        _medquad(excerpt, range(0, 10))
        library.close()
        lost = expected - _found(home)
        total_lost += len(lost)
        names = " → ".join(p.stem for p in order) + " → excerpt cut to 5"
        tally.add(
            "orders losing records" if lost else "orders losing nothing",
            f"{names}: {len(lost)} lost",
        )
    tally.counts["records lost"] = total_lost
    tally.counts["records that should be findable"] = len(expected) * trials
    return tally

"""Lexical-only ingest of the default corpus (what `make demo` does), against an anchor.

Each run, in its own freshly spawned process:
1. the anchor: the parsing any reader of these files cannot avoid — MedQuAD's lines through
   `json.loads`, the 2021 PubMed file gunzipped and walked with `ElementTree.iterparse` —
   without medcite;
2. `ingest` of every `corpus.sources` entry into an empty data directory (no embedding), timed
   per source and in total.
Medians over the runs are printed as a Markdown table with the ratio of the ingest to the
anchor measured in the same run (the machine is shared: the ratio moves less than the
seconds). Issue 13's target: the whole default corpus in at most 90 s.

    .venv/bin/python bench/bench_ingest.py [--runs 3] [--json bench/results/ingest-default.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TARGET_S = 90.0
MEDQUAD = Path("data/corpus/medquad/medquad.jsonl")
PUBMED = Path("data/corpus/pubmed/pubmed21n1298.xml.gz")


def anchor_job(root: str) -> float:
    """Seconds to json-parse MedQuAD and iterparse the gunzipped PubMed file."""
    started = time.perf_counter()
    with (Path(root) / MEDQUAD).open(encoding="utf-8") as lines:
        for line in lines:
            json.loads(line)
    with gzip.open(Path(root) / PUBMED) as stream:
        for _event, element in ET.iterparse(stream):
            if element.tag == "PubmedArticle":
                element.clear()
    return time.perf_counter() - started


def ingest_job(home: str) -> dict[str, Any]:
    """Ingest every corpus source into `home`: seconds per source and in total."""
    from medcite.index import Library
    from medcite.ingest.pipeline import ingest
    from medcite.settings import load_settings

    settings = load_settings(home=Path(home), retrieval={"embedder": "none"})
    started = time.perf_counter()
    library = Library(settings)
    per_source: dict[str, float] = {}
    documents = passages = 0
    failed: list[str] = []
    for source in settings.corpus.resolved():
        t = time.perf_counter()
        report = ingest([source.path], library, kind=source.kind)
        per_source[source.path.name] = time.perf_counter() - t
        documents += sum(o.documents for o in report.outcomes)
        passages += report.passages
        failed += [o.detail for o in report.outcomes if o.status == "failed"]
    library.close()
    total = time.perf_counter() - started
    return {
        "seconds": total,
        "per_source": per_source,
        "documents": documents,
        "passages": passages,
        "failed": failed,
    }


def run_once(root: str, scratch: Path, n: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        anchor = pool.submit(anchor_job, root).result()
    home = scratch / f"run{n}"
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        figures = pool.submit(ingest_job, str(home)).result()
    return {**figures, "anchor_seconds": anchor, "ratio": figures["seconds"] / anchor}


def medians(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    names = runs[0]["per_source"].keys()
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "anchor_seconds": statistics.median(r["anchor_seconds"] for r in runs),
        "ratio": statistics.median(r["ratio"] for r in runs),
        "per_source": {n: statistics.median(r["per_source"][n] for r in runs) for n in names},
        "documents": runs[-1]["documents"],
        "passages": runs[-1]["passages"],
    }


def table(result: dict[str, Any], runs: int) -> str:
    rows = [
        "| measure | value |",
        "|---|---|",
        f"| default corpus, lexical ingest (median of {runs}) | {result['seconds']:.1f} s "
        f"(target ≤ {TARGET_S:.0f} s) |",
        f"| anchor: json + iterparse of the same raw files | {result['anchor_seconds']:.1f} s |",
        f"| ingest / anchor | {result['ratio']:.2f} |",
        f"| documents, passages | {result['documents']:,}, {result['passages']:,} |",
    ]
    rows += [f"| {name} | {s:.1f} s |" for name, s in result["per_source"].items()]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--root", type=Path, default=None, help="corpus.root (default: ../shared)")
    args = parser.parse_args(argv)
    from medcite.settings import load_settings

    root = args.root or load_settings().corpus.root
    runs = []
    with tempfile.TemporaryDirectory(prefix="mc-bench-ingest-") as scratch:
        for n in range(args.runs):
            print(f"run {n + 1} of {args.runs}…", file=sys.stderr)
            runs.append(run_once(str(Path(root).resolve()), Path(scratch), n))
    result = medians(runs)
    print(table(result, args.runs))
    if args.json:
        context = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}",
            "python": platform.python_version(),
        }
        payload = {"median": result, "runs": runs, "context": context}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

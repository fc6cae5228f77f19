"""The reranker's document evidence two ways, on the same candidates in one run: from the
term counts the store keeps per document (what an ask does), and by fetching and analysing
every passage of every candidate document (what it did before `index/stats.py`).

Runs on the BioASQ evaluation library (`medcite eval retrieval --dataset bioasq` builds it
under <home>/eval/bioasq), lexical candidates with expansion, the first `--questions`
questions; checks that both give the same scores and prints the median time of each.

    .venv/bin/python bench/bench_document_evidence.py [--home ~/.medcite] [--questions 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("~/.medcite"))
    parser.add_argument("--root", type=Path, default=ROOT, help="the shared folder")
    parser.add_argument("--questions", type=int, default=300)
    args = parser.parse_args()

    from medcite.index import Library
    from medcite.retrieve.documents import DocumentEvidence, with_document_scores
    from medcite.retrieve.pipeline import RetrievalPlan, document_evidence, fused_hits
    from medcite.settings import load_settings
    from medcite.types import Passage
    from medcite.understand.query import understand

    home = args.home.expanduser() / "eval" / "bioasq"
    if not (home / "medcite.sqlite3").exists():
        raise SystemExit(f"no evaluation library at {home}: run medcite eval retrieval first")
    library = Library(load_settings(home=home, retrieval={"embedder": "none"}))
    path = args.root / "data/eval/bioasq/questions.jsonl"
    with path.open(encoding="utf-8") as lines:
        asked = [json.loads(line)["body"] for line in lines][: args.questions]
    plan, lexical, store = RetrievalPlan(dense=False), library.lexical, library.store
    kept_ms, fetched_ms = [], []
    for question in asked:
        query = understand(question, lexical.doc_freq, lexical.size())
        head = fused_hits(query, library, plan)[0][: plan.rerank_depth]
        started = time.perf_counter()
        evidence = document_evidence(library, head, None)
        kept = with_document_scores(query, head, evidence, lexical.doc_freq, lexical.size())
        kept_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        docs = list(dict.fromkeys(h.passage.document.id for h in head))
        groups: dict[str, list[Passage]] = {}
        for passage in store.passages_of(docs):
            groups.setdefault(passage.document.id, []).append(passage)
        old = DocumentEvidence.of_passages(groups, store.mean_document_chars(), {})
        fetched = with_document_scores(query, head, old, lexical.doc_freq, lexical.size())
        fetched_ms.append(1000 * (time.perf_counter() - started))
        assert [h.scores for h in kept] == [h.scores for h in fetched], question
    print(f"{len(asked)} BioASQ questions, {store.corpus_stats().passages:,} passages")
    library.close()
    print("| document evidence | p50 ms | p95 ms |\n|---|---|---|")
    for name, times in (("kept term counts", kept_ms), ("every passage fetched", fetched_ms)):
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"| {name} | {statistics.median(times):.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()

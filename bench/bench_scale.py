"""One machine to a million passages: ingest, disk, asks and first ask as the library grows.

For each size (default 100k, 300k and 1M passages) the bench generates a library
deterministically from shared text — sentences of the BioASQ snippet corpus and MedQuAD
answers recombined into passages of 2–5 sentences, one to six passages per document under a
real title, written as BEIR JSONL shards of 50k passages (a size's shards are the first ones
of the next size) — and measures, in the same run, medcite and raw tantivy on the same
passages:

- ingest: medcite's lexical ingest (`medcite ingest`, no vectors) in a fresh process, against
  a raw tantivy build of the same shards (json.loads each line, one writer, one commit);
  passages per second, peak RSS of each process, and disk per passage beyond the raw text
  (store + lexical index, vectors not counted);
- first ask: wall time of `medcite ask` in a new process (imports, opening the library,
  answering), median over `--first` runs;
- warm asks: `Engine.ask` on BioASQ questions (lexical + expansion + rerank, no vectors)
  after a warm-up, p50/p95, the retrieve stage's p50, against a raw tantivy BM25 search of
  each question's analysed words on medcite's own index.

Read the ratios, not the seconds: this machine is shared.

    .venv/bin/python bench/bench_scale.py                         # 100k, 300k, 1M
    .venv/bin/python bench/bench_scale.py --sizes 100000 --json bench/results/scale.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SHARD = 50_000
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIOASQ = SHARED / "eval" / "bioasq"
MEDQUAD = SHARED / "corpus" / "medquad" / "medquad.jsonl"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# -- the corpus -------------------------------------------------------------------------


def _pools() -> tuple[list[str], list[str]]:
    """Sentences and titles of the shared BioASQ snippets and MedQuAD answers, in file order."""
    sentences: list[str] = []
    titles: list[str] = []

    def add(text: str) -> None:
        sentences.extend(
            " ".join(s.split()) for s in _SENTENCE_END.split(text) if 30 < len(s) < 400
        )

    for line in (BIOASQ / "corpus.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        if record.get("section") == "title":
            titles.append(record["text"])
        else:
            add(record["text"])
    for line in MEDQUAD.open(encoding="utf-8"):
        record = json.loads(line)
        titles.append(record.get("question") or "")
        add(record.get("answer") or "")
    return sentences, [t for t in titles if t]


def _records(n: int) -> Iterator[dict[str, str]]:
    sentences, titles = _pools()
    rng = random.Random(17)
    i = doc = 0
    while i < n:
        doc += 1
        title = rng.choice(titles)
        for _ in range(rng.randint(1, 6)):
            if i == n:
                return
            text = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
            yield {"_id": f"P{i:07d}", "pmid": f"G{doc}", "title": title, "text": text}
            i += 1


def make_corpus(folder: Path, n: int) -> list[Path]:
    """Shards of `SHARD` passages holding the first `n` (generated once, reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    count = -(-n // SHARD)
    shards = [folder / f"shard{k:03d}.jsonl" for k in range(count)]
    if all(s.exists() for s in shards):
        return shards
    out = None
    for i, record in enumerate(_records(count * SHARD)):
        if i % SHARD == 0:
            if out:
                out.close()
            out = (folder / f"shard{i // SHARD:03d}.jsonl").open("w", encoding="utf-8")
        assert out is not None
        out.write(json.dumps(record) + "\n")
    if out:
        out.close()
    return shards


# -- child processes --------------------------------------------------------------------

RAW_BUILD = """
import json, resource, sys, time
import tantivy
started = time.perf_counter()
builder = tantivy.SchemaBuilder()
builder.add_text_field("id", stored=True, tokenizer_name="raw")
builder.add_text_field("title")
builder.add_text_field("text")
index = tantivy.Index(builder.build(), path=sys.argv[1])
writer = index.writer(heap_size=128_000_000, num_threads=2)
for shard in sys.argv[2:]:
    with open(shard, encoding="utf-8") as lines:
        for line in lines:
            r = json.loads(line)
            writer.add_document(tantivy.Document(id=r["_id"], title=r["title"], text=r["text"]))
writer.commit()
writer.wait_merging_threads()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": time.perf_counter() - started, "rss": rss}))
"""

INGEST = """
import json, resource, sys, time
from pathlib import Path
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import load_settings
started = time.perf_counter()
settings = load_settings(home=Path(sys.argv[1]), retrieval={"embedder": "none"})
library = Library(settings)
report = ingest([Path(p) for p in sys.argv[2:]], library)
seconds = time.perf_counter() - started
from medcite.understand import prepare_vocabularies
prepare_vocabularies()  # what `medcite ingest` does last: a new process's first ask needs them
library.close()
failed = [o.detail for o in report.outcomes if o.status == "failed"]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "rss": rss, "passages": report.passages, "failed": failed}))
"""

WARM = """
import json, statistics, sys, time
from pathlib import Path
from medcite.engine import Engine
from medcite.index.lexical import TermGroup
from medcite.settings import load_settings
from medcite.text import terms
settings = load_settings(home=Path(sys.argv[1]), retrieval={"embedder": "none"})
questions = json.loads(sys.argv[2])
rounds = int(sys.argv[3])
engine = Engine(settings)
for q in questions[:5]:
    engine.ask(q)
asks, retrieves, raws = [], [], []
for _ in range(rounds):
    for q in questions:
        started = time.perf_counter()
        answer = engine.ask(q)
        asks.append((time.perf_counter() - started) * 1000)
        retrieves.append(answer.timings.get("retrieve", 0.0))
        group = TermGroup(tuple(dict.fromkeys(terms(q))))
        started = time.perf_counter()
        engine.library.lexical.search([group], 100)
        raws.append((time.perf_counter() - started) * 1000)
engine.close()
asks.sort()
print(json.dumps({
    "ask_p50": statistics.median(asks),
    "ask_p95": asks[min(len(asks) - 1, round(0.95 * len(asks)) - 1)],
    "retrieve_p50": statistics.median(retrieves),
    "raw_p50": statistics.median(raws),
}))
"""


def _child(script: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"a measuring process failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _first_ask(home: Path, question: str) -> float:
    env = os.environ | {"MEDCITE_HOME": str(home), "MEDCITE_RETRIEVAL__EMBEDDER": "none"}
    command = [str(Path(sys.executable).parent / "medcite"), "ask", question]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"`medcite ask` failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def _disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _raw_text_bytes(shards: Sequence[Path]) -> int:
    total = 0
    for shard in shards:
        with shard.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                total += len(record["text"].encode()) + len(record["title"].encode())
    return total


def _questions(n: int) -> list[str]:
    with (BIOASQ / "questions.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line)["body"] for _, line in zip(range(n), lines, strict=False)]


# -- one size ---------------------------------------------------------------------------


def measure(size: int, scratch: Path, args: argparse.Namespace) -> dict[str, Any]:
    shards = make_corpus(scratch / "corpus", size)
    shard_args = [str(s) for s in shards]
    raw_dir, home = scratch / f"raw-{size}", scratch / f"home-{size}"
    for folder in (raw_dir, home):
        shutil.rmtree(folder, ignore_errors=True)
    raw_dir.mkdir()
    print(f"{size:,}: raw tantivy build…", file=sys.stderr)
    raw = _child(RAW_BUILD, str(raw_dir), *shard_args)
    print(f"{size:,}: medcite ingest…", file=sys.stderr)
    ingest = _child(INGEST, str(home), *shard_args)
    if ingest["failed"]:
        raise SystemExit(f"ingest failed: {ingest['failed']}")
    questions = _questions(args.questions)
    print(f"{size:,}: first asks and warm asks…", file=sys.stderr)
    first = [_first_ask(home, questions[i % len(questions)]) for i in range(args.first)]
    warm = _child(WARM, str(home), json.dumps(questions), str(args.rounds))
    passages = int(ingest["passages"])
    beyond = (_disk(home) - _raw_text_bytes(shards)) / passages
    return {
        "passages": passages,
        "ingest_pps": passages / ingest["seconds"],
        "raw_pps": passages / raw["seconds"],
        "ingest_ratio": ingest["seconds"] / raw["seconds"],
        "ingest_rss_mb": ingest["rss"] / 1e6,
        "raw_rss_mb": raw["rss"] / 1e6,
        "disk_beyond_text_kb": beyond / 1000,
        "raw_disk_kb": _disk(raw_dir) / passages / 1000,
        "first_ask_s": statistics.median(first),
        **warm,
        "retrieve_ratio": warm["retrieve_p50"] / max(warm["raw_p50"], 1e-6),
    }


ROWS = (  # the passages head the columns
    ("ingest passages/s (target ≥ 5,000)", "{ingest_pps:,.0f}"),
    ("raw tantivy build passages/s", "{raw_pps:,.0f}"),
    ("ingest ÷ raw tantivy build time (target ≤ 2)", "{ingest_ratio:.1f}×"),
    ("ingest peak RSS (target ≤ 1 GB)", "{ingest_rss_mb:,.0f} MB"),
    ("raw tantivy peak RSS", "{raw_rss_mb:,.0f} MB"),
    ("disk per passage beyond the raw text (target ≤ 1.0 kB)", "{disk_beyond_text_kb:.2f} kB"),
    ("raw tantivy index per passage", "{raw_disk_kb:.2f} kB"),
    ("first ask in a new process (target ≤ 2 s)", "{first_ask_s:.1f} s"),
    ("warm ask p50 (target ≤ 150 ms)", "{ask_p50:.0f} ms"),
    ("warm ask p95 (target ≤ 400 ms)", "{ask_p95:.0f} ms"),
    ("retrieve stage p50", "{retrieve_p50:.0f} ms"),
    ("raw tantivy query p50", "{raw_p50:.1f} ms"),
    ("retrieve ÷ raw tantivy query (target ≤ 3)", "{retrieve_ratio:.1f}×"),
)


def table(results: Sequence[dict[str, Any]]) -> str:
    head = "| measure | " + " | ".join(f"{r['passages']:,}" for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]
    for label, fmt in ROWS:
        cells = " | ".join(fmt.format(**r) for r in results)
        lines.append(f"| {label} | {cells} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=30, help="BioASQ questions asked")
    parser.add_argument("--rounds", type=int, default=2, help="times each question is asked")
    parser.add_argument("--first", type=int, default=3, help="new processes timed per size")
    parser.add_argument("--scratch", type=Path, help="keep corpora and libraries here")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mc-bench-scale-") as tmp:
        scratch = args.scratch or Path(tmp)
        results = []
        for size in sorted(args.sizes):
            results.append(measure(size, scratch, args))
            print(table(results), file=sys.stderr)
    print(table(results))
    if args.json:
        context = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}",
            "peak_rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
        }
        args.json.write_text(json.dumps({"context": context, "results": results}, indent=2))


if __name__ == "__main__":
    main()

"""The two MiniLM embedders side by side: numpy fp32 (`minilm`) and onnxruntime int8
(`minilm-int8`), on the same texts in one run.

Texts: every `--step`-th BioASQ snippet (titles and abstracts) and every `--step`-th
MedQuAD answer passage as medcite indexes them, up to `--passages` of each; questions: the
first `--queries` BioASQ questions. Printed as one Markdown table:
- batch throughput (passages/s; batches of the embedder's size, texts sorted by length as
  `medcite embed` sorts them), and the ratio int8 / numpy;
- one-question latency (median, ms);
- agreement: cosine between the two embedders' vectors of the same text (mean, min), and
  the overlap of each question's 10 nearest passages under the two (mean).

    .venv/bin/python bench/bench_embedders.py [--passages 200] [--queries 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]
ROOT = Path(__file__).resolve().parents[2] / "shared"
BIOASQ = Path("data/eval/bioasq")
MEDQUAD = Path("data/corpus/medquad/medquad.jsonl")


def bioasq_snippets(root: Path, n: int, step: int) -> list[str]:
    out: list[str] = []
    with (root / BIOASQ / "corpus.jsonl").open(encoding="utf-8") as lines:
        for i, line in enumerate(lines):
            if i % step == 0:
                out.append(json.loads(line)["text"])
            if len(out) >= n:
                break
    return out


def medquad_passages(root: Path, n: int, step: int) -> list[str]:
    """Every step-th MedQuAD record ingested by medcite into a scratch library: its passages
    as `medcite embed` would embed them."""
    from medcite.index import Library
    from medcite.index.dense import embedding_text
    from medcite.ingest.pipeline import ingest
    from medcite.settings import load_settings

    with tempfile.TemporaryDirectory() as scratch:
        sample = Path(scratch) / "medquad.jsonl"
        with (root / MEDQUAD).open(encoding="utf-8") as lines:
            picked = [line for i, line in enumerate(lines) if i % step == 0][:n]
        sample.write_text("".join(picked), encoding="utf-8")
        settings = load_settings(home=Path(scratch) / "home", retrieval={"embedder": "none"})
        library = Library(settings)
        try:
            ingest([sample], library)
            store = library.store
            texts = [embedding_text(p) for p in store.passages_of(store.document_ids())]
        finally:
            library.close()
    return texts[:n]


def questions(root: Path, n: int) -> list[str]:
    with (root / BIOASQ / "questions.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line)["body"] for line, _ in zip(lines, range(n), strict=False)]


def throughput(embed: Callable[[list[str]], Floats], texts: list[str], batch: int) -> float:
    """Passages per second over length-sorted batches."""
    ordered = sorted(texts, key=len)
    started = time.perf_counter()
    for i in range(0, len(ordered), batch):
        embed(ordered[i : i + batch])
    return len(texts) / (time.perf_counter() - started)


def query_ms(embed: Callable[[list[str]], Floats], texts: Sequence[str]) -> float:
    times = []
    for text in texts:
        started = time.perf_counter()
        embed([text])
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def top10_overlap(a: Floats, b: Floats, qa: Floats, qb: Floats) -> float:
    overlaps = []
    for x, y in zip(qa, qb, strict=True):
        near_a = set(np.argsort(-(a @ x))[:10].tolist())
        near_b = set(np.argsort(-(b @ y))[:10].tolist())
        overlaps.append(len(near_a & near_b) / 10)
    return float(np.mean(overlaps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the shared folder")
    parser.add_argument("--passages", type=int, default=200, help="of each corpus")
    parser.add_argument("--step", type=int, default=37, help="take every step-th text")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per embedder")
    args = parser.parse_args()

    from medcite.index.embedders import MiniLMEmbedder, MiniLMInt8Embedder

    fp32, int8 = MiniLMEmbedder(), MiniLMInt8Embedder()
    sets = {
        "BioASQ snippets": bioasq_snippets(args.root, args.passages, args.step),
        "MedQuAD passages": medquad_passages(args.root, args.passages, args.step),
    }
    asked = questions(args.root, args.queries)
    rows: list[tuple[str, str]] = []
    vectors: dict[str, list[Floats]] = {fp32.name: [], int8.name: []}
    for label, texts in sets.items():
        mean_chars = sum(map(len, texts)) / len(texts)
        for model in (fp32, int8):
            model.embed(texts[:8])  # warm-up
            batches = range(0, len(texts), 32)
            vectors[model.name].append(np.vstack([model.embed(texts[i : i + 32]) for i in batches]))
        speed: dict[str, list[float]] = {"fp32": [], "int8": []}
        for _ in range(args.rounds):  # alternated, so both see the same load
            for name, model in (("fp32", fp32), ("int8", int8)):
                speed[name].append(throughput(model.embed, texts, model.batch_size))
        fp, i8 = statistics.median(speed["fp32"]), statistics.median(speed["int8"])
        rows += [
            (
                f"{label} ({len(texts)}, mean {mean_chars:.0f} chars): numpy fp32",
                f"{fp:.1f} passages/s",
            ),
            (f"{label}: onnxruntime int8", f"{i8:.1f} passages/s"),
            (
                f"{label}: int8 / numpy (median of {args.rounds} alternated rounds)",
                f"{i8 / fp:.2f}×",
            ),
        ]
    for name, model in (("fp32", fp32), ("int8", int8)):
        rows.append(
            (
                f"one question ({len(asked)} BioASQ questions): {name}, median",
                f"{query_ms(model.embed, asked):.1f} ms",
            )
        )
    a, b = np.vstack(vectors[fp32.name]), np.vstack(vectors[int8.name])
    cosines = np.sum(a * b, axis=1)
    rows.append(
        (
            "cosine fp32 vs int8, same text: mean / min",
            f"{cosines.mean():.4f} / {cosines.min():.4f}",
        )
    )
    qa, qb = fp32.embed(asked), int8.embed(asked)
    rows.append(
        (
            "top-10 neighbours of each question among the passages: overlap",
            f"{top10_overlap(a, b, qa, qb):.3f}",
        )
    )
    print(f"\ncores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}\n")
    print("| measure | value |\n|---|---|")
    for measure, value in rows:
        print(f"| {measure} | {value} |")


if __name__ == "__main__":
    main()

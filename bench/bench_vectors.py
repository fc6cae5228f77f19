"""The vector index at scale: segments, float16 storage, the HNSW graph and a mapped reader.

Vectors: the first `--real` BioASQ corpus texts embedded by `minilm-int8` (cached in
`--cache`, so a second run embeds nothing), then synthetic rows up to `--size`
(`--synth mix`: each a random convex mix of two real vectors plus noise of norm `--noise`,
renormalised; `--synth tile`: the real vectors repeated, each copy moved by noise), written
through `ExactIndex.replace` in appends of `--append` rows. Queries: the first `--queries`
BioASQ questions, embedded the same way. Printed as one Markdown table:
- storage: the exact top 100 of each question over the real vectors stored as float16, and
  as int8 with a per-row scale, against float32 (mean overlap);
- the index: append time, exact search (median ms), graph build time, HNSW search (p50/p95
  ms) and recall@100 against exact at several search widths;
- a fresh process that opens the mapped index and runs one query: time and RSS;
- one more append and the graph extended with it;
- the two embedders' throughput on `--embedder-texts` BioASQ snippets (the functions of
  `bench_embedders.py`).

    .venv/bin/python bench/bench_vectors.py [--size 1000000] [--real 20000] [--queries 200]
        [--synth mix|tile] [--connectivity 16] [--expansion-add 64] [--factors 1,2,3,4]
        [--json bench/results/vectors.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_embedders import bioasq_snippets, questions, throughput

Floats = npt.NDArray[np.float32]
ROOT = Path(__file__).resolve().parents[2] / "shared"
K = 100


def real_vectors(root: Path, n: int, queries: int, cache: Path) -> tuple[Floats, Floats]:
    """(passages, questions) embedded by minilm-int8, through the project's cache."""
    from medcite.index.embedders import EmbeddingCache, MiniLMInt8Embedder, embed_cached

    with (root / "data/eval/bioasq/corpus.jsonl").open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line, _ in zip(lines, range(n), strict=False)]
    embedder, store = MiniLMInt8Embedder(), EmbeddingCache(cache / "embeddings.sqlite3")
    try:
        passages = np.vstack(
            [embed_cached(embedder, texts[i : i + 1000], store) for i in range(0, n, 1000)]
        )
        asked = embedder.embed(questions(root, queries))
    finally:
        store.close()
    return passages, asked


def synthetic(real: Floats, size: int, noise: float, how: str, seed: int = 0) -> Floats:
    """`size` rows: the real ones, then rows made from them. `tile`: the real ones repeated,
    each copy moved by noise (every passage then has size/len(real) near-copies of itself:
    clusters no graph links well); `mix`: a random convex mix of two random real rows plus
    noise (rows spread over the space the real ones span)."""
    rng = np.random.default_rng(seed)
    out = np.empty((size, real.shape[1]), dtype=np.float32)
    out[: len(real)] = real[:size]
    for start in range(len(real), size, len(real)):
        n = min(len(real), size - start)
        if how == "tile":
            piece = real[:n].copy()
        else:
            weight = rng.uniform(size=(n, 1)).astype(np.float32)
            piece = weight * real[rng.integers(len(real), size=n)]
            piece += (1 - weight) * real[rng.integers(len(real), size=n)]
        jitter = rng.normal(size=piece.shape).astype(np.float32)
        piece += noise * jitter / np.linalg.norm(jitter, axis=1, keepdims=True)
        out[start : start + n] = piece / np.linalg.norm(piece, axis=1, keepdims=True)
    return out


def exact_top(matrix: Floats, queries: Floats, k: int) -> npt.NDArray[np.intp]:
    """The exact top k rows of each query (one pass over the rows, float32)."""
    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 0), dtype=np.intp)
    for start in range(0, len(matrix), 65_536):
        scores = queries @ matrix[start : start + 65_536].astype(np.float32).T
        rows = np.broadcast_to(np.arange(start, start + scores.shape[1]), scores.shape)
        scores = np.hstack([best_scores, scores])
        rows = np.hstack([best_rows, rows])
        keep = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best_scores = np.take_along_axis(scores, keep, axis=1)
        best_rows = np.take_along_axis(rows, keep, axis=1)
    return best_rows


def overlap(a: npt.NDArray[np.intp], b: npt.NDArray[np.intp]) -> float:
    return float(np.mean([len(set(x) & set(y)) / len(x) for x, y in zip(a, b, strict=True)]))


def storage_rows(real: Floats, asked: Floats) -> list[tuple[str, str]]:
    """Exact top-100 overlap of float16 and int8 (per-row scale) storage with float32."""
    truth = exact_top(real, asked, K)
    half = real.astype(np.float16).astype(np.float32)
    scale = np.abs(real).max(axis=1, keepdims=True) / 127
    int8 = np.round(real / scale).astype(np.int8).astype(np.float32) * scale
    n = f"{len(real):,} real vectors, {len(asked)} questions"
    return [
        (f"storage: float16 vs float32, exact top-{K} overlap ({n})", _f(truth, half, asked)),
        (
            f"storage: int8 + per-row scale vs float32, exact top-{K} overlap",
            _f(truth, int8, asked),
        ),
        ("storage: bytes per 384-d row, float32 / float16 / int8", "1536 / 768 / 388"),
    ]


def _f(truth: npt.NDArray[np.intp], stored: Floats, asked: Floats) -> str:
    return f"{overlap(truth, exact_top(stored, asked, K)):.4f}"


def write_index(path: Path, matrix: Floats, append: int) -> float:
    from medcite.index.vectors import ExactIndex

    index = ExactIndex(path, matrix.shape[1])
    started = time.perf_counter()
    for start in range(0, len(matrix), append):
        stop = min(start + append, len(matrix))
        rows = [(f"p{i:07d}", f"d{i:07d}") for i in range(start, stop)]
        index.replace([], rows, matrix[start:stop])
    return time.perf_counter() - started


def search_rows(
    path: Path, asked: Floats, truth: list[set[str]], factors: list[int]
) -> list[tuple[str, str]]:
    """HNSW search at several widths (× the hits asked): p50/p95 ms, recall@100 vs exact."""
    from medcite.index import vectors

    rows = []
    for factor in factors:
        vectors.SEARCH_FACTOR = factor
        index = vectors.HnswIndex(path, asked.shape[1])
        index.search(asked[0], K)  # maps the graph
        times, recall = [], []
        for query, exact in zip(asked, truth, strict=True):
            started = time.perf_counter()
            found = index.search(query, K)
            times.append(1000 * (time.perf_counter() - started))
            recall.append(len({r.passage_id for r in found} & exact) / K)
        p50, p95 = statistics.median(times), float(np.percentile(times, 95))
        rows.append(
            (
                f"HNSW top-{K}, search width {factor * K}: p50 / p95 latency, recall@{K} vs exact",
                f"{p50:.2f} / {p95:.2f} ms, {np.mean(recall):.3f}",
            )
        )
    return rows


FRESH = """
import sys, time
import numpy as np
from medcite.index.vectors import HnswIndex
started = time.perf_counter()
index = HnswIndex(__import__("pathlib").Path(sys.argv[1]), 384)
found = index.search(np.load(sys.argv[2]), 100)
ms = 1000 * (time.perf_counter() - started)
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
mb = {key: int(status[key].split()[0]) / 1024 for key in ("VmHWM", "VmRSS")}
print(len(found), ms, mb["VmHWM"], mb["VmRSS"])
"""


def fresh_process(path: Path, query: Floats) -> tuple[str, str]:
    """A new process opens the mapped index and asks once: peak RSS, open + search time."""
    file = path.parent / "query.npy"
    np.save(file, query)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    done = subprocess.run(
        [sys.executable, "-c", FRESH, str(path), str(file)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    hits, ms, peak, rss = done.stdout.split()
    return (
        f"fresh process: open the mapped index + one top-{K} search ({hits} hits)",
        f"{float(ms):.0f} ms, RSS {float(rss):.0f} MB (peak {float(peak):.0f} MB)",
    )


def embedder_rows(root: Path, n: int) -> list[tuple[str, str]]:
    from medcite.index.embedders import MiniLMEmbedder, MiniLMInt8Embedder

    texts = bioasq_snippets(root, n, 37)
    speeds = {}
    for model in (MiniLMEmbedder(), MiniLMInt8Embedder()):
        model.embed(texts[:8])
        speeds[model.variant] = throughput(model.embed, texts, model.batch_size)
    return [
        (
            f"embedders on {n} BioASQ snippets: numpy fp32 / onnxruntime int8",
            f"{speeds['fp32']:.1f} / {speeds['int8']:.1f} passages/s "
            f"({speeds['int8'] / speeds['fp32']:.2f}×)",
        )
    ]


def index_rows(args: argparse.Namespace, real: Floats, asked: Floats) -> list[tuple[str, str]]:
    """Write the tiled rows, build the graph, search it and a fresh process, extend it."""
    from medcite.index import vectors

    matrix = synthetic(real, args.size, args.noise, args.synth)
    made = {
        "tile": "tiled, each copy moved by noise",
        "mix": "then random convex mixes of two of them plus noise",
    }[args.synth]
    rows = [
        (
            "vectors",
            f"{args.size:,} × {real.shape[1]}: {len(real):,} real MiniLM (minilm-int8) vectors "
            f"of BioASQ texts, {made} (norm {args.noise}), renormalised",
        )
    ]
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        path = Path(scratch) / "v"
        seconds = write_index(path, matrix, args.append)
        index = vectors.ExactIndex(path, real.shape[1])
        rows.append(
            (
                f"append {args.size:,} rows in appends of {args.append:,} (float16 segments)",
                f"{seconds:.1f} s, {len(index.snapshot.segments)} segments, "
                f"{_du(path) / 2**20:.0f} MB",
            )
        )
        truth = [{f"p{i:07d}" for i in top} for top in exact_top(matrix, asked, K)]
        del matrix
        rows.append(exact_row(index, asked))
        started = time.perf_counter()
        vectors.HnswIndex(path, real.shape[1]).build()
        rows.append(
            (
                f"build the HNSW graph (connectivity {vectors.CONNECTIVITY}, expansion_add "
                f"{vectors.EXPANSION_ADD}, {os.cpu_count()} threads)",
                f"{time.perf_counter() - started:.0f} s, "
                f"graph {_du(path, 'graph-') / 2**20:.0f} MB",
            )
        )
        rows += search_rows(path, asked, truth, [int(f) for f in args.factors.split(",")])
        rows.append(fresh_process(path, asked[1]))
        rows.append(extend_row(path, real[: args.append // 10]))
    return rows


def exact_row(index: Any, asked: Floats) -> tuple[str, str]:
    times = []
    for query in asked[:10]:
        started = time.perf_counter()
        index.search(query, K)
        times.append(1000 * (time.perf_counter() - started))
    return (
        f"exact top-{K} (`ExactIndex`: usearch's exact kernel on the mapped rows), median of 10",
        f"{statistics.median(times):.0f} ms",
    )


def extend_row(path: Path, extra: Floats) -> tuple[str, str]:
    """What `medcite embed` does after an append: the graph extended, not rebuilt."""
    from medcite.index.vectors import HnswIndex

    index = HnswIndex(path, extra.shape[1])
    rows = [(f"x{i:07d}", f"x{i:07d}") for i in range(len(extra))]
    index.replace([], rows, extra)
    started = time.perf_counter()
    index.build()
    return (
        f"append {len(extra):,} more rows, then extend the graph (load, add, save)",
        f"{time.perf_counter() - started:.0f} s",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the shared folder")
    parser.add_argument("--size", type=int, default=1_000_000, help="rows in the index")
    parser.add_argument("--real", type=int, default=20_000, help="real vectors, tiled")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--synth", choices=["mix", "tile"], default="mix")
    parser.add_argument("--noise", type=float, default=0.1, help="norm of the added noise")
    parser.add_argument("--append", type=int, default=100_000, help="rows per append")
    parser.add_argument("--connectivity", type=int, default=None)
    parser.add_argument("--expansion-add", type=int, default=None)
    parser.add_argument("--factors", default="1,2,3,4", help="search widths / hits to measure")
    parser.add_argument("--embedder-texts", type=int, default=150, help="0: skip")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "mc-vectors")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()

    from medcite.index import vectors

    vectors.CONNECTIVITY = args.connectivity or vectors.CONNECTIVITY
    vectors.EXPANSION_ADD = args.expansion_add or vectors.EXPANSION_ADD
    args.cache.mkdir(parents=True, exist_ok=True)
    real, asked = real_vectors(args.root, args.real, args.queries, args.cache)
    rows = storage_rows(real, asked) + index_rows(args, real, asked)
    if args.embedder_texts:
        rows += embedder_rows(args.root, args.embedder_texts)
    print(f"\ncores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}\n")
    print("| measure | value |\n|---|---|")
    for measure, value in rows:
        print(f"| {measure} | {value} |")
    if args.json:
        args.json.write_text(json.dumps(dict(rows), indent=2) + "\n", encoding="utf-8")


def _du(path: Path, prefix: str = "") -> int:
    return sum(f.stat().st_size for f in path.rglob(f"{prefix}*") if f.is_file())


if __name__ == "__main__":
    main()

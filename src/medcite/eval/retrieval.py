"""Retrieval quality on gold judgments: BioASQ (ranking a pool) and MEDIQA (reordering answers).

Every configuration in `CONFIGURATIONS` is one row of the ablation table, with quality
metrics and the latency of the retrieval stage (understanding excluded).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medcite.eval.datasets import Bioasq, BioasqQuestion, Split, load_bioasq
from medcite.eval.metrics import (
    first_occurrences,
    mean_over,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
)
from medcite.index import Library
from medcite.retrieve.pipeline import RetrievalPlan, rank_passages
from medcite.settings import Settings
from medcite.types import Hit, Query
from medcite.understand.query import understand

log = logging.getLogger(__name__)
EvalProgress = Callable[[str, int, int], None]  # (what, done, total)

LEXICAL = RetrievalPlan(dense=False, expansion=False, reranker="none")
CONFIGURATIONS: tuple[tuple[str, RetrievalPlan], ...] = (
    ("lexical (BM25)", LEXICAL),
    ("lexical + expansion", replace(LEXICAL, expansion=True)),
    ("dense (MiniLM)", replace(LEXICAL, lexical=False, dense=True)),
    ("hybrid RRF", replace(LEXICAL, dense=True)),
    ("hybrid weighted sum", replace(LEXICAL, dense=True, fusion="weighted")),
    ("hybrid RRF + expansion", replace(LEXICAL, dense=True, expansion=True)),
    ("lexical + expansion + rerank", replace(LEXICAL, expansion=True, reranker="linear")),
    ("hybrid RRF + rerank", replace(LEXICAL, dense=True, reranker="linear")),
    (
        "hybrid RRF + expansion + rerank",
        replace(LEXICAL, dense=True, expansion=True, reranker="linear"),
    ),
)
BIOASQ_METRICS = (
    "doc nDCG@10",
    "doc R@10",
    "doc R@100",
    "doc MRR@10",
    "snip nDCG@10",
    "snip R@10",
    "snip R@100",
    "snip MRR@10",
)


@dataclass(frozen=True, slots=True)
class Row:
    """One configuration's results."""

    configuration: str
    metrics: dict[str, float]
    p50_ms: float | None = None
    p95_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Report:
    dataset: str
    description: str
    metrics: tuple[str, ...]
    rows: tuple[Row, ...]
    queries: int
    settings_hash: str
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def eval_settings(settings: Settings, name: str) -> Settings:
    """Settings of an evaluation's own data directory, sharing the main embedding cache and
    the main models directory (the local LLM writer's model files)."""
    cache = settings.retrieval.embedding_cache or settings.data_dir / "embeddings.sqlite3"
    retrieval = settings.retrieval.model_copy(update={"embedding_cache": cache})
    llm = settings.llm.model_copy(update={"models_dir": settings.models_dir})
    return settings.model_copy(
        update={"home": settings.data_dir / "eval" / name, "retrieval": retrieval, "llm": llm}
    )


def lexical_only(settings: Settings) -> Settings:
    """The same settings with dense retrieval off: nothing is embedded, dense rows skipped."""
    retrieval = settings.retrieval.model_copy(update={"embedder": "none"})
    return settings.model_copy(update={"retrieval": retrieval})


def distractor_sources(settings: Settings) -> list[Path]:
    """MedQuAD, indexed beside the BioASQ pool so that the pool is not all biomedical."""
    medquad = settings.corpus.root / "data/corpus/medquad/medquad.jsonl"
    return [medquad] if medquad.is_file() else []


def open_eval_library(
    settings: Settings,
    data: Bioasq,
    progress: EvalProgress | None = None,
    *,
    distractors: bool = True,
    embed: bool = True,
) -> Library:
    """The BioASQ (+ MedQuAD) library, ingested and embedded on first use, then cached;
    `embed=False` leaves the vectors as they are (lexical evaluations need none)."""
    from medcite.ingest.pipeline import ingest  # the readers: only when building it

    library = Library(eval_settings(settings, "bioasq" if distractors else "bioasq-pool"))
    paths = [data.corpus, *(distractor_sources(settings) if distractors else [])]
    report = ingest(paths, library)
    failed = [o.detail for o in report.outcomes if o.status == "failed"]
    if failed:
        log.warning("evaluation corpus: %s", "; ".join(failed))
    if embed:
        library.sync_vectors((lambda d, t: progress("embedding", d, t)) if progress else None)
    return library


def evaluate_bioasq(
    settings: Settings,
    *,
    split: Split = "test",
    limit: int | None = None,
    configurations: Sequence[tuple[str, RetrievalPlan]] = CONFIGURATIONS,
    progress: EvalProgress | None = None,
    distractors: bool = True,
) -> Report:
    """nDCG@10, recall@10/100 and MRR@10 at document and snippet level, per configuration,
    over the BioASQ pool with MedQuAD beside it as distractors (or the pool alone)."""
    data = load_bioasq(settings.eval_dir / "bioasq")
    library = open_eval_library(settings, data, progress, distractors=distractors)
    try:
        questions = [q for q in data.select(split, limit) if q.pmids]
        queries = [eval_query(q.body, library) for q in questions]
        rows = []
        usable = _usable(configurations, library)
        for n, (name, plan) in enumerate(usable, start=1):
            if progress:
                progress(name, n, len(usable))
            rows.append(_bioasq_row(name, plan, questions, queries, library, data))
        with_medquad = distractors and distractor_sources(settings)
        pool = "BioASQ pool" + (" + MedQuAD distractors" if with_medquad else " alone")
        description = (
            f"{pool} ({library.store.passage_count():,} passages); {split} split, "
            f"{len(questions)} questions; {data.judged_pmids_missing} judged PMIDs absent "
            "from the pool are left out"
        )
        return Report(
            "bioasq",
            description,
            BIOASQ_METRICS,
            tuple(rows),
            len(questions),
            settings.fingerprint(),
        )
    finally:
        library.close()


def _usable(
    configurations: Sequence[tuple[str, RetrievalPlan]], library: Library
) -> list[tuple[str, RetrievalPlan]]:
    dense_ready = library.dense is not None and library.dense.vectors.size() > 0
    if not dense_ready:
        log.warning("no vectors in the evaluation library: dense configurations are skipped")
    return [(n, p) for n, p in configurations if dense_ready or not p.dense]


def eval_query(question: str, library: Library) -> Query:
    """The question understood as `medcite ask` would on the library."""
    lexical = library.lexical
    k = library.settings.retrieval.k
    return understand(question, lexical.doc_freq, lexical.size(), k=k, is_topic=lexical.is_topic)


def run_plan(
    plan: RetrievalPlan, queries: Sequence[Query], library: Library
) -> tuple[list[list[Hit]], list[float]]:
    """Rankings and per-query latency (ms) of one configuration, after one warm-up query."""
    rank_passages(queries[0], library, plan)
    rankings, latencies = [], []
    for query in queries:
        started = time.perf_counter()
        rankings.append(rank_passages(query, library, plan))
        latencies.append((time.perf_counter() - started) * 1000)
    return rankings, latencies


def _bioasq_row(
    name: str,
    plan: RetrievalPlan,
    questions: Sequence[BioasqQuestion],
    queries: Sequence[Query],
    library: Library,
    data: Bioasq,
) -> Row:
    rankings, latencies = run_plan(plan, queries, library)
    per_metric: dict[str, list[tuple[float, dict[str, float]]]] = {m: [] for m in BIOASQ_METRICS}
    for question, hits in zip(questions, rankings, strict=True):
        snippets = [_snippet_id(h) for h in hits]
        docs = first_occurrences(
            data.snippet_pmid.get(s, "") if s else f"other:{h.passage.document.id}"
            for s, h in zip(snippets, hits, strict=True)
        )
        snips = [s or f"other:{h.passage.id}" for s, h in zip(snippets, hits, strict=True)]
        for level, ranking, relevant in (
            ("doc", docs, question.pmids),
            ("snip", snips, question.snippets),
        ):
            rel = dict.fromkeys(relevant, 1.0)
            per_metric[f"{level} nDCG@10"].append((ndcg_at_k(ranking, rel, 10), rel))
            per_metric[f"{level} R@10"].append((recall_at_k(ranking, rel, 10), rel))
            per_metric[f"{level} R@100"].append((recall_at_k(ranking, rel, 100), rel))
            per_metric[f"{level} MRR@10"].append((mrr_at_k(ranking, rel, 10), rel))
    metrics = {m: round(mean_over(v), 4) for m, v in per_metric.items()}
    return Row(
        name, metrics, round(percentile(latencies, 50), 1), round(percentile(latencies, 95), 1)
    )


def _snippet_id(hit: Hit) -> str | None:
    """The BioASQ snippet a passage is (passages of a BEIR document follow its snippet ids)."""
    ids = hit.passage.document.extra.get("snippet_ids", "").split()
    return ids[hit.passage.seq] if hit.passage.seq < len(ids) else None

"""MEDIQA 2019 task 3: reorder each question's candidate answers; compare with the original order.

Expert scores (1 incorrect, 2 related, 3 incomplete, 4 excellent) are graded relevance with
gain = score - 1, so an incorrect answer gains nothing; precision@1 and MRR count an answer
as correct when its score is 3 or 4, as the task's own accuracy did. The candidates are not
in the index, so each is scored directly: BM25 with term statistics from the evaluation
library, cosine with the question, and the same fusion and reranker as retrieval.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from medcite.eval.datasets import MediqaQuestion, load_bioasq, load_mediqa
from medcite.eval.metrics import mean_over, mrr_at_k, ndcg_at_k, percentile, precision_at_k
from medcite.eval.retrieval import CONFIGURATIONS, EvalProgress, Report, Row, open_eval_library
from medcite.index import Library
from medcite.index.dense import embedding_text
from medcite.index.embedders import embed_cached
from medcite.index.lexical import TermGroup
from medcite.retrieve.documents import DocumentEvidence, idf, with_document_scores
from medcite.retrieve.documents import bm25 as documents_bm25
from medcite.retrieve.fusion import Ranking
from medcite.retrieve.pipeline import RetrievalPlan, fuse, lexical_groups, rerank_hits, to_hits
from medcite.settings import Settings
from medcite.text import terms
from medcite.types import DocKind, Document, Hit, Passage, Query
from medcite.understand.query import understand

MEDIQA_METRICS = ("nDCG", "nDCG@3", "P@1", "MRR")
CORRECT = 3  # expert score from which an answer counts as correct


def evaluate_mediqa(
    settings: Settings, *, limit: int | None = None, progress: EvalProgress | None = None
) -> Report:
    """nDCG, nDCG@3, P@1 and MRR of the original order and of each configuration."""
    questions = [q for q in load_mediqa(settings.eval_dir / "mediqa2019-task3") if q.answers]
    questions = questions[:limit] if limit else questions
    data = load_bioasq(settings.eval_dir / "bioasq")
    library = open_eval_library(settings, data, progress)
    try:
        original = [
            [a.id for a in sorted(q.answers, key=lambda a: a.system_rank)] for q in questions
        ]
        rows = [_row("original retrieval order (SystemRank)", questions, original)]
        if library.dense is not None:  # embed every answer once, before anything is timed
            texts = [embedding_text(p) for q in questions for p in _passages(q)]
            report = (lambda d, t: progress("embedding answers", d, t)) if progress else None
            embed_cached(library.dense.embedder, texts, library.dense.cache, report)
        usable = [(n, p) for n, p in CONFIGURATIONS if not p.dense or library.dense is not None]
        for n, (name, plan) in enumerate(usable, start=1):
            if progress:
                progress(name, n, len(usable))
            orders, latencies = _reorder_all(questions, library, plan)
            rows.append(_row(name, questions, orders, latencies))
        n_answers = sum(len(q.answers) for q in questions)
        description = (
            f"{len(questions)} questions, {n_answers} candidate answers (LiveQA, Alexa and "
            "validation sets); gain = expert score - 1, correct = score >= 3"
        )
        return Report(
            "mediqa",
            description,
            MEDIQA_METRICS,
            tuple(rows),
            len(questions),
            settings.fingerprint(),
        )
    finally:
        library.close()


def _row(
    name: str,
    questions: Sequence[MediqaQuestion],
    orders: Sequence[list[str]],
    latencies: Sequence[float] = (),
) -> Row:
    values: dict[str, list[tuple[float, dict[str, float]]]] = {m: [] for m in MEDIQA_METRICS}
    for question, order in zip(questions, orders, strict=True):
        gains = {a.id: float(a.score - 1) for a in question.answers}
        correct = {a.id: 1.0 for a in question.answers if a.score >= CORRECT}
        values["nDCG"].append((ndcg_at_k(order, gains, len(order)), gains))
        values["nDCG@3"].append((ndcg_at_k(order, gains, 3), gains))
        values["P@1"].append((precision_at_k(order, correct, 1), correct))
        values["MRR"].append((mrr_at_k(order, correct, len(order)), correct))
    metrics = {m: round(mean_over(v), 4) for m, v in values.items()}
    if not latencies:
        return Row(name, metrics)
    return Row(
        name, metrics, round(percentile(latencies, 50), 1), round(percentile(latencies, 95), 1)
    )


def _reorder_all(
    questions: Sequence[MediqaQuestion], library: Library, plan: RetrievalPlan
) -> tuple[list[list[str]], list[float]]:
    orders, latencies = [], []
    for question in questions:
        query = understand(
            question.text, library.lexical.doc_freq, library.lexical.size(), k=len(question.answers)
        )
        started = time.perf_counter()
        hits = reorder(query, _passages(question), library, plan)
        latencies.append((time.perf_counter() - started) * 1000)
        orders.append([h.passage.id for h in hits])
    return orders, latencies


def reorder(
    query: Query, passages: Sequence[Passage], library: Library, plan: RetrievalPlan
) -> list[Hit]:
    """Candidate passages (not in the index) ranked by the plan's stages."""
    rankings: dict[str, Ranking] = {}
    similarity: dict[str, float] = {}
    if plan.lexical:
        groups = lexical_groups(query, plan)
        scores = bm25(groups, [embedding_text(p) for p in passages], library)
        rankings["lexical"] = _ranked([p.id for p in passages], scores)
    dense = library.dense if plan.dense else None
    if dense is not None:
        texts = [embedding_text(p) for p in passages]
        vectors = embed_cached(dense.embedder, texts, dense.cache)
        cosines = (vectors @ dense.embedder.embed_query(query.question)).tolist()
        similarity = dict(zip((p.id for p in passages), cosines, strict=True))
        rankings["dense"] = _ranked([p.id for p in passages], cosines)
    fused = fuse(rankings, plan)
    hits = to_hits(fused, {p.id: p for p in passages}, similarity)
    if plan.reranker != "none":  # each answer is its own document
        mean_chars = sum(len(p.text) for p in passages) / max(len(passages), 1)
        evidence = DocumentEvidence({p.document.id: [p] for p in passages}, mean_chars, similarity)
        n = library.lexical.size()
        hits = with_document_scores(query, hits, evidence, library.lexical.doc_freq, n)
    return rerank_hits(query, hits, plan)


def _ranked(ids: list[str], scores: Sequence[float]) -> list[tuple[str, float]]:
    return sorted(zip(ids, scores, strict=True), key=lambda item: (-item[1], item[0]))


def bm25(groups: Sequence[TermGroup], texts: Sequence[str], library: Library) -> list[float]:
    """BM25 of each text for the term groups, with document frequencies from the library."""
    n = max(library.lexical.size(), 1)
    docs = [terms(t) for t in texts]
    lengths = [float(len(d)) for d in docs]
    weights: dict[str, float] = {}
    for group in groups:
        for term in group.terms:
            weight = group.boost * idf(library.lexical.doc_freq(term), n)
            weights[term] = weights.get(term, 0.0) + weight
    return documents_bm25(weights, docs, lengths, sum(lengths) / max(len(lengths), 1))


def _passages(question: MediqaQuestion) -> list[Passage]:
    passages = []
    for answer in question.answers:
        document = Document(
            id=answer.id,
            title="",
            kind=DocKind.PATIENT_EDUCATION,
            source="MEDIQA 2019",
            origin=question.source,
            version="",
        )
        passages.append(Passage(answer.id, document, 0, answer.text, 0, len(answer.text)))
    return passages

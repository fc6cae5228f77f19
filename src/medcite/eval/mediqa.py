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
from pathlib import Path

from medcite.errors import MedciteError
from medcite.eval.datasets import MediqaQuestion, Split, load_bioasq, load_mediqa, select_mediqa
from medcite.eval.metrics import mean_over, mrr_at_k, ndcg_at_k, percentile, precision_at_k
from medcite.eval.retrieval import CONFIGURATIONS, EvalProgress, Report, Row, open_eval_library
from medcite.index import Library
from medcite.index.dense import embedding_text
from medcite.index.embedders import embed_cached
from medcite.index.lexical import TermGroup
from medcite.retrieve.documents import DocumentEvidence, term_weights, with_document_scores
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
    settings: Settings,
    *,
    split: Split = "test",
    limit: int | None = None,
    progress: EvalProgress | None = None,
) -> Report:
    """nDCG, nDCG@3, P@1 and MRR of the original order and of each configuration."""
    questions = select_mediqa(load_mediqa(mediqa_dir(settings)), split, limit)
    if not questions:
        raise MedciteError(f"no MEDIQA questions with answers in the {split} split")
    data = load_bioasq(settings.eval_dir / "bioasq")
    library = open_eval_library(settings, data, progress)
    try:
        original = [
            [a.id for a in sorted(q.answers, key=lambda a: a.system_rank)] for q in questions
        ]
        rows = [_row("original retrieval order (SystemRank)", questions, original)]
        if library.dense is not None:  # embed every answer once, before anything is timed
            texts = [embedding_text(p) for q in questions for p in candidate_passages(q)]
            report = (lambda d, t: progress("embedding answers", d, t)) if progress else None
            embed_cached(library.dense.embedder, texts, library.dense.cache, report)
        usable = [(n, p) for n, p in CONFIGURATIONS if not p.dense or library.dense is not None]
        for n, (name, plan) in enumerate(usable, start=1):
            if progress:
                progress(name, n, len(usable))
            orders, latencies = _reorder_all(questions, library, plan)
            rows.append(_row(name, questions, orders, latencies))
        n_answers = sum(len(q.answers) for q in questions)
        files = ", ".join(sorted({q.source for q in questions}))
        description = (
            f"{split} split, {len(questions)} questions, {n_answers} candidate answers "
            f"({files}); gain = expert score - 1, correct = score >= 3"
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


def mediqa_dir(settings: Settings) -> Path:
    return settings.eval_dir / "mediqa2019-task3"


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
        query = mediqa_query(question, library)
        started = time.perf_counter()
        hits = reorder(query, candidate_passages(question), library, plan)
        latencies.append((time.perf_counter() - started) * 1000)
        orders.append([h.passage.id for h in hits])
    return orders, latencies


def mediqa_query(question: MediqaQuestion, library: Library) -> Query:
    """The question understood as `medcite ask` would on the library, k = its answers."""
    lexical = library.lexical
    k = len(question.answers)
    return understand(
        question.text, lexical.doc_freq, lexical.size(), k=k, is_topic=lexical.is_topic
    )


def reorder(
    query: Query, passages: Sequence[Passage], library: Library, plan: RetrievalPlan
) -> list[Hit]:
    """Candidate passages (not in the index) ranked by the plan's stages."""
    hits = candidate_hits(query, passages, library, plan)
    if plan.reranker != "none":
        hits = with_answer_evidence(query, hits, library)
    return rerank_hits(query, hits, plan)


def candidate_hits(
    query: Query, passages: Sequence[Passage], library: Library, plan: RetrievalPlan
) -> list[Hit]:
    """The candidates fused, with each retriever's score."""
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
    return to_hits(fuse(rankings, plan), {p.id: p for p in passages}, similarity)


def with_answer_evidence(query: Query, hits: Sequence[Hit], library: Library) -> list[Hit]:
    """The scores the reranker reads beside the retrievers' (each answer is its own
    document; lengths are relative to the mean answer)."""
    passages = [h.passage for h in hits]
    mean_chars = sum(len(p.text) for p in passages) / max(len(passages), 1)
    similarity = {h.passage.id: h.scores["dense"] for h in hits if "dense" in h.scores}
    evidence = DocumentEvidence.of_passages(
        {p.document.id: [p] for p in passages}, mean_chars, similarity
    )
    n = library.lexical.size()
    return with_document_scores(query, hits, evidence, library.lexical.doc_freq, n)


def _ranked(ids: list[str], scores: Sequence[float]) -> list[tuple[str, float]]:
    return sorted(zip(ids, scores, strict=True), key=lambda item: (-item[1], item[0]))


def bm25(groups: Sequence[TermGroup], texts: Sequence[str], library: Library) -> list[float]:
    """BM25 of each text for the term groups, with document frequencies from the library."""
    weights = term_weights(groups, library.lexical.doc_freq, library.lexical.size())
    docs = [terms(t) for t in texts]
    lengths = [float(len(d)) for d in docs]
    return documents_bm25(weights, docs, lengths, sum(lengths) / max(len(lengths), 1))


def candidate_passages(question: MediqaQuestion) -> list[Passage]:
    """Each candidate answer as a one-passage document without a title (the text keeps the
    answer's own "Title (question):" opening)."""
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

"""The pipeline end to end: understand -> retrieve -> write -> verify -> compose."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from medcite.answer.citations import number_citations
from medcite.answer.compose import abstention, compose
from medcite.answer.evidence import best_document_coverage, matchers, missing
from medcite.answer.extractive import write_claims
from medcite.errors import EmptyIndex, MedciteError
from medcite.index import Library
from medcite.retrieve.search import retrieve
from medcite.settings import Settings, load_settings
from medcite.types import Answer, Audience
from medcite.understand.query import understand
from medcite.verify import Verifier

MAX_QUESTION_CHARS = 2000


class Engine:
    """A warm pipeline over one library; reuse it to answer many questions."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.library = Library(self.settings)
        self.verifier = Verifier(self.settings.verify)

    def close(self) -> None:
        self.library.close()

    def ask(
        self, question: str, *, audience: Audience = Audience.CLINICIAN, k: int | None = None
    ) -> Answer:
        question = _check_question(question)
        if self.library.lexical.size() == 0:
            raise EmptyIndex()
        timings: dict[str, float] = {}
        cfg, fingerprint = self.settings.answer, self.settings.fingerprint()
        with _timed(timings, "understand"):
            query = understand(
                question,
                self.library.lexical.doc_freq,
                self.library.lexical.size(),
                audience=audience,
                k=k or self.settings.retrieval.k,
            )
            ms = matchers(query)
        with _timed(timings, "retrieve"):
            hits = retrieve(query, self.library, self.settings.retrieval.max_per_document)
        reach, terms = best_document_coverage(ms, hits)
        if not hits or reach < cfg.min_coverage:
            gaps = ", ".join(missing(ms, terms)[:3]) or "the question's subject"
            return abstention(query, f"no indexed source covers: {gaps}", fingerprint, timings)
        with _timed(timings, "write"):
            drafts = write_claims(query, hits, ms, cfg)
        with _timed(timings, "verify"):
            retrieved = {h.passage.id: h.passage for h in hits}
            verified, summary = self.verifier.verify(drafts, retrieved)
            claims, references = number_citations(verified, retrieved)
        return compose(
            query,
            claims,
            references,
            settings_hash=fingerprint,
            verification=summary,
            timings=timings,
        )


def _check_question(question: str) -> str:
    question = " ".join(question.split())
    if not question:
        raise MedciteError('the question is empty: ask something, e.g. medcite ask "..."')
    if len(question) > MAX_QUESTION_CHARS:
        raise MedciteError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
    return question


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - start) * 1000, 2)

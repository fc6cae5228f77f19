"""The pipeline end to end: understand -> retrieve -> write -> verify -> compose."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from medcite.answer.certainty import with_certainty
from medcite.answer.citations import number_citations
from medcite.answer.compose import abstention, compose, settle_bottom_line
from medcite.answer.evidence import ConceptMatcher, best_document_coverage, matchers, missing
from medcite.answer.extractive import BOTTOM_LINE, Ranked, rank_evidence, write_claims
from medcite.answer.focused import focused_query, subject_query
from medcite.answer.gaps import evidence_gaps
from medcite.answer.patient_checks import PatientChecks, patient_checks, with_check_sections
from medcite.answer.related import related_questions
from medcite.answer.sections import drug_pattern
from medcite.answer.special import special_query, with_special_hits
from medcite.answer.verdict import with_verdict
from medcite.audience import frame_for_audience, prefer_for_audience, retrieval_depth
from medcite.clinical.assumptions import with_assumptions
from medcite.clinical.context import extract_context
from medcite.clinical.renal import organ_function
from medcite.clinical.turn import turn_context
from medcite.errors import EmptyIndex, LLMError, MedciteError
from medcite.index import Library
from medcite.llm.backends import open_llm
from medcite.llm.base import LLM, OnText
from medcite.llm.writer import Written, write_with_llm
from medcite.retrieve.acronyms import with_acronyms
from medcite.retrieve.neighbours import with_boxed_warnings, with_neighbours
from medcite.retrieve.search import Order, retrieve
from medcite.settings import Settings, load_settings
from medcite.text import legible
from medcite.types import (
    Answer,
    Audience,
    Claim,
    ClaimStatus,
    Concept,
    Hit,
    Passage,
    PatientContext,
    Query,
    VerificationSummary,
)
from medcite.understand.conversation import FollowUp, context_note, follow_up
from medcite.understand.query import understand
from medcite.verify import Verifier, retraction_note

MAX_QUESTION_CHARS = 2000
DRAFT = "extractive (shown while the model writes)"
log = logging.getLogger(__name__)
OnDraft = Callable[[Answer], None]


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a question found: its Query, the concepts carried from earlier turns, the hits
    and concept matchers, and what is missing when the library cannot answer."""

    query: Query
    carried: tuple[Concept, ...]
    hits: list[Hit]
    matchers: list[ConceptMatcher]
    missing: str | None = None
    dropped: tuple[str, ...] = ()  # earlier subjects a topic switch left behind


class Engine:
    """A warm pipeline over one library; reuse it to answer many questions."""

    def __init__(self, settings: Settings | None = None, *, llm: LLM | None = None) -> None:
        """`llm` overrides the backend chosen by `settings.llm` (tests pass a FakeLLM)."""
        self.settings = settings or load_settings()
        self.llm = llm if llm is not None else open_llm(self.settings.llm, self.settings.models_dir)
        self.library = Library(self.settings)
        self.verifier = Verifier(self.settings.verify)

    def close(self) -> None:
        self.library.close()
        if self.llm is not None:
            self.llm.close()

    def ask(
        self,
        question: str,
        *,
        audience: Audience = Audience.CLINICIAN,
        k: int | None = None,
        history: Sequence[str] = (),
        on_text: OnText | None = None,
        on_draft: OnDraft | None = None,
    ) -> Answer:
        """Answer a question; `history` holds the conversation's earlier questions and
        `on_text` receives the LLM writer's text as it streams. With an LLM writer,
        `on_draft` is given the extractive answer, verified and whole, before the model
        starts (something to read at once while it writes; the answer returned replaces it)."""
        question = _check_question(question)
        earlier = [_check_question(h) for h in history if h.strip()]
        timings: dict[str, float] = {}
        found = self.evidence(question, audience=audience, k=k, history=earlier, timings=timings)
        if found.missing is not None:
            reason = f"no indexed source covers: {found.missing}"
            answer = abstention(found.query, reason, self.settings.fingerprint(), timings)
            return self._finish(with_assumptions(answer, found.query), found)
        with _timed(timings, "checks"):
            checks = patient_checks(
                found.query,
                organ_function(found.query.context),
                self._search,
                self._passages_of,
            )
        with _timed(timings, "write"):
            ranked = rank_evidence(found.query, found.hits, found.matchers, self.settings.answer)
            if on_draft is not None and self.llm is not None:
                draft = Written(write_claims(found.query, ranked, self.settings.answer), DRAFT)
                on_draft(self._answer(found, ranked, checks, draft, dict(timings)))
            written = self._write(found.query, found.hits, ranked, on_text)
        return self._answer(found, ranked, checks, written, timings)

    def _answer(
        self,
        found: Evidence,
        ranked: Ranked,
        checks: PatientChecks,
        written: Written,
        timings: dict[str, float],
    ) -> Answer:
        """The answer made of what was written: verified, numbered, composed and framed."""
        query, hits = found.query, found.hits
        with _timed(timings, "verify"):
            retrieved = {h.passage.id: h.passage for h in hits}
            retrieved.update({p.id: p for p in checks.passages})
            written, settled, summary = self._verified(query, ranked, written, checks, retrieved)
            summary = replace(
                summary,
                verified=sum(c.status == ClaimStatus.VERIFIED for c in settled),
                flagged=sum(c.status == ClaimStatus.FLAGGED for c in settled),
            )
            claims, references = number_citations(settled, retrieved)
        claims = with_certainty(claims, retrieved)
        answer = compose(
            query,
            claims,
            references,
            settings_hash=self.settings.fingerprint(),
            verification=summary,
            timings=timings,
            gaps=evidence_gaps(query, ranked),
        )
        answer = with_check_sections(answer, claims, checks, renal_asked="renal" in query.aspects)
        answer = with_verdict(answer, query.aspects)
        retracted = retraction_note(summary)
        notes = (*answer.notes, retracted) if retracted else answer.notes
        answer = replace(answer, writer=written.writer, writer_notes=written.notes, notes=notes)
        return self._finish(with_assumptions(answer, query), found)

    def evidence(
        self,
        question: str,
        *,
        audience: Audience = Audience.CLINICIAN,
        k: int | None = None,
        history: Sequence[str] = (),
        timings: dict[str, float] | None = None,
    ) -> Evidence:
        """The question understood and its evidence retrieved (no writing): the first half
        of `ask`, also what the evidence scorer is fitted on."""
        if self.library.lexical.size() == 0:
            raise EmptyIndex()
        timings = {} if timings is None else timings
        with _timed(timings, "context"):
            context = extract_context([*history, question])
        with _timed(timings, "understand"):
            followed = self._understand(question, audience, k, history, context)
            query, carried = followed.query, followed.carried
            ms = matchers(query)
            # a carried subject never abstains; nor does a follow-up that only adds to it
            own = [m for m in ms if m.concept not in carried] if followed.decides_alone else []
        with _timed(timings, "retrieve"):
            hits = self._retrieve(query)
            reach, terms = best_document_coverage(own, hits)
            if reach < self.settings.answer.min_coverage and (subject := subject_query(query)):
                # a second chance: the subject alone, without the words around it
                hits = with_special_hits(hits, self._retrieve(subject))
                reach, terms = best_document_coverage(own, hits)
        if not hits or reach < self.settings.answer.min_coverage:
            gaps = ", ".join(missing(own, terms)[:3]) or "the question's subject"
            return Evidence(query, carried, hits, ms, gaps, followed.dropped)
        hits = self._with_extra_hits(query, hits, timings)
        return Evidence(query, carried, hits, ms, None, followed.dropped)

    def _understand(
        self,
        question: str,
        audience: Audience,
        k: int | None,
        earlier: Sequence[str],
        context: PatientContext,
    ) -> FollowUp:
        """The question's Query, with the conversation's earlier subjects carried over."""
        lexical = self.library.lexical
        query = understand(
            question,
            lexical.doc_freq,
            lexical.size(),
            audience=audience,
            k=k or self.settings.retrieval.k,
            context=context,
            is_topic=lexical.is_topic,
        )
        found = follow_up(
            query, earlier, lexical.doc_freq, lexical.size(), is_topic=lexical.is_topic
        )
        return replace(found, query=with_acronyms(found.query, self.library))

    def _search(self, query: Query) -> list[Passage]:
        """Passages for a check's query, in the fused order (no rerank)."""
        found = retrieve(
            query, self.library, self.settings.retrieval.max_per_document, order="fused"
        )
        return [h.passage for h in found]

    def _passages_of(self, doc_ids: Sequence[str]) -> list[Passage]:
        return list(self.library.store.passages_of(doc_ids))

    def _retrieve(self, query: Query) -> list[Hit]:
        """Passages for the query, with the audience's prior applied before the final cut."""
        hits = retrieve(
            retrieval_depth(query), self.library, self.settings.retrieval.max_per_document
        )
        return prefer_for_audience(hits, query.audience, self.settings.audience, query.k)

    def _finish(self, answer: Answer, found: Evidence) -> Answer:
        """Related questions, kidney and liver function, the follow-up assumption, the turn's
        context and the audience's notes."""
        query, carried = found.query, found.carried
        timings = dict(answer.timings)
        with _timed(timings, "related"):
            related = related_questions(query, self.library)
        assumptions = answer.assumptions + tuple(
            f"“{c.label}” read as “{c.forms[0]}” (no indexed source uses “{c.label}”)."
            for c in query.concepts
            if c.corrected
        )
        organ = organ_function(query.context)
        turn = turn_context(query.history, query.context, carried, found.dropped, organ)
        assumptions = (*organ.statements(), *assumptions)
        if query.history:
            note = context_note(query.history[-1], carried, found.dropped, turn.carried)
            assumptions = (*assumptions, note)
        framed = replace(
            answer,
            related_questions=related,
            assumptions=tuple(dict.fromkeys(assumptions)),
            timings=timings,
            turn=turn,
        )
        return frame_for_audience(framed)

    def _with_extra_hits(
        self, query: Query, hits: list[Hit], timings: dict[str, float]
    ) -> list[Hit]:
        """Add passages on the safety of the patient's drugs (answer/special.py) and on the
        asked aspect of the subject (answer/focused.py)."""
        searches: tuple[tuple[str, Query | None, Order], ...] = (
            ("special", special_query(query), "fused_scored"),
            ("focused", focused_query(query), "fused_scored"),
        )
        for name, extra_query, order in searches:
            if extra_query is None:
                continue
            with _timed(timings, name):
                extra = retrieve(
                    extra_query,
                    self.library,
                    self.settings.retrieval.max_per_document,
                    order=order,
                    exclude=frozenset(h.passage.id for h in hits),
                )
                hits = with_special_hits(hits, extra)
        with _timed(timings, "neighbours"):
            hits = with_neighbours(hits, self.library.store.passages_of)
            drugs = drug_pattern(query.context.drugs)
            return with_boxed_warnings(hits, self.library.store.passages_of, drugs)

    def _verified(
        self,
        query: Query,
        ranked: Ranked,
        written: Written,
        checks: PatientChecks,
        retrieved: Mapping[str, Passage],
    ) -> tuple[Written, list[Claim], VerificationSummary]:
        """The claims verified and settled; when a model wrote them and none of its bottom
        line survived, the extractive answer stands instead, saying why (the summary keeps
        the model's removed claims and their reasons)."""
        verified, summary = self.verifier.verify([*written.claims, *checks.claims], retrieved)
        settled = settle_bottom_line(verified)
        if self.llm is None or not _no_bottom_line(settled, written):
            return written, settled, summary
        reason = f"the verifier removed every bottom-line statement of {written.writer}"
        extractive = Written(
            write_claims(query, ranked, self.settings.answer),
            f"extractive (fallback: {reason})",
            written.notes,
        )
        written, settled, standing = self._verified(query, ranked, extractive, checks, retrieved)
        merged = replace(
            standing,
            removed=summary.removed + standing.removed,
            reasons=(*summary.reasons, *standing.reasons),
        )
        return written, settled, merged

    def _write(
        self, query: Query, hits: Sequence[Hit], ranked: Ranked, on_text: OnText | None
    ) -> Written:
        """Claims from the LLM writer when one is configured, else (or if it fails) extractive."""
        cfg = self.settings.answer
        if self.llm is None:
            return Written(write_claims(query, ranked, cfg), "extractive")
        try:
            return write_with_llm(
                self.llm, query, hits, self.settings.llm, cfg, on_text, self.verifier
            )
        except LLMError as exc:
            if self.settings.llm.on_failure == "error":
                raise
            log.warning("LLM writer failed, answering extractively: %s", exc)
            return Written(write_claims(query, ranked, cfg), f"extractive (fallback: {exc})")


def _no_bottom_line(claims: Sequence[Claim], written: Written) -> bool:
    """A model wrote the answer and none of its bottom-line statements survived."""
    return not written.writer.startswith("extractive") and not any(
        c.section == BOTTOM_LINE for c in claims
    )


def _check_question(question: str) -> str:
    question = " ".join(legible(question).split())
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

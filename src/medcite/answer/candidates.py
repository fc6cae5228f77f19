"""Candidates: the retrieved passages cut into sentences and table rows, each with the
features the evidence scorer reads (scorer.py).

A candidate keeps its passage (so its document, kind and section), its offsets in the
passage (so a claim quotes it exactly) and the source's own grade when it states one
("(Strong, High)" in a guideline summary). Features describe the candidate against the
question: how much of the subject it names (alone, and with its document's title and
section), whether it states the asked aspect by its words or by the section it sits in,
whether it holds a number when the question asks for a quantity, and where its passage
ranked. Nothing here weighs them; the scorer's fitted weights do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from medcite.answer.evidence import ConceptMatcher, pairs_in, phrase_pairs
from medcite.grades import GRADE
from medcite.index.lexical import document_topic
from medcite.text import STOPWORDS, jaccard, sentence_spans, term_set, terms
from medcite.types import DocKind, Hit, Passage, PassageKind, Query
from medcite.understand.aspects import (
    asks_quantity,
    related,
    section_aspects,
    section_name,
    states,
)

_PRONOUN_START = re.compile(r"^(?:It|This|These|They|Those|He|She|Both|Such|Its|Their)\b")
_SKIP_SECTIONS = re.compile(r"^(?:references|acknowledg|funding|conflicts? of interest)", re.I)
# Navigation and page furniture that is not clinical content.
_NOISE = re.compile(
    r"https?://|www\.|\bclick\b|\bsee (?:also|the)\b|\b(?:table|list|links?) (?:below|above)\b|"
    r"\bthe following (?:list|table|links?|resources)\b|\bweb ?sites?\b|"
    r"\byou can (?:use|find|view)\b|"
    r"\bcan be (?:viewed|found) (?:on|at)\b|\bmore (?:detailed )?information\b|"
    r"\bthese resources\b|\bthis (?:section|page|fact sheet)\b|\bcontact us\b|\blisted below\b|"
    r"\bmedlineplus\b|\bgenereviews\b|\bclinicaltrials\.gov\b|\bhuman phenotype ontology\b|"
    r"\bdistr(?:\.|ibuted) by\b|\bmanufactured (?:by|for)\b|\bmarketed by\b",
    re.I,
)
# Every _NOISE match holds one of these: the regex runs only when one is there.
_NOISE_TRIGGERS = (
    "http",
    "www",
    "click",
    "see ",
    "below",
    "above",
    "following",
    "web",
    "you can",
    "can be",
    "information",
    "resources",
    "this ",
    "contact",
    "listed",
    "medlineplus",
    "genereviews",
    "clinicaltrials",
    "phenotype",
)
_LIST_SEPARATOR = re.compile(r" - ")
_DIGIT = re.compile(r"\d")
# "Table 1.", "Table 2:": a caption's number is the table's, not a value of a row
_CAPTION_NUMBER = re.compile(r"^\s*(?:table|figure)\s+\d+[a-z]?\b", re.I)
_STOP_TERMS = frozenset(t for w in STOPWORDS for t in terms(w))
# A grade a guideline summary writes after its recommendation: "(Strong, High)".
_GRADE = GRADE  # the source's own grade, as printed (medcite/grades.py)
MIN_WORDS = 6
MAX_LEAD_IN = 12


@dataclass(frozen=True, slots=True)
class Candidate:
    """One sentence or table row of a retrieved passage, with its features."""

    text: str
    passage: Passage
    start: int
    end: int
    hit_rank: int
    features: dict[str, float]
    content: frozenset[str]
    grade: str | None = None
    score: float = 0.0
    lead_in: str | None = None  # the heading a list item completes ("Do not use")
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def subject(self) -> float:
        """How much of the question's subject the candidate names, with its context."""
        return self.features["subject_context"]


def candidates(
    query: Query, hits: Sequence[Hit], ms: Sequence[ConceptMatcher], max_words: int = 70
) -> list[Candidate]:
    """Every usable sentence and table row of the hits, with its features."""
    top = max((h.score for h in hits), default=1.0) or 1.0
    phrases = phrase_pairs(query.question)
    question_terms = term_set(query.question) - _STOP_TERMS
    weights = _Weights.of(ms)
    quantity = asks_quantity(query.aspects)
    family = related(query.aspects)
    out: list[Candidate] = []
    contexts: dict[tuple[str, str], tuple[frozenset[str], frozenset[tuple[str, str]]]] = {}
    topics: dict[str, float] = {}
    for hit in hits:
        p = hit.passage
        if p.kind == PassageKind.CAPTION or _SKIP_SECTIONS.match(p.section or ""):
            continue
        key = (p.document.id, p.section or "")
        if key not in contexts:
            title = f"{p.document.title} {p.section or ''}"
            contexts[key] = (term_set(title), pairs_in(title))
        context_terms, context_pairs = contexts[key]
        if p.document.id not in topics:
            topics[p.document.id] = _subject(ms, term_set(document_topic(p.document)))
        in_section = section_aspects(section_name(p))
        spans = _rows(p.text) if p.kind == PassageKind.TABLE else sentence_spans(p.text)
        for index, (start, end) in enumerate(spans):
            text = p.text[start:end]
            if not _usable(
                text,
                max_words,
                table=p.kind == PassageKind.TABLE,
                item=p.document.kind == DocKind.DRUG_LABEL,
            ):
                continue
            if _heading(text, p):
                continue  # a title heading the text: it names the subject, it states nothing
            lead_in = (
                _lead_in(p.text, start, p.section)
                if text[:1].islower()
                else _introduced(p.text, start)
            )
            if text[:1].islower() and lead_in is None:
                continue  # a fragment, not an item of a list
            # "Do not use" before "in a child who is taking …" is part of what it says
            stated = f"{lead_in}: {text}" if lead_in else text
            seq = terms(stated)
            own = frozenset(seq)
            content = own - _STOP_TERMS
            subject_own, subject_context, coverage_own, coverage_context = _shares(
                weights, own, own | context_terms
            )
            f = {
                "subject_own": subject_own,
                "subject_context": subject_context,
                "subject_topic": topics[p.document.id],
                "coverage_own": coverage_own,
                "coverage_context": coverage_context,
                "question_overlap": jaccard(question_terms, content),
                "phrase": _phrase(phrases, frozenset(pairwise(seq)) | context_pairs),
                "aspect_words": float(states(query.aspects, stated) > 0),
                "aspect_share": states(query.aspects, stated) / len(query.aspects)
                if query.aspects
                else 0.0,
                "aspect_section": float(bool(in_section & set(query.aspects))),
                "other_section": float(bool(in_section) and not in_section & family),
                "no_aspect": float(not query.aspects),
                "number": float(bool(_DIGIT.search(text))),
                "number_asked": float(quantity and bool(_DIGIT.search(text))),
                "hit_rank": 1.0 / math.sqrt(hit.rank),
                "hit_score": hit.score / top,
                "rerank": hit.scores.get("rerank", 0.0),
                # without an asked aspect, the reranker's order is the best guide
                "rerank_no_aspect": hit.scores.get("rerank", 0.0) * (not query.aspects),
                "hit_rank_no_aspect": (1.0 / math.sqrt(hit.rank)) * (not query.aspects),
                "first": float(index == 0),
                "words": math.log(len(text.split())),
                "pronoun": float(bool(_PRONOUN_START.match(text))),
                "table": float(p.kind == PassageKind.TABLE),
            }
            # the sentence's own grade, else one printed right after it ("… daily. (Strong,
            # High)"), never the next statement's
            after = p.text[end : end + 80].lstrip()
            grade = _GRADE.match(after) if after.startswith("(") else None
            out.append(
                Candidate(
                    text,
                    p,
                    start,
                    end,
                    hit.rank,
                    f,
                    content,
                    _grade_in(text) or (grade.group("grade") if grade else None),
                    lead_in=lead_in,
                )
            )
    return out


def _heading(sentence: str, passage: Passage) -> bool:
    """A title heading the text: a sentence that repeats its document's title without
    ending like a sentence (a paper's title that states a finding ends with a period)."""
    same = " ".join(sentence.lower().split()) == " ".join(passage.document.title.lower().split())
    return same and not sentence.rstrip().endswith((".", "!", "?"))


@dataclass(frozen=True, slots=True)
class _Weights:
    """The question's concepts as (forms, weight, subject weight), with their totals."""

    concepts: tuple[tuple[tuple[frozenset[str], ...], float, float], ...]
    total: float
    subject_total: float

    @classmethod
    def of(cls, ms: Sequence[ConceptMatcher]) -> _Weights:
        concepts = tuple((m.forms, m.concept.weight, m.subject_weight) for m in ms)
        return cls(concepts, sum(c[1] for c in concepts), sum(c[2] for c in concepts))


def _shares(
    weights: _Weights, own: frozenset[str], context: frozenset[str]
) -> tuple[float, float, float, float]:
    """Share of the subject and of all concepts found in the sentence, and with its context."""
    s_own = s_ctx = c_own = c_ctx = 0.0
    for forms, weight, subject in weights.concepts:
        if not any(form <= context for form in forms):
            continue
        s_ctx += subject
        c_ctx += weight
        if any(form <= own for form in forms):
            s_own += subject
            c_own += weight
    st, t = weights.subject_total, weights.total
    return (
        s_own / st if st else 1.0,
        s_ctx / st if st else 1.0,
        c_own / t if t else 1.0,
        c_ctx / t if t else 1.0,
    )


def _subject(ms: Sequence[ConceptMatcher], terms: frozenset[str]) -> float:
    total = sum(m.subject_weight for m in ms)
    if total == 0:
        return 1.0
    return sum(m.subject_weight for m in ms if m.found_in(terms)) / total


def _phrase(phrases: frozenset[tuple[str, str]], found: frozenset[tuple[str, str]]) -> float:
    return len(phrases & found) / len(phrases) if phrases else 0.0


def _lead_in(text: str, start: int, section: str | None) -> str | None:
    """The heading a list item in lower case completes: the nearest line before it that is
    short and does not end a sentence ("Ask a doctor before use if the child has"), else the
    last part of its section's name ("Warnings — Do not use")."""
    for line in reversed(text[:start].splitlines()):
        line = line.strip(" •-:\t")
        if not line or line[:1].islower():
            continue
        return line if _heading_like(line) else None
    last = (section or "").split(" — ")[-1].strip()
    return last if last and _heading_like(last) else None


def _introduced(text: str, start: int) -> str | None:
    """The clause a statement is listed under, when the text before it ends with a colon
    ("If you are pregnant or immunocompromised:" before "Avoid changing cat litter")."""
    before = text[:start].rstrip(" \t\n•-")
    if not before.endswith(":"):
        return None
    clause = re.split(r"(?<=[.!?])\s+|\n", before[:-1])[-1].strip(" •-")
    return clause if clause and len(clause.split()) <= MAX_LEAD_IN else None


def _heading_like(line: str) -> bool:
    return line[:1].isupper() and len(line.split()) <= MAX_LEAD_IN and not line.endswith(".")


def _grade_in(text: str) -> str | None:
    m = _GRADE.search(text)
    return m.group("grade") if m else None


def _rows(text: str) -> list[tuple[int, int]]:
    """A table's rows as spans; the first data row carries the header line with it."""
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    if len(spans) >= 2:
        spans[1] = (spans[0][0], spans[1][1])
        spans = spans[1:]
    return spans


def _usable(sentence: str, max_words: int, *, table: bool = False, item: bool = False) -> bool:
    """A statement worth showing: not a heading, a question, navigation or a fragment
    (`item`: a label's bullets may start in lower case, "in a child who is taking …")."""
    words = sentence.split()
    if table:  # a row states values: a caption over column names states none
        values = _DIGIT.search(_CAPTION_NUMBER.sub("", sentence))
        return len(words) >= 3 and bool(values) and len(words) <= max_words
    if not MIN_WORDS <= len(words) <= max_words or sentence.endswith(("?", ":")):
        return False
    if not sentence.rstrip("\"')]”’").endswith((".", "!")):
        capitalised = sum(1 for w in words if w[:1].isupper())
        if capitalised > 0.6 * len(words):
            return False  # a heading, not a sentence
    return (
        (sentence[:1].isupper() or sentence[:1].isdigit() or (item and sentence[:1].isalpha()))
        and not _noise(sentence)
        and len(_LIST_SEPARATOR.findall(sentence)) < 3
    )


def _noise(sentence: str) -> bool:
    lower = sentence.lower()
    return any(t in lower for t in _NOISE_TRIGGERS) and bool(_NOISE.search(sentence))

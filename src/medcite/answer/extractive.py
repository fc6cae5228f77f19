"""The extractive writer: every claim is one sentence copied from a retrieved passage.

Sentences are scored by how much of the question they cover (alone, and together with the
title of their document) and by the rank of their passage; near-duplicates are merged, the
best become the bottom line and the rest are sorted into the question's sections.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcite.answer.evidence import ConceptMatcher, coverage, pairs_in, phrase_pairs
from medcite.answer.sections import (
    SPECIAL,
    assign_section,
    drug_pattern,
    special_drugs,
    template,
)
from medcite.audience import sentence_length_factor
from medcite.settings import AnswerSettings
from medcite.text import content_terms, jaccard, normalize_ws, sentence_spans, term_set
from medcite.types import Claim, Hit, Passage, PassageKind, Query, Support

BOTTOM_LINE = "bottom_line"
_PRONOUN_START = re.compile(r"^(?:It|This|These|They|Those|He|She|Both|Such|Its|Their)\b")
_SKIP_SECTIONS = re.compile(r"^(?:references|acknowledg|funding|conflicts? of interest)", re.I)
# Navigation and page furniture that is not clinical content.
_NOISE = re.compile(
    r"https?://|www\.|\bclick\b|\bsee (?:also|the)\b|\b(?:table|list|links?) (?:below|above)\b|"
    r"\bthe following (?:list|table|links?|resources)\b|\bweb ?sites?\b|"
    r"\byou can (?:use|find|view)\b|"
    r"\bcan be (?:viewed|found) (?:on|at)\b|\bfor more information\b|\bmore detailed information\b|"
    r"\bthese resources\b|\bthis (?:section|page|fact sheet)\b|\bcontact us\b|\blisted below\b|"
    r"\bmedlineplus\b|\bgenereviews\b|\bclinicaltrials\.gov\b|\bhuman phenotype ontology\b",
    re.I,
)
_LIST_SEPARATOR = re.compile(r" - ")
MAX_CITATIONS = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """One sentence of a retrieved passage, scored against the question."""

    text: str
    passage: Passage
    start: int
    end: int
    own: float
    relevance: float
    score: float
    content: frozenset[str]
    section: str | None


def write_claims(
    query: Query, hits: Sequence[Hit], ms: Sequence[ConceptMatcher], cfg: AnswerSettings
) -> list[Claim]:
    """Bottom-line claims first, then section claims, all verbatim from passages."""
    pool = _dedupe(
        [
            c
            for c in candidates(query, hits, ms, cfg)
            if c.relevance >= cfg.min_sentence_relevance or _about_patients_drug(c, query)
        ],
        cfg.duplicate_similarity,
    )
    primary = template(query.question_type)[0]
    ranked = sorted(pool, key=lambda g: -(g[0].score + (0.2 if g[0].section == primary else 0)))
    bottom = ranked[: cfg.bottom_line_sentences]
    claims = [_claim(group, BOTTOM_LINE) for group in bottom]
    per_section: dict[str, int] = {}
    for group in sorted(ranked[len(bottom) :], key=lambda g: -g[0].score):
        section = group[0].section
        if section is None or len(claims) >= cfg.max_claims:
            continue
        if per_section.get(section, 0) < cfg.max_per_section:
            per_section[section] = per_section.get(section, 0) + 1
            claims.append(_claim(group, section))
    return claims


def candidates(
    query: Query, hits: Sequence[Hit], ms: Sequence[ConceptMatcher], cfg: AnswerSettings
) -> list[Candidate]:
    """Every usable sentence of the hits, scored."""
    top = max((h.score for h in hits), default=1.0) or 1.0
    phrases = phrase_pairs(query.question)
    primary = template(query.question_type)[0]
    drugs = drug_pattern(special_drugs(query.context))
    out: list[Candidate] = []
    title_terms: dict[str, frozenset[str]] = {}
    title_pairs: dict[str, frozenset[tuple[str, str]]] = {}
    for hit in hits:
        p = hit.passage
        if p.kind != PassageKind.TEXT or _SKIP_SECTIONS.match(p.section or ""):
            continue
        title = title_terms.setdefault(p.document.id, term_set(p.document.title))
        tpairs = title_pairs.setdefault(p.document.id, pairs_in(p.document.title))
        for start, end in sentence_spans(p.text):
            text = p.text[start:end]
            if not _usable(text, cfg):
                continue
            terms = term_set(text)
            own, rel = coverage(ms, terms), coverage(ms, terms | title)
            # A sentence that leans on its title for its subject, when the title is not about
            # the question's subject ("Noonan-like syndrome" for "Noonan syndrome"), is left
            # out, unless it is a special consideration for the patient's drug.
            leans_on_title = own < cfg.min_sentence_relevance and phrases and not phrases & tpairs
            if leans_on_title and drugs is None:
                continue
            section = assign_section(query.question_type, text, p, drugs)
            if leans_on_title and section != SPECIAL:
                continue
            score = 0.45 * own + 0.35 * rel + 0.2 * hit.score / top
            if phrases:
                score += 0.15 * len(phrases & (pairs_in(text) | tpairs)) / len(phrases)
            if _PRONOUN_START.match(text):
                score *= 0.85
            score *= sentence_length_factor(query.audience, len(text.split()))
            if section == primary:
                score += 0.1
            out.append(
                Candidate(text, p, start, end, own, rel, score, content_terms(text), section)
            )
    return out


def _about_patients_drug(candidate: Candidate, query: Query) -> bool:
    """A "Special considerations" sentence about the patient's drug is kept even when it does
    not cover the rest of the question (sections.py only puts such sentences there)."""
    return candidate.section == SPECIAL and bool(special_drugs(query.context))


def _usable(sentence: str, cfg: AnswerSettings) -> bool:
    words = sentence.split()
    if not 6 <= len(words) <= cfg.max_sentence_words or sentence.endswith(("?", ":")):
        return False
    if not sentence.rstrip("\"')]”’").endswith((".", "!")):
        capitalised = sum(1 for w in words if w[:1].isupper())
        if capitalised > 0.6 * len(words):
            return False  # a heading, not a sentence
    return (
        not sentence.endswith("?")
        and sentence[:1].isupper() | sentence[:1].isdigit()
        and not _NOISE.search(sentence)
        and len(_LIST_SEPARATOR.findall(sentence)) < 3
    )


def _dedupe(cands: list[Candidate], threshold: float) -> list[list[Candidate]]:
    """Group near-duplicates; the best-scoring sentence of each group leads it."""
    groups: list[list[Candidate]] = []
    for cand in sorted(cands, key=lambda c: -c.score):
        for group in groups:
            if jaccard(group[0].content, cand.content) >= threshold:
                group.append(cand)
                break
        else:
            groups.append([cand])
    return groups


def _claim(group: list[Candidate], section: str) -> Claim:
    """The leading sentence, citing up to MAX_CITATIONS documents that say exactly it,
    preferring different publishers."""
    lead = group[0]
    same = [c for c in group if normalize_ws(c.text) == normalize_ws(lead.text)]
    chosen: dict[str, Candidate] = {}  # document id -> candidate
    for prefer_new_publisher in (True, False):
        for c in same:
            doc = c.passage.document
            publishers = {x.passage.document.source for x in chosen.values()}
            if len(chosen) >= MAX_CITATIONS or doc.id in chosen:
                continue
            if not prefer_new_publisher or doc.source not in publishers:
                chosen[doc.id] = c
    support = tuple(Support(c.passage.id, c.text, c.start, c.end) for c in chosen.values())
    return Claim(lead.text, tuple(s.passage_id for s in support), section, support=support)

"""The bottom line: which of the scored statements answer the question first.

The best statement leads (for patients a patient-written one that scores near the best; for
a question about what to do, the strongest kind of evidence among near-ties); a question
that asks several things (understand/parts.py) gets a statement for each part the lead
leaves unanswered; a statement that points to a table ("as shown below") brings the table's
best row; the rest of the room (at most MAX_BOTTOM_SENTENCES statements, MAX_BOTTOM_WORDS
words) goes to the best-scoring others; the source's reading order is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import combinations

from medcite.answer.candidates import Candidate
from medcite.answer.framing import asks_what_to_do
from medcite.answer.values import about_other_value, stated_values
from medcite.settings import AnswerSettings
from medcite.text import term_set
from medcite.types import Audience, DocKind, PassageKind, Query, QuestionPart
from medcite.understand.aspects import BY_KEY

MAX_BOTTOM_WORDS = 70
# A further bottom-line sentence must score at least this share of the best one.
BOTTOM_SHARE = 0.6
CONSIDERED = 8  # candidates after the lead weighed for the rest of the bottom line
MAX_BOTTOM_SENTENCES = 3
# A statement that answers a part of the question left unanswered may score this share of
# the best and still join the bottom line.
PART_SHARE = 0.3
# Candidates scoring this share of the best are about as relevant: the strongest kind of
# evidence among them leads a question about what to do.
TIE_SHARE = 0.8
_POINTS_TO_TABLE = re.compile(
    r"\b(?:shown|listed|given|summari[sz]ed|described) (?:below|in (?:the )?table)|"
    r"\bas follows\b|\bin the following table\b|\bsee table\b",
    re.I,
)
# A label's sections written for patients (the SPL reader names them so).
_FOR_PATIENTS = re.compile(
    r"medguide|medication guide|patient package insert|information for patients|"
    r"patient (?:counseling )?information|directions|do not use|ask a doctor|stop use",
    re.I,
)
# Sections where a study's authors summarise what they found.
_SUMMARY = re.compile(r"^abstract\b|\bconclusions?\b|\binterpretation\b", re.I)
_TIERS = {
    DocKind.GUIDELINE: 0,
    DocKind.GUIDELINE_SUMMARY: 0,
    DocKind.DRUG_LABEL: 0,
    DocKind.SYSTEMATIC_REVIEW: 1,
    DocKind.PATIENT_EDUCATION: 1,
    DocKind.TRIAL: 1,
}


def bottom_line(
    groups: list[list[Candidate]], query: Query, cfg: AnswerSettings
) -> list[list[Candidate]]:
    """The statements of the bottom line, in reading order: the best candidate (for patients a
    patient-written one near the best; for a question about what to do, the strongest kind of
    evidence among near-ties), a statement for each part of the question it leaves
    unanswered, the table it points to, and the best-scoring others that fit."""
    if not groups:
        return []
    ordered = sorted(groups, key=lambda g: -g[0].score)
    patient = query.audience == Audience.PATIENT
    if not patient and asks_what_to_do(query):
        ordered = _strongest_first(ordered)
    if "findings" in query.aspects:
        ordered = _summary_first(ordered)
    if patient:  # last: a patient-written statement near the best leads whatever came first
        ordered = _patient_first(ordered)
    ordered = _for_stated_values(ordered, query)
    most = min(MAX_BOTTOM_SENTENCES, max(cfg.bottom_line_sentences, len(query.parts)))
    chosen = _each_part(ordered, query, most) or _best_fit(ordered, most)
    table = _table_it_points_to(chosen[0][0], ordered)
    if table is not None and table not in chosen:
        chosen = [chosen[0], table, *chosen[1:]][: cfg.bottom_line_sentences]
    return _reading_order(chosen)


def _each_part(
    ordered: list[list[Candidate]], query: Query, most: int
) -> list[list[Candidate]] | None:
    """For a question asking several things (understand/parts.py): the lead, then for each
    part it leaves unanswered the best statement that answers it (states the part's aspect or
    uses a word only that part uses), within `most` statements and MAX_BOTTOM_WORDS; None
    when the question asks one thing."""
    if not query.parts:
        return None
    lead, best = ordered[0], ordered[0][0].score
    chosen, words = [lead], _words(lead)
    pool = [g for g in ordered[1 : 1 + CONSIDERED] if g[0].score >= PART_SHARE * best]
    for part in query.parts:
        if len(chosen) >= most or any(_answers(g[0], part) for g in chosen):
            continue
        room = MAX_BOTTOM_WORDS - words
        fit = next(
            (g for g in pool if g not in chosen and _answers(g[0], part) and _words(g) <= room),
            None,
        )
        if fit is not None:
            chosen.append(fit)
            words += _words(fit)
    rest = [g for g in ordered if g not in chosen]
    return chosen + _best_fit([chosen[0], *rest], most - len(chosen) + 1, words)[1:]


def _answers(candidate: Candidate, part: QuestionPart) -> bool:
    text = f"{candidate.lead_in}: {candidate.text}" if candidate.lead_in else candidate.text
    if any(BY_KEY[a].states.search(text) for a in part.aspects):
        return True
    return bool(part.terms & term_set(text))


def _best_fit(
    ordered: list[list[Candidate]], most: int, words: int | None = None
) -> list[list[Candidate]]:
    """The lead, and the others (of the next CONSIDERED scoring at least BOTTOM_SHARE of the
    best) whose scores add up highest within `most` statements and MAX_BOTTOM_WORDS (`words`
    already used, the lead's by default): two short decisive sentences beat one long one."""
    lead, best = ordered[0], ordered[0][0].score
    words = _words(lead) if words is None else words
    others = [g for g in ordered[1 : 1 + CONSIDERED] if g[0].score >= BOTTOM_SHARE * best]
    chosen: tuple[list[Candidate], ...] = ()
    for size in range(min(most - 1, len(others)), 0, -1):
        for combo in combinations(others, size):
            if words + sum(_words(g) for g in combo) > MAX_BOTTOM_WORDS:
                continue
            if sum(g[0].score for g in combo) > sum(g[0].score for g in chosen):
                chosen = combo
    return [lead, *chosen]


def _words(group: list[Candidate]) -> int:
    return len(group[0].text.split())


def _reading_order(chosen: list[list[Candidate]]) -> list[list[Candidate]]:
    """Statements of one passage in the order the source gives them; sources in the order
    of their best statement."""
    first: dict[str, int] = {}
    for i, g in enumerate(chosen):
        first.setdefault(g[0].passage.document.id, i)
    return sorted(
        chosen,
        key=lambda g: (first[g[0].passage.document.id], g[0].passage.seq, g[0].start),
    )


def _table_it_points_to(lead: Candidate, ordered: list[list[Candidate]]) -> list[Candidate] | None:
    """The best row of the table a statement points to ("based on weight as shown below"):
    in the same document and section, a table passage after it."""
    if not _POINTS_TO_TABLE.search(lead.text):
        return None
    p = lead.passage
    rows = [
        g
        for g in ordered
        if g[0].passage.kind == PassageKind.TABLE
        and g[0].passage.document.id == p.document.id
        and g[0].passage.section == p.section
        and g[0].passage.seq >= p.seq
    ]
    return rows[0] if rows else None


def _strongest_first(ordered: list[list[Candidate]]) -> list[list[Candidate]]:
    """Among near-ties, the strongest kind of evidence first (a guideline or label, then
    reviewed summaries, then reports): a question about what to do is answered by what
    directs practice when that is about as relevant."""
    return _near_ties_first(ordered, lambda c: _TIERS.get(c.passage.document.kind, 2))


def _for_stated_values(ordered: list[list[Candidate]], query: Query) -> list[list[Candidate]]:
    """Without the statements about another value of a measure the question gives
    ("CHA2DS2-VASc = 1: …" for a score of 3), unless nothing else is left."""
    stated = stated_values(query.question)
    if not stated:
        return ordered
    fitting = [
        g
        for g in ordered
        if not about_other_value(
            g[0].text, f"{g[0].lead_in or ''} {g[0].passage.section or ''}", stated
        )
    ]
    return fitting or ordered


def _summary_first(ordered: list[list[Candidate]]) -> list[list[Candidate]]:
    """Among near-ties, the authors' own summary first (an abstract, a conclusions
    section): a question about what a study found is answered by what its authors
    concluded, before a detail of the discussion."""
    return _near_ties_first(ordered, lambda c: not _SUMMARY.search(c.passage.section or ""))


def _near_ties_first(
    ordered: list[list[Candidate]], rank: Callable[[Candidate], int | bool]
) -> list[list[Candidate]]:
    """The candidates scoring at least TIE_SHARE of the best, ordered by `rank` then score,
    before the others (kept in their order, wherever they stood)."""
    best = max(g[0].score for g in ordered)
    near = [g for g in ordered if g[0].score >= TIE_SHARE * best]
    rest = [g for g in ordered if g[0].score < TIE_SHARE * best]
    near.sort(key=lambda g: (rank(g[0]), -g[0].score))
    return near + rest


def _patient_first(ordered: list[list[Candidate]]) -> list[list[Candidate]]:
    best = ordered[0][0].score
    for i, group in enumerate(ordered):
        if group[0].score < BOTTOM_SHARE * best:
            break
        if for_patients(group[0]):
            return [group, *ordered[:i], *ordered[i + 1 :]]
    return ordered


def for_patients(candidate: Candidate) -> bool:
    """Written for patients: a patient-education page, or a label's Medication Guide,
    patient information or Drug Facts directions."""
    doc, section = candidate.passage.document, candidate.passage.section or ""
    if doc.kind == DocKind.PATIENT_EDUCATION:
        return True
    return doc.kind == DocKind.DRUG_LABEL and bool(_FOR_PATIENTS.search(section))

"""The extractive writer: every claim is one sentence (or table row) copied from a passage.

Candidates are scored by the fitted evidence scorer (scorer.py); near-duplicates merge (the
same sentence on GARD and GHR becomes one claim citing both); the best candidates about the
question's subject make the bottom line and the rest go to the sections their cues and
source sections choose (sections.py), framed by their kind (framing.py): a case report never
stands under a heading that recommends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

from medcite.answer.candidates import Candidate, candidates
from medcite.answer.evidence import ConceptMatcher
from medcite.answer.framing import (
    asks_what_to_do,
    described_patients,
    frame,
    placed,
    recommendable,
)
from medcite.answer.scorer import load_scorer, score
from medcite.answer.sections import (
    ASPECT_SECTIONS,
    SPECIAL,
    assign_section,
    drug_pattern,
    special_drugs,
    template,
)
from medcite.audience import mentions_dose, sentence_length_factor
from medcite.settings import AnswerSettings
from medcite.text import jaccard, normalize_ws, term_set
from medcite.types import (
    Audience,
    Claim,
    DocKind,
    Hit,
    PassageKind,
    Query,
    QuestionPart,
    Support,
)
from medcite.understand.aspects import BY_KEY

BOTTOM_LINE = "bottom_line"
# The next best statements, for the bottom line when verification removes all of its own;
# compose() drops them otherwise.
RESERVE = "bottom_line_reserve"
RESERVES = 2
BOXED = "boxed"
MAX_CITATIONS = 3
MAX_BOTTOM_WORDS = 70
# A further bottom-line sentence must score at least this share of the best one.
BOTTOM_SHARE = 0.6
CONSIDERED = 8  # candidates after the lead weighed for the rest of the bottom line
# One sentence with this share of another's words in it says the same thing (or more); a
# fuller one leads the group when it scores at least FULLER_SHARE of the lead.
CONTAINED = 0.9
FULLER_SHARE = 0.7
MAX_BOTTOM_SENTENCES = 3
# A statement that answers a part of the question left unanswered may score this share of
# the best and still join the bottom line.
PART_SHARE = 0.3
# Candidates scoring this share of the best are about as relevant: the strongest kind of
# evidence among them leads a question about what to do.
TIE_SHARE = 0.8
# A section claim must score at least this share of the best candidate: padding is not
# an answer.
SECTION_SHARE = 0.25
SECTION_FLOOR = 0.15
# Candidates scoring below this are never shown (the section floor is higher): left out
# before near-duplicates are grouped.
NEGLIGIBLE = 0.01  # ... or at least this (a confident best must not silence the rest)
# On the subject: the share of the subject a candidate (with its title) must name.
ON_SUBJECT = 0.5
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
_TIERS = {
    DocKind.GUIDELINE: 0,
    DocKind.DRUG_LABEL: 0,
    DocKind.SYSTEMATIC_REVIEW: 1,
    DocKind.PATIENT_EDUCATION: 1,
    DocKind.TRIAL: 1,
}


@dataclass(frozen=True, slots=True)
class Ranked:
    """The scored, on-subject candidates of one answer, grouped into near-duplicates."""

    groups: list[list[Candidate]]


def rank_evidence(
    query: Query, hits: Sequence[Hit], ms: Sequence[ConceptMatcher], cfg: AnswerSettings
) -> Ranked:
    """Candidates scored, those off the subject (or unfit for the audience) left out,
    near-duplicates grouped, best first."""
    scored = [
        replace(c, score=c.score * sentence_length_factor(query.audience, len(c.text.split())))
        for c in score(load_scorer(), candidates(query, hits, ms, cfg.max_sentence_words))
    ]
    drugs = drug_pattern(special_drugs(query.context))
    kept = [
        c
        for c in scored
        if (
            (c.subject >= cfg.min_sentence_relevance and c.score >= NEGLIGIBLE)
            or _about_drug(c, drugs)
        )
        and _fits_audience(c, query.audience)
    ]
    return Ranked(_dedupe(kept, cfg.duplicate_similarity))


def write_claims(query: Query, ranked: Ranked, cfg: AnswerSettings) -> list[Claim]:
    """Bottom-line claims first, then section claims, all verbatim from passages."""
    groups = [g for g in ranked.groups if g[0].subject >= ON_SUBJECT]
    bottom = _bottom_line(groups, query, cfg)
    patients = described_patients(c.passage for g in ranked.groups for c in g)
    unnamed = not any(c.subject > 0 for c in query.concepts)
    claims = [_claim(group, BOTTOM_LINE, patients, unnamed=unnamed) for group in bottom]
    spare = [g for g in sorted(groups, key=lambda g: -g[0].score) if g not in bottom]
    claims += [_claim(g, RESERVE, patients, unnamed=unnamed) for g in spare[:RESERVES]]
    keys = template(query.question_type, query.aspects)
    drugs = drug_pattern(special_drugs(query.context))
    per_section: dict[str, int] = {}
    chosen = {id(g) for g in bottom}
    best = max((g[0].score for g in ranked.groups), default=0.0)
    floor = min(SECTION_SHARE * best, SECTION_FLOOR)
    ordered = ranked.groups
    if query.audience == Audience.PATIENT:  # what is written for patients first
        ordered = sorted(ordered, key=lambda g: not for_patients(g[0]))
    for group in ordered:
        lead = group[0]
        if id(group) in chosen or len(claims) >= cfg.max_claims:
            continue
        section = _stated_aspect(query, lead) or assign_section(
            keys, lead.text, lead.passage, drugs
        )
        if _boxed(lead, drugs):
            section = BOXED
        # "Special considerations" and a label's boxed warning are about the patient's
        # drug, not the question: their sentences need not score like an answer to it
        elif section != SPECIAL and (
            section is None or lead.subject < ON_SUBJECT or lead.score < floor
        ):
            continue
        section = placed(section, lead.passage.document.kind)
        if per_section.get(section, 0) < cfg.max_per_section:
            per_section[section] = per_section.get(section, 0) + 1
            claims.append(_claim(group, section, patients, unnamed=unnamed))
    return claims


def _stated_aspect(query: Query, candidate: Candidate) -> str | None:
    """The section of the first asked aspect the candidate states in so many words (a
    missed-dose sentence goes to Dosing whatever its source section)."""
    text = f"{candidate.lead_in}: {candidate.text}" if candidate.lead_in else candidate.text
    for key in query.aspects:
        if key in ASPECT_SECTIONS and BY_KEY[key].states.search(text):
            return ASPECT_SECTIONS[key]
    return None


def _bottom_line(
    groups: list[list[Candidate]], query: Query, cfg: AnswerSettings
) -> list[list[Candidate]]:
    """The best candidates, while they score near the best and fit in MAX_BOTTOM_WORDS; for
    patients a patient-education or label sentence leads when one scores near the best."""
    if not groups:
        return []
    ordered = sorted(groups, key=lambda g: -g[0].score)
    if query.audience == Audience.PATIENT:
        ordered = _patient_first(ordered)
    elif asks_what_to_do(query):
        ordered = _strongest_first(ordered)
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
    """Among the candidates that score about as well as the best (TIE_SHARE), the strongest
    kind of evidence first
    (a guideline or label, then reviewed summaries, then reports): a question about what to
    do is answered by what directs practice when that is about as relevant."""
    best = ordered[0][0].score
    near = [g for g in ordered if g[0].score >= TIE_SHARE * best]
    rest = ordered[len(near) :]
    near.sort(key=lambda g: (_TIERS.get(g[0].passage.document.kind, 2), -g[0].score))
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


def _boxed(candidate: Candidate, drugs: re.Pattern[str] | None) -> bool:
    """A sentence of the boxed warning of a label about the question's drug."""
    section = candidate.passage.section or ""
    return (
        drugs is not None
        and candidate.passage.document.kind == DocKind.DRUG_LABEL
        and section.lower().startswith("boxed warning")
        and bool(drugs.search(candidate.passage.document.title))
    )


def _about_drug(candidate: Candidate, drugs: re.Pattern[str] | None) -> bool:
    """True when the candidate names one of the patient's drugs (or its label does)."""
    if drugs is None:
        return False
    doc = candidate.passage.document
    return bool(
        drugs.search(candidate.text) or (doc.kind == DocKind.DRUG_LABEL and drugs.search(doc.title))
    )


def _fits_audience(candidate: Candidate, audience: Audience) -> bool:
    """Patients are not shown doses or regimens from case reports or studies."""
    if audience != Audience.PATIENT:
        return True
    return recommendable(candidate.passage.document.kind) or not mentions_dose(candidate.text)


def _dedupe(cands: list[Candidate], threshold: float) -> list[list[Candidate]]:
    """Group near-duplicates (word overlap at `threshold`, or one sentence saying all of
    another); the best-scoring sentence leads a group, unless one in it says all the lead
    says and more ("… can usually be cured, even in late stages") and scores nearly as well."""
    groups: list[list[Candidate]] = []
    for cand in sorted(cands, key=lambda c: -c.score):
        for group in groups:
            if _same_statement(group[0].content, cand.content, threshold):
                group.append(cand)
                break
        else:
            groups.append([cand])
    return [_fullest_first(g) for g in groups]


def _same_statement(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    if not a or not b:
        return False
    return jaccard(a, b) >= threshold or len(a & b) / min(len(a), len(b)) >= CONTAINED


def _fullest_first(group: list[Candidate]) -> list[Candidate]:
    lead = group[0]
    fuller = [
        c for c in group[1:] if lead.content < c.content and c.score >= FULLER_SHARE * lead.score
    ]
    if not fuller:
        return group
    best = max(fuller, key=lambda c: c.score)
    return [best, *(c for c in group if c is not best)]


def _claim(
    group: list[Candidate], section: str, patients: Mapping[str, str], *, unnamed: bool = False
) -> Claim:
    """The leading sentence, citing up to MAX_CITATIONS documents that say exactly it,
    preferring different publishers; framed by its kind, with the source's grade."""
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
    return Claim(
        lead.text,
        tuple(s.passage_id for s in support),
        section,
        support=support,
        grade=lead.grade,
        frame=lead.lead_in or frame(lead.passage, patients, lead.text, unnamed=unnamed),
    )

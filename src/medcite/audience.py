"""What changes when an answer is for a patient rather than a clinician, in one place.

Both audiences run the same pipeline and cite the same way. For a patient:
1. retrieval prefers patient-education documents (a score prior before the final cut);
2. the writer prefers shorter sentences;
3. a section (or bottom line) that states a dose carries a separate note to talk to a
   clinician. Quoted text is never altered: the note sits beside the quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from medcite.settings import AudienceSettings
from medcite.types import Answer, Audience, DocKind, Hit, Query

PATIENT_DOSE_NOTE = (
    "This part mentions doses. The right dose depends on the person: talk to your clinician "
    "or pharmacist before starting, stopping or changing any medicine."
)
# Sentences up to this many words keep their score for patients; longer ones lose some.
SHORT_SENTENCE_WORDS = 22
_LENGTH_PENALTY_PER_WORD = 0.02
_MIN_LENGTH_FACTOR = 0.6
_DOSE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(?:mg|g|mcg|µg|μg|ml|units?|iu|mg/kg|mg/m2|tablets?|capsules?|"
    r"puffs?|drops?)(?![\w/])|\b(?:once|twice|three times|four times) (?:a |per )?"
    r"(?:day|daily|week)\b|\bevery \d+ ?(?:h|hrs?|hours)\b|\b(?:dose|doses|dosage|dosing)\b",
    re.I,
)


def mentions_dose(text: str) -> bool:
    """True when a sentence states an amount, a frequency or a change of dose of a medicine."""
    return bool(_DOSE.search(text))


def retrieval_depth(query: Query) -> Query:
    """Patients get a deeper first pass so the prior can bring patient pages forward."""
    return replace(query, k=query.k * 2) if query.audience == Audience.PATIENT else query


def prefer_for_audience(
    hits: Sequence[Hit], audience: Audience, cfg: AudienceSettings, k: int
) -> list[Hit]:
    """The k best hits after the audience prior, re-ranked (unchanged for clinicians)."""
    if audience != Audience.PATIENT:
        return list(hits[:k])
    boosted = []
    for hit in hits:
        prior = (
            cfg.patient_education_boost
            if hit.passage.document.kind == DocKind.PATIENT_EDUCATION
            else 1.0
        )
        scores = {**hit.scores, "audience_prior": prior}
        boosted.append(replace(hit, score=hit.score * prior, scores=scores))
    boosted.sort(key=lambda h: (-h.score, h.rank))
    return [replace(h, rank=i) for i, h in enumerate(boosted[:k], start=1)]


def sentence_length_factor(audience: Audience, n_words: int) -> float:
    """Score factor of a sentence by length: 1 for clinicians and for short sentences."""
    if audience != Audience.PATIENT or n_words <= SHORT_SENTENCE_WORDS:
        return 1.0
    excess = n_words - SHORT_SENTENCE_WORDS
    return max(_MIN_LENGTH_FACTOR, 1.0 - _LENGTH_PENALTY_PER_WORD * excess)


def frame_for_audience(answer: Answer) -> Answer:
    """Add the talk-to-your-clinician note beside any dosing statement, for patients."""
    if answer.audience != Audience.PATIENT or answer.abstained:
        return answer
    sections = tuple(
        replace(s, note=PATIENT_DOSE_NOTE) if any(mentions_dose(c.text) for c in s.claims) else s
        for s in answer.sections
    )
    notes = answer.notes
    if any(mentions_dose(c.text) for c in answer.bottom_line) and PATIENT_DOSE_NOTE not in notes:
        notes = (*notes, PATIENT_DOSE_NOTE)
    return replace(answer, sections=sections, notes=notes)

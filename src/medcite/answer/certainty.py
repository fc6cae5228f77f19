"""How much weight a claim can bear, from the kinds of the sources that support it.

The best kind among a claim's verified citations decides:
- high: a guideline or a drug label (reviewed statements written to direct practice);
- moderate: a systematic review or meta-analysis, a randomized trial, a summary of a
  guideline written by a third party (not the society's own words), a narrative review, or
  patient education from a public-health agency (reviewed, but secondary summaries, not
  primary evidence);
- low: an observational study, a case report, or a source of unknown kind (other).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from medcite.types import Claim, DocKind, Passage

HIGH, MODERATE, LOW = "high", "moderate", "low"
LEVELS = (HIGH, MODERATE, LOW)
CERTAINTY_BY_KIND: dict[DocKind, str] = {
    DocKind.GUIDELINE: HIGH,
    DocKind.DRUG_LABEL: HIGH,
    DocKind.SYSTEMATIC_REVIEW: MODERATE,
    DocKind.TRIAL: MODERATE,
    DocKind.GUIDELINE_SUMMARY: MODERATE,
    DocKind.REVIEW: MODERATE,
    DocKind.PATIENT_EDUCATION: MODERATE,
    DocKind.OBSERVATIONAL: LOW,
    DocKind.CASE_REPORT: LOW,
    DocKind.OTHER: LOW,
}
CERTAINTY_NOTE = (
    "Certainty: high = guideline or drug label; moderate = systematic review, randomized "
    "trial, guideline summary, review article or patient education (reviewed, not primary "
    "evidence); low = observational study, case report or other source."
)


def certainty_of(kinds: Iterable[DocKind]) -> str | None:
    """The certainty the best of these kinds of evidence gives; None without evidence."""
    levels = {CERTAINTY_BY_KIND[kind] for kind in kinds}
    return next((level for level in LEVELS if level in levels), None)


def with_certainty(claims: Sequence[Claim], passages: Mapping[str, Passage]) -> list[Claim]:
    """The claims with `certainty` set from the documents of the passages they cite."""
    return [
        replace(
            claim,
            certainty=certainty_of(
                passages[pid].document.kind for pid in claim.passage_ids if pid in passages
            ),
        )
        for claim in claims
    ]

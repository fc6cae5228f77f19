"""Evidence-kind priors: for equal relevance, a guideline or a drug label outranks a case report.

Each hit's score is multiplied by its document kind's prior (at most a 10 % change, so the
prior only breaks near-ties and never buries a clearly more relevant passage), then the hits
are re-sorted and re-ranked. The prior used is recorded in `Hit.scores["kind_prior"]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from medcite.types import DocKind, Hit

KIND_PRIORS: dict[DocKind, float] = {
    DocKind.GUIDELINE: 1.0,
    DocKind.DRUG_LABEL: 1.0,
    DocKind.GUIDELINE_SUMMARY: 0.99,
    DocKind.SYSTEMATIC_REVIEW: 0.98,
    DocKind.TRIAL: 0.97,
    DocKind.PATIENT_EDUCATION: 0.95,
    DocKind.REVIEW: 0.95,
    DocKind.OBSERVATIONAL: 0.93,
    DocKind.CASE_REPORT: 0.9,
    DocKind.OTHER: 0.9,
}


def apply_kind_priors(hits: Sequence[Hit]) -> list[Hit]:
    """The hits re-scored by evidence kind, best first, ranks renumbered from 1."""
    weighted = [
        (
            hit,
            hit.score * KIND_PRIORS[hit.passage.document.kind],
            KIND_PRIORS[hit.passage.document.kind],
        )
        for hit in hits
    ]
    weighted.sort(key=lambda item: -item[1])
    return [
        replace(hit, score=score, rank=rank, scores={**hit.scores, "kind_prior": prior})
        for rank, (hit, score, prior) in enumerate(weighted, start=1)
    ]

"""Evidence for "Special considerations for patients on <drug>": passages about the drug itself.

The question's own retrieval favours passages that cover all of it (CMV *and* ruxolitinib);
what matters for a patient on a drug (its infections, marrow suppression, immunosuppression,
interactions) is often written without the rest of the question. So a second, small search
asks for the drug's names together with those topics, and its hits join the evidence after
the question's own, scored just below them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from medcite.answer.sections import SPECIAL, special_drugs, template
from medcite.types import Concept, Hit, Query
from medcite.understand.query import drug_forms

SPECIAL_HITS = 10
SAFETY_TOPICS = Concept(
    "drug safety",
    (
        "infection",
        "infections",
        "opportunistic",
        "immunosuppression",
        "myelosuppression",
        "cytopenias",
        "thrombocytopenia",
        "neutropenia",
        "anemia",
        "interactions",
        "CYP3A4",
    ),
    0.5,
)


def special_query(query: Query) -> Query | None:
    """A query for passages on the safety of the drugs the patient is on, if any, when the
    question's answer has a "Special considerations" section."""
    drugs = special_drugs(query.context)
    if not drugs or SPECIAL not in template(query.question_type, query.aspects):
        return None
    concepts = tuple(Concept(d.generic, drug_forms(d), 1.0) for d in drugs)
    return replace(query, concepts=(*concepts, SAFETY_TOPICS), k=SPECIAL_HITS)


def with_special_hits(hits: Sequence[Hit], extra: Sequence[Hit]) -> list[Hit]:
    """`hits`, then the extra hits not among them, scaled to score below the last of `hits`."""
    seen = {h.passage.id for h in hits}
    added = [h for h in extra if h.passage.id not in seen]
    if not added:
        return list(hits)
    floor = min((h.score for h in hits), default=1.0)
    top = max(h.score for h in added) or 1.0
    return [
        *hits,
        *(
            replace(h, score=floor * 0.9 * h.score / top, rank=len(hits) + i)
            for i, h in enumerate(added, start=1)
        ),
    ]

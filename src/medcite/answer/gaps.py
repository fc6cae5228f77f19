"""What the retrieved evidence does not cover, said in one generated line.

For the aspects the question asks (dosing, treatment, monitoring …; understand/aspects.py),
the scored candidates about the question's subject are read: which kinds of source state
each aspect. For a clinician, an aspect that asks what to do needs a guideline or a drug
label; when none of those states it, the line says so and names the kinds that were found.
Any other aspect (and, for a patient, every aspect: patient-education pages are written
for them) needs some source to state it. Nothing is written per topic: the line is computed from the
evidence of this answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from medcite.answer.candidates import Candidate
from medcite.answer.extractive import Ranked
from medcite.answer.framing import ACTIONABLE, recommendable
from medcite.types import Audience, DocKind, Query
from medcite.understand.aspects import BY_KEY, section_aspects, section_name

NOUNS: dict[str, str] = {
    "dose": "dosing",
    "missed_dose": "a missed dose",
    "contraindication": "contraindications",
    "interaction": "interactions",
    "pregnancy": "use in pregnancy",
    "renal": "use in kidney impairment",
    "hepatic": "use in liver impairment",
    "adverse": "adverse effects",
    "frequency": "how common it is",
    "inheritance": "inheritance",
    "causes": "causes",
    "symptoms": "signs and symptoms",
    "diagnosis": "diagnosis",
    "treatment": "treatment",
    "prevention": "prevention",
    "prognosis": "outlook",
    "duration": "timing or duration",
    "monitoring": "monitoring",
    "lab_value": "the values asked",
    "product": "product handling",
    "findings": "study findings",
    "design": "how the studies were done",
}
# A candidate states an aspect when its words or its section do, and it scores this well.
MIN_SCORE = 0.05
_NAMES = {  # kind -> (one, several)
    DocKind.PATIENT_EDUCATION: ("patient-education page", "patient-education pages"),
    DocKind.OTHER: ("source of unknown kind", "sources of unknown kind"),
}


def evidence_gaps(query: Query, ranked: Ranked) -> tuple[str, ...]:
    """At most one line on what the evidence about the subject does not cover."""
    aspects = query.aspects or (("treatment",) if query.question_type == "treatment" else ())
    on_subject = [g[0] for g in ranked.about_subject()]
    # for a patient, what patient-education pages say of what to do is the expected source
    actionable = ACTIONABLE if query.audience == Audience.CLINICIAN else frozenset()
    unsettled = [a for a in aspects if a in actionable and not _settled(a, on_subject)]
    unstated = [
        a for a in aspects if a not in actionable and not any(_states(c, a) for c in on_subject)
    ]
    subject = _subject(query)
    lines = []
    if unsettled:
        found = _kinds(c for c in on_subject if any(_states(c, a) for a in unsettled))
        shown = f"what is shown comes from {found}" if found else "none of them states it"
        lines.append(
            f"No guideline or drug label among the retrieved sources addresses "
            f"{_join([NOUNS[a] for a in unsettled])} for {subject}: {shown}."
        )
    if unstated:
        lines.append(
            f"None of the retrieved sources states {_join([NOUNS[a] for a in unstated])} "
            f"for {subject}."
        )
    return (" ".join(lines),) if lines else ()


def _states(candidate: Candidate, aspect: str) -> bool:
    if candidate.score < MIN_SCORE:
        return False
    return bool(
        BY_KEY[aspect].states.search(candidate.text)
        or aspect in section_aspects(section_name(candidate.passage))
    )


def _settled(aspect: str, cands: Sequence[Candidate]) -> bool:
    return any(_states(c, aspect) and recommendable(c.passage.document.kind) for c in cands)


def _kinds(cands: Iterable[Candidate]) -> str:
    docs = {c.passage.document.id: c.passage.document.kind for c in cands}
    counts = Counter(docs.values())
    parts = []
    for kind, n in counts.most_common():
        one, several = _NAMES.get(kind, (kind.label.lower(), kind.label.lower() + "s"))
        parts.append(f"{n} {one if n == 1 else several}")
    return _join(parts)


def _subject(query: Query) -> str:
    names = [c.label for c in query.concepts if c.subject >= 1.0 and not c.is_number]
    return _join(names[:3]) if names else "the question's subject"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"

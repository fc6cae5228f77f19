"""The gaps that change an answer, stated plainly. One rule per function, run in this order:

1. unit_gaps: a lab value without a unit, for a test whose units in use differ in meaning
   ("CMV PCR 1700 — the unit was not given; thresholds differ between IU/mL and copies/mL").
   Tests with one unit in use (eGFR, INR, CD4 count) are not flagged.
2. transplant_gap: transplant status not stated, when the question is about a virus that
   opportunistically reactivates (CMV, EBV, BK, adenovirus, HHV-6) or about GVHD.
3. immune_gap: immune status not stated for such a virus, when neither a transplant, an
   immunosuppressive drug nor immunocompromise (or its absence) was mentioned.
4. answer_gaps: a fact the cited statements depend on but the question does not give —
   kidney or liver function (statements adjust for them), weight (doses per kilogram), age
   (doses for children), pregnancy (for a female patient, statements about pregnancy).
5. brand_readings: a drug named only by a brand is read as its generic ("Lipitor read as
   atorvastatin").
6. uncovered_drugs: a drug the patient is on that no cited statement mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from medcite.clinical.labs import lab_test
from medcite.types import Answer, Claim, DrugUse, PatientContext, Query

_OPPORTUNISTIC = re.compile(
    r"\b(?:cmv|cytomegalovirus|ebv|epstein[- ]barr|bk\s?(?:virus|v)\b|bkv|adenovirus|"
    r"hhv-?6|gvhd|graft[- ]versus[- ]host)",
    re.I,
)
_VIRUS_NAMES = {"cmv": "CMV", "cytomegalovirus": "CMV", "ebv": "EBV", "bk": "BK virus"}
# Generic names of drugs that suppress immunity; naming one answers "is the patient
# immunocompromised?" well enough not to ask.
IMMUNOSUPPRESSANTS = frozenset(
    """ruxolitinib fedratinib pacritinib momelotinib tofacitinib baricitinib upadacitinib
    tacrolimus cyclosporine sirolimus everolimus mycophenolate azathioprine methotrexate
    prednisone prednisolone methylprednisolone dexamethasone hydrocortisone cyclophosphamide
    fludarabine rituximab alemtuzumab obinutuzumab belatacept basiliximab ibrutinib
    adalimumab infliximab etanercept certolizumab golimumab""".split()
)
# (fact stated?, cue in a cited statement, sentence) for answer_gaps.
_ANSWER_CUES: tuple[tuple[Callable[[PatientContext], bool], re.Pattern[str], str], ...] = (
    (
        lambda c: (
            c.renal_impairment is not None
            or any(lab.test in ("creatinine", "eGFR", "creatinine clearance") for lab in c.labs)
        ),
        re.compile(
            r"creatinine clearance|crcl|renal (?:impairment|function)|kidney function", re.I
        ),
        "Kidney function not stated — some cited statements depend on it.",
    ),
    (
        lambda c: c.hepatic_impairment is not None,
        re.compile(r"hepatic (?:impairment|function)|liver function|child-pugh", re.I),
        "Liver function not stated — some cited statements depend on it.",
    ),
    (
        lambda c: c.weight_kg is not None,
        re.compile(r"\bmg/kg\b|per kilogram", re.I),
        "Weight not stated — some cited doses are per kilogram of body weight.",
    ),
    (
        lambda c: c.age_years is not None,
        re.compile(
            r"\b(?:children|pediatric|paediatric|infants?|adolescents?)\b[^.]*\d\s?(?:mg|mcg|µg)"
            r"|\d\s?(?:mg|mcg|µg)\b[^.]*\b(?:children|pediatric|paediatric|infants?)\b",
            re.I,
        ),
        "Age not stated — some cited doses are for children.",
    ),
    (
        lambda c: c.pregnant is not None or c.sex != "female",
        re.compile(r"\bpregnan\w*", re.I),
        "Pregnancy status not stated — some cited statements are specific to pregnancy.",
    ),
)


def with_assumptions(answer: Answer, query: Query) -> Answer:
    """The answer with its assumptions and the patient context it was given."""
    found = assumptions(query.question, query.context, answer.claims)
    return replace(answer, assumptions=tuple(found), context=query.context)


def assumptions(question: str, context: PatientContext, claims: Sequence[Claim]) -> list[str]:
    """Every rule's statements, in rule order, without repeats."""
    found = [
        *unit_gaps(context),
        *transplant_gap(question, context),
        *immune_gap(question, context),
        *answer_gaps(context, claims),
        *brand_readings(context),
        *uncovered_drugs(context, claims),
    ]
    return list(dict.fromkeys(found))


def unit_gaps(context: PatientContext) -> list[str]:
    out = []
    for lab in context.labs:
        test = lab_test(lab.test)
        if lab.unit is None and test is not None and test.unit_note:
            out.append(f"{lab.display} — the unit was not given; {test.unit_note}.")
    return out


def transplant_gap(question: str, context: PatientContext) -> list[str]:
    m = _OPPORTUNISTIC.search(question)
    if m is None or context.transplant is not None:
        return []
    topic = _VIRUS_NAMES.get(m.group(0).lower().split()[0], m.group(0))
    return [f"Transplant status not stated — {topic} is managed differently after a transplant."]


def immune_gap(question: str, context: PatientContext) -> list[str]:
    if _OPPORTUNISTIC.search(question) is None or context.immunocompromised is not None:
        return []
    if context.transplant or any(d.generic in IMMUNOSUPPRESSANTS for d in context.drugs):
        return []
    return ["Immune status not stated — the answer may differ for immunocompromised patients."]


def answer_gaps(context: PatientContext, claims: Sequence[Claim]) -> list[str]:
    text = " ".join(c.text for c in claims)
    return [
        sentence
        for stated, cue, sentence in _ANSWER_CUES
        if not stated(context) and cue.search(text)
    ]


def brand_readings(context: PatientContext) -> list[str]:
    out = []
    for drug in context.drugs:
        if drug.mentions and all(m.casefold() != drug.generic for m in drug.mentions):
            out.append(f"{', '.join(drug.mentions)} read as {drug.generic}.")
    return out


def uncovered_drugs(context: PatientContext, claims: Sequence[Claim]) -> list[str]:
    if not claims:
        return []
    text = " ".join(c.text for c in claims).lower()
    return [
        f"No cited statement mentions {drug.generic}: nothing here is specific to patients on it."
        for drug in context.current_drugs
        if not any(re.search(rf"\b{re.escape(n.lower())}\b", text) for n in _names(drug))
    ]


def _names(drug: DrugUse) -> set[str]:
    return {drug.generic, *drug.mentions}

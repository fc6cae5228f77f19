"""Which sections an answer has, and the transparent rules that put a sentence in one.

A sentence scores 2 for each section whose source-section pattern matches the section name
of its passage (MedQuAD question type, FDA label section), plus 1 per distinct cue that
matches the sentence (at most 3). The best-scoring section of the answer's template (the
sections the asked aspects open, then the question type's) wins; ties go to the earlier
section. A sentence that scores less than MIN_SECTION_SCORE everywhere is left out.

When the question names drugs (those the patient is on, else any), "Special considerations"
becomes "Special considerations for patients on <drug>" and takes only sentences about those
drugs (the sentence names one, or it comes from a drug label whose title does). Such a
sentence that also names what matters to a patient on a drug (infections, marrow
suppression, immunosuppression, interactions) scores 3 more there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcite.types import DocKind, DrugUse, Passage, PatientContext
from medcite.understand.query import drug_forms

_DOSE = r"\d+(?:\.\d+)?\s?(?:mg|g|mcg|µg|μg|mg/kg|units?|IU)\b"


@dataclass(frozen=True, slots=True)
class SectionSpec:
    key: str
    title: str
    cues: tuple[re.Pattern[str], ...]
    source_sections: re.Pattern[str] | None = None


def _cues(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"\b(?:{p})", re.I) for p in patterns)


def _src(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})", re.I)


_TREATMENT_CUES = _cues(
    r"first[- ]line|initial therapy|treatment of choice",
    r"treat(?:ed|ment|ing|s)?\b|therap(?:y|ies)\b",
    r"commenced|administered|given|prescribed|recommended|started on",
    _DOSE,
    r"once daily|twice daily|three times daily|every \d+ ?(?:h|hours)\b|b\.?i\.?d\b",
    r"medications?\b|drugs?\b|antivirals?\b|antibiotics?\b",
    r"effective|efficacious|efficient\b|efficacy|safe and",
)
SPECS: dict[str, SectionSpec] = {
    s.key: s
    for s in (
        SectionSpec(
            "first_line",
            "First-line treatment",
            _TREATMENT_CUES,
            _src(r"treatment|dosage|indications|directions|uses"),
        ),
        SectionSpec(
            "treatment", "Treatment", _TREATMENT_CUES, _src(r"treatment|dosage|indications")
        ),
        SectionSpec(
            "alternatives",
            "Alternative options",
            _cues(
                r"alternatives?\b|second[- ]line|instead\b|salvage\b",
                r"refractory|resistan(?:t|ce)\b|not tolerated|fails? to respond",
                r"other (?:treatment )?options?\b|can also be (?:used|treated)",
            ),
        ),
        SectionSpec(
            "monitoring",
            "Monitoring",
            _cues(
                r"monitor\w*|surveillance",
                r"check(?:ed|s)?\b|measur\w*|assess\w*",
                r"blood counts?|viral load|laboratory|lab tests?|levels? of\b|pcr\b",
                r"weekly|regularly|periodic\w*",
            ),
            _src(r"laboratory tests|monitoring"),
        ),
        SectionSpec(
            "duration",
            "Duration of treatment",
            _cues(
                r"for (?:\w+ ){0,2}(?:days?|weeks?|months?|years?)\b|duration",
                r"until\b|continu\w*|discontinu\w*|stopp?(?:ed|ing)? taking|taper\w*",
                r"long[- ]term|lifelong",
            ),
        ),
        SectionSpec(
            "special",
            "Special considerations",
            _cues(
                r"immunocompromised|immunosuppress\w*|immunocompetent|transplant\w*",
                r"pregnan\w*|breast-?feeding|lactation|nursing mothers",
                r"renal|kidney (?:disease|impairment|function)",
                r"hepatic|liver (?:disease|impairment)",
                r"elderly|older adults|geriatric|children|pediatric|infants?",
                r"interactions?\b|inhibitors? of cyp|coadministration|receiving\b",
            ),
            _src(r"interactions|specific populations|pregnan|pediatric|geriatric|nursing"),
        ),
        SectionSpec(
            "adverse",
            "Adverse effects and pitfalls",
            _cues(
                r"side effects?|adverse|toxicit\w*|opportunistic",
                r"warnings?\b|caution\w*|contraindicat\w*",
                r"risks? of\b|increase[sd]? the risk|complications?\b",
                r"not recommended|should not|do not|avoid\b",
                r"fatal|death|died|life-threatening|severe\b",
            ),
            _src(
                r"adverse|warning|boxed|contraindication|precaution|overdos|stop use|"
                r"do not use|complications"
            ),
        ),
        SectionSpec(
            "follow_up",
            "Follow-up",
            _cues(
                r"follow-?up|after discharge|remained well|re-?examination",
                r"relapse|recurren\w*|(?:months?|weeks?|years?) (?:later|after|following)",
            ),
        ),
        SectionSpec(
            "definition",
            "Overview",
            _cues(
                r"(?:is|are) (?:a|an) (?:\w+ ){0,3}(?:condition|disorder|disease|syndrome|"
                r"infection|virus|cancer|type)",
                r"refers to|is defined as|characteri[sz]ed by",
            ),
            _src(r"information|overview|description|what is"),
        ),
        SectionSpec(
            "causes",
            "Causes and genetics",
            _cues(
                r"caus(?:e|es|ed|ing)\b|due to|results? from|triggers?\b",
                r"mutations?\b|genes?\b|genetic\b|risk factors?",
            ),
            _src(r"causes|genetic changes|susceptibility"),
        ),
        SectionSpec(
            "symptoms",
            "Signs and symptoms",
            _cues(
                r"symptoms?\b|signs?\b|features?\b|manifest\w*",
                r"present(?:s|ed)? with|characteri[sz]ed by",
                r"may (?:include|have|develop|experience)",
                r"fever|pain|rash|fatigue|weakness|swelling|bleeding|delay",
            ),
            _src(r"symptoms"),
        ),
        SectionSpec(
            "diagnosis",
            "Diagnosis and tests",
            _cues(
                r"diagnos\w*|confirm\w*",
                r"tests?\b|testing|biopsy|imaging|scan\b|assay|pcr\b|screen\w*",
            ),
            _src(r"exams and tests|diagnos"),
        ),
        SectionSpec(
            "prognosis",
            "Outlook",
            _cues(r"outlook|prognosis|survival|life expectancy|recover\w*|cured?\b"),
            _src(r"outlook|prognosis"),
        ),
        SectionSpec(
            "prevention",
            "Prevention",
            _cues(r"prevent\w*|vaccin\w*|reduce (?:the|your) risk|avoid\w*"),
            _src(r"prevention"),
        ),
        SectionSpec(
            "inheritance",
            "Inheritance",
            _cues(r"inherit\w*|autosomal|x-linked|dominant|recessive|passed (?:down|from)"),
            _src(r"inheritance"),
        ),
        SectionSpec(
            "frequency",
            "Frequency",
            _cues(
                r"affects? (?:about|approximately|an estimated)|\d+ in [\d,]+|prevalence|"
                r"incidence|estimated \d"
            ),
            _src(r"frequency"),
        ),
        SectionSpec(
            "dosing",
            "Dosing",
            _cues(
                _DOSE,
                r"once daily|twice daily|three times daily|every (?:other )?(?:\d+ )?"
                r"(?:h|hours|days?|weeks?)\b",
                r"(?:recommended|starting|initial|maximum|usual) (?:dose|dosage)|\bdosages?\b",
                r"miss(?:ed)? (?:a )?dose|next dose",
            ),
            _src(r"dosage|directions|how should i take"),
        ),
        SectionSpec(
            "contraindications",
            "Contraindications",
            _cues(r"contraindicat\w*", r"should not be (?:used|given|taken)|do not (?:use|take)"),
            _src(r"contraindication|do not use"),
        ),
        SectionSpec(
            "interactions",
            "Interactions",
            _cues(
                r"interact\w*|co-?administ\w*|concomitant|in combination",
                r"inhibitors?\b|inducers?\b|\bmaoi\b|monoamine oxidase",
            ),
            _src(r"interactions"),
        ),
        SectionSpec(
            "findings",
            "Reported findings",
            _cues(r"\d[\d ,.]*\s?(?:pg/ml|ng/ml|mg/dl|g/l|u/l|µmol/l|μmol/l|mmol/l|×10|%)"),
        ),
        SectionSpec("boxed", "Boxed warning", ()),
        SectionSpec("described", "Treatment options described", ()),
        SectionSpec("case_evidence", "Evidence from case reports and studies", ()),
        SectionSpec("background", "Background", ()),
    )
}
# The section an asked aspect (understand/aspects.py) opens, first in the answer.
ASPECT_SECTIONS: dict[str, str] = {
    "dose": "dosing",
    "missed_dose": "dosing",
    "contraindication": "contraindications",
    "interaction": "interactions",
    "pregnancy": "special",
    "renal": "special",
    "hepatic": "special",
    "adverse": "adverse",
    "frequency": "frequency",
    "inheritance": "inheritance",
    "causes": "causes",
    "symptoms": "symptoms",
    "diagnosis": "diagnosis",
    "treatment": "first_line",
    "prevention": "prevention",
    "prognosis": "prognosis",
    "duration": "duration",
    "monitoring": "monitoring",
    "lab_value": "findings",
    "product": "adverse",
    "findings": "case_evidence",
    "design": "background",
}
TEMPLATES: dict[str, tuple[str, ...]] = {
    "treatment": (
        "first_line",
        "alternatives",
        "monitoring",
        "duration",
        "special",
        "adverse",
        "follow_up",
        "background",
    ),
    "side_effects": ("adverse", "special", "monitoring", "first_line", "background"),
    "definition": ("definition", "causes", "symptoms", "diagnosis", "treatment", "prognosis"),
    "symptoms": ("symptoms", "definition", "causes", "diagnosis", "treatment"),
    "causes": ("causes", "inheritance", "definition", "symptoms"),
    "diagnosis": ("diagnosis", "symptoms", "definition", "treatment"),
    "prognosis": ("prognosis", "treatment", "definition"),
    "prevention": ("prevention", "causes", "treatment", "definition"),
    "inheritance": ("inheritance", "causes", "definition"),
    "frequency": ("frequency", "definition", "causes"),
}


SPECIAL = "special"
# A sentence joins a section only with its source section or two of the section's cues:
# one cue ("periodically", "severe") is too little to say a sentence is about monitoring.
MIN_SECTION_SCORE = 2
DRUG_TOPIC_SCORE = 3
_DRUG_CUES = _cues(
    r"infect\w*|opportunistic|reactivat\w*",
    r"myelosuppress\w*|marrow|cytopeni\w*|thrombocytopeni\w*|neutropeni\w*|an(?:a)?emi\w*",
    r"immunosuppress\w*|immune (?:system|response)",
    r"interact\w*|cyp3a4|coadministr\w*|concomitant",
)


def drug_template(keys: tuple[str, ...], context: PatientContext) -> tuple[str, ...]:
    """A question naming a drug shows that drug's boxed warning first (see extractive.py)."""
    return ("boxed", *keys) if special_drugs(context) else keys


def special_drugs(context: PatientContext) -> tuple[DrugUse, ...]:
    """The drugs "Special considerations" is about: those taken, else those named."""
    return context.current_drugs or context.drugs


def section_title(key: str, context: PatientContext) -> str:
    """The section's title, naming the patient's drugs in "Special considerations"."""
    drugs = special_drugs(context)
    if key != SPECIAL or not drugs:
        return SPECS[key].title
    names = [d.display for d in drugs]
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    on = "patients on " if context.current_drugs else ""
    return f"Special considerations for {on}{joined}"


def drug_pattern(drugs: tuple[DrugUse, ...]) -> re.Pattern[str] | None:
    """A pattern that finds any name of these drugs, or None when there are none."""
    names = sorted({form for d in drugs for form in drug_forms(d)}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, names))})(?![\w-])", re.I)


def _drug_special_score(base: int, sentence: str, passage: Passage, drugs: re.Pattern[str]) -> int:
    """0 unless the sentence (or the label it comes from) names a drug; 3 more for a topic."""
    doc = passage.document
    about_drug = drugs.search(sentence) or (
        doc.kind == DocKind.DRUG_LABEL and drugs.search(doc.title)
    )
    if not about_drug:
        return 0
    return base + DRUG_TOPIC_SCORE if any(cue.search(sentence) for cue in _DRUG_CUES) else base


def template(question_type: str, aspects: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The answer's sections in order: those the asked aspects open, then the question
    type's usual ones."""
    opened = [ASPECT_SECTIONS[a] for a in aspects if a in ASPECT_SECTIONS]
    usual = TEMPLATES.get(question_type, TEMPLATES["definition"])
    return tuple(dict.fromkeys([*opened, *(k for k in usual if k != "background")]))


def section_score(spec: SectionSpec, sentence: str, passage: Passage) -> int:
    """2 for a matching source section, plus 1 per matching cue (at most 3)."""
    score = 0
    section_name = " ".join(filter(None, [passage.section, passage.document.extra.get("qtype")]))
    if (
        spec.source_sections is not None
        and section_name
        and spec.source_sections.search(section_name)
    ):
        score += 2
    return score + min(3, sum(1 for cue in spec.cues if cue.search(sentence)))


def assign_section(
    keys: tuple[str, ...], sentence: str, passage: Passage, drugs: re.Pattern[str] | None = None
) -> str | None:
    """The key of the section (among `keys`, see `template`) a sentence belongs to, or None
    when no section's cues or source section match it.

    `drugs` (from `drug_pattern`) makes "Special considerations" about those drugs only.
    """
    best_key, best = None, MIN_SECTION_SCORE - 1
    for key in keys:
        score = section_score(SPECS[key], sentence, passage)
        if key == SPECIAL and drugs is not None:
            score = _drug_special_score(score, sentence, passage, drugs)
        if score > best:
            best_key, best = key, score
    return best_key

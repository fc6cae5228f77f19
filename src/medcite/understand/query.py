"""From a question to a Query: its type, and the weighted concepts evidence must cover."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from medcite import privacy
from medcite.clinical.units import without_units
from medcite.text import QUESTION_WORDS, STOPWORDS, terms, words
from medcite.types import Audience, Concept, DrugUse, PatientContext, Query
from medcite.understand.aspects import asked_aspects
from medcite.understand.parts import question_parts
from medcite.understand.spelling import correction
from medcite.understand.subject import TECHNICAL, DocFreq, IsTopic, with_subjects
from medcite.understand.vocab import CASE_SENSITIVE, multiword_forms, synonyms

# First match wins: "side effects of the treatment" is about side effects.
QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("side_effects", re.compile(r"side[- ]effects?|adverse|toxicit|safe to (take|use)", re.I)),
    (
        "treatment",
        re.compile(
            r"\b(treat\w*|therap\w*|manag\w*|medication|medicine|drugs? for|dos(e|es|age|ing)|"
            r"regimen|first[- ]line|cure|what to do|how to handle)\b",
            re.I,
        ),
    ),
    ("symptoms", re.compile(r"\b(symptoms?|signs?|manifestations?|present with)\b", re.I)),
    (
        "causes",
        re.compile(r"\b(caus\w*|why does|risk factors?|genetic changes?|mutations?)\b", re.I),
    ),
    ("diagnosis", re.compile(r"\b(diagnos\w*|tests? for|exams?|screen\w*|detect\w*)\b", re.I)),
    ("prognosis", re.compile(r"\b(outlook|prognosis|survival|life expectancy)\b", re.I)),
    ("prevention", re.compile(r"\b(prevent\w*|avoid\w*)\b", re.I)),
    ("inheritance", re.compile(r"\b(inherit\w*|hereditary|passed down)\b", re.I)),
    ("frequency", re.compile(r"\b(how (many|common)|prevalence|incidence)\b", re.I)),
)
# Words that name the aspect asked about rather than the subject; they count little.
ASPECT_WORDS = frozenset(
    """treatment treatments treat treated therapy therapies management manage managed
    medication medications medicine medicines dose doses dosage dosing regimen symptoms symptom
    signs sign cause causes caused diagnosis diagnose diagnosed test tests exam exams outlook
    prognosis prevent prevention prevented inherited inheritance inherit side effect effects
    adverse risk risks common many type types options option first line approach positive
    negative""".split()
)
# Words that describe the patient rather than the subject (issue: patient context).
PATIENT_WORDS = frozenset(
    """year years old month months week weeks day days man woman male female boy girl son
    daughter child kid baby infant husband wife mother father mom dad grandmother grandfather
    friend aged age my our her his their kg lb lbs mr mrs miss dr doctor mrn dob""".split()
)
# "CMV PCR of 1700", "creatinine 2.1": the word before a value names a measurement.
_MEASUREMENT = re.compile(r"\b([A-Za-z][\w-]*)\s+(?:of|was|is|=|:|at)?\s*[<>]?\d")
_LETTERED = re.compile(
    r"(?<![\w-])(?:([A-Za-z]{3,})\s+([A-Z])|((?i:type|stage|grade|class|phase|factor))\s+(\d))"
    r"(?![\w.,-]\d|[\w-])"
)
ASPECT_WEIGHT = 0.25
_EXCLUDED = re.compile(
    r"\b(?:apart from|aside from|other than|besides|except(?: for)?|excluding)\b[^,;?.]*", re.I
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# "a patient with stage 4 CKD", "a 58-year-old man who has Parkinson's disease"
_HAS = re.compile(r"\b(?:with|has|have|having)\s+(?:[\w'-]+\s+){0,3}", re.I)
CONTEXT_SUBJECT = 0.5
# Names of a drug used as forms of its concept: the generic, the names written, the curated
# synonyms, then single-word dictionary names (brands, spellings), up to this many in all.
MAX_DRUG_FORMS = 10
_SINGLE_NAME = re.compile(r"[a-z][a-z-]*")


def question_type(question: str) -> str:
    for name, pattern in QUESTION_TYPES:
        if pattern.search(question):
            return name
    return "definition"


def understand(
    question: str,
    doc_freq: DocFreq,
    n_passages: int,
    *,
    audience: Audience = Audience.CLINICIAN,
    k: int = 30,
    context: PatientContext | None = None,
    is_topic: IsTopic | None = None,
) -> Query:
    """Analyse a question: type, concepts (with synonyms), their weights and how much each
    names the medical subject (`is_topic`, the library's topics, sharpens that; see
    subject.py).

    With a patient context, the drugs it names become one concept each (generic and brand
    names together) and what the question denies ("no fever") is not a concept.
    """
    context = context or PatientContext()
    subject = _without_excluded(without_identifiers(question))
    measured = {m.lower() for m in _MEASUREMENT.findall(subject)}
    concepts = [
        _weigh(c, doc_freq, n_passages, aspect=bool(measured & {f.lower() for f in c.forms}))
        for c in _corrected(extract_concepts(without_units(subject), context, is_topic), doc_freq)
    ]
    drugs = frozenset(d.generic for d in context.drugs)
    concepts = [
        replace(c, subject=0.0) if _is_aspect(c) else c
        for c in with_subjects(concepts, subject, doc_freq, is_topic, drugs)
    ]
    concepts = _everyday_subject(concepts)
    concepts = _as_context(concepts, context, measured, subject)
    return Query(
        question,
        question_type(question),
        tuple(concepts),
        audience,
        k,
        context=context,
        aspects=_with_interaction(asked_aspects(subject), context),
        parts=question_parts(
            subject,
            frozenset(t for c in concepts if c.subject >= 1 for f in c.forms for t in terms(f)),
        ),
    )


def _as_context(
    concepts: list[Concept], context: PatientContext, measured: set[str], question: str
) -> list[Concept]:
    """What describes the patient rather than the question's subject counts half towards
    the subject when something else is the subject: a drug the patient is on ("a patient
    on ruxolitinib with CMV" asks about CMV), a test whose value is given ("CMV PCR of
    1700") and a condition the patient has ("atorvastatin in a patient with stage 4 CKD")."""
    current = {d.generic for d in context.current_drugs}
    has = {_key(f.text) for f in context.conditions if _HAS.search(question, 0) and f.text}
    has = {k for k in has if re.search(_HAS.pattern + re.escape(k), question, re.I)}

    def describes(c: Concept) -> bool:
        named = {f.lower() for f in c.forms}
        return (
            c.label in current
            or bool(measured & named)
            or any(_key(f) in k or k in _key(f) for f in named for k in has)
        )

    if all(describes(c) for c in concepts if c.subject > 0):
        return concepts
    return [
        replace(c, subject=c.subject * CONTEXT_SUBJECT) if describes(c) else c for c in concepts
    ]


def _corrected(concepts: list[Concept], doc_freq: DocFreq) -> list[Concept]:
    """Misspelt words read as the word they are a misspelling of (see spelling.py); the
    label keeps what was written, the forms hold the correction first."""
    out = []
    for c in concepts:
        fixed = None if c.is_number or len(c.forms) > 1 else correction(c.label, doc_freq)
        out.append(replace(c, forms=(fixed, c.label), corrected=True) if fixed else c)
    return out


def _key(text: str) -> str:
    return " ".join(words(text))


def _with_interaction(aspects: tuple[str, ...], context: PatientContext) -> tuple[str, ...]:
    """A patient on one drug asking about another asks about the two together."""
    others = [d for d in context.drugs if not d.current]
    if context.current_drugs and others and "interaction" not in aspects:
        return (*aspects, "interaction")
    return aspects


def _everyday_subject(concepts: list[Concept]) -> list[Concept]:
    """A short question in everyday English ("the symptoms of glaucoma", "what causes a
    cold") is still about something: with no subject found and at most `_NAMED_BY_FEW`
    words besides what it asks (an aspect) and numbers, those words are its subject, as
    technical words are; otherwise any passage about the asked aspect would answer it. A
    longer lay description ("the pupil looks whitish in flash pictures …") names no subject
    with any one of its words, and keeps none."""
    if any(c.subject > 0 for c in concepts):
        return concepts
    content = [c for c in concepts if not c.is_number and c.weight > 0 and not _is_aspect(c)]
    if len(content) > _NAMED_BY_FEW:
        return concepts
    return [replace(c, subject=TECHNICAL) if c in content else c for c in concepts]


_NAMED_BY_FEW = 2


def _is_aspect(concept: Concept) -> bool:
    return all(w in ASPECT_WORDS for w in words(concept.label))


def _without_excluded(question: str) -> str:
    """The question without what it sets aside: "Apart from progression to renal failure,
    which complications …" does not ask about renal failure."""
    return _EXCLUDED.sub(" ", question)


def without_identifiers(question: str) -> str:
    """The question with names, dates, record numbers and contacts blanked out: they
    identify a patient, they are not what the evidence must be about."""
    return privacy.without_identifiers(question)


def extract_concepts(
    question: str, context: PatientContext | None = None, is_topic: IsTopic | None = None
) -> list[Concept]:
    """Concepts in order of appearance; synonyms and abbreviations merged into one, and
    words that together name a library topic ("herpes zoster", `is_topic`) kept together."""
    found: dict[str, Concept] = {}
    remaining = question
    if context is not None:
        remaining = _without_denied(remaining, context)
        remaining = _drug_concepts(remaining, context.drugs, found)
    for form in multiword_forms():
        pattern = re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w-])", re.I)
        if pattern.search(remaining):
            group = synonyms(form) or (form,)
            found.setdefault(group[0], Concept(group[0], group, 1.0))
            remaining = pattern.sub(" ", remaining)
    remaining = _topic_phrases(remaining, is_topic, found)
    remaining = _lettered_names(remaining, found)
    for raw in (m.group(0) for m in _WORD.finditer(remaining)):
        word = raw.lower()
        shouted = word in CASE_SENSITIVE and raw.isupper() and len(raw) > 1
        if not shouted and (word in STOPWORDS or word in QUESTION_WORDS or word in PATIENT_WORDS):
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        known = synonyms(word)
        if known and (word not in CASE_SENSITIVE or shouted):
            found.setdefault(known[0], Concept(known[0], known, 1.0))
        elif _is_number(word):
            found.setdefault(word, Concept(word, (word,), 0.0, is_number=True))
        else:
            found.setdefault(word, Concept(word, (word,), 1.0))
    return list(found.values())


def _topic_phrases(question: str, is_topic: IsTopic | None, found: dict[str, Concept]) -> str:
    """Runs of two to four words (no stopword at either end) that the library has documents
    about become one concept each, longest first; returns the question without them."""
    if is_topic is None:
        return question
    spans = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(question)]
    taken: list[tuple[int, int]] = []
    for size in range(4, 1, -1):
        for i in range(len(spans) - size + 1):
            run = spans[i : i + size]
            start, end, words = run[0][0], run[-1][1], [w for _, _, w in run]
            if (
                words[0] in STOPWORDS
                or words[-1] in STOPWORDS
                or any(w in PATIENT_WORDS or w in QUESTION_WORDS for w in words)
                or any(s < end and start < e for s, e in taken)
            ):
                continue
            if is_topic(" ".join(words)):
                found.setdefault(" ".join(words), Concept(" ".join(words), (" ".join(words),), 1.0))
                taken.append((start, end))
    for start, end in sorted(taken, reverse=True):
        question = question[:start] + " " + question[end:]
    return question


def _lettered_names(question: str, found: dict[str, Concept]) -> str:
    """ "hepatitis B", "vitamin D", "type 2": a word and its one-letter or one-digit suffix are
    one concept (the letter alone would be dropped, the word alone is another disease)."""

    def take(m: re.Match[str]) -> str:
        word = (m.group(1) or m.group(3)).lower()
        if word in STOPWORDS or word in QUESTION_WORDS or word in PATIENT_WORDS:
            return m.group(0)
        label = f"{word} {(m.group(2) or m.group(4)).lower()}"
        found.setdefault(label, Concept(label, (label,), 1.0))
        return " "

    return _LETTERED.sub(take, question)


def _without_denied(question: str, context: PatientContext) -> str:
    """The question with what it denies blanked out ("no fever" is not about fever)."""
    for finding in context.negated:
        question = re.sub(
            rf"(?<![\w-]){re.escape(finding.text)}(?![\w-])", " ", question, flags=re.I
        )
    return question


def _drug_concepts(question: str, drugs: tuple[DrugUse, ...], found: dict[str, Concept]) -> str:
    """One concept per drug named in the question; returns the question without those names."""
    for drug in drugs:
        named = False
        for mention in drug.mentions:
            pattern = re.compile(rf"(?<![\w-]){re.escape(mention)}(?![\w-])", re.I)
            named = named or bool(pattern.search(question))
            question = pattern.sub(" ", question)
        if named:
            found.setdefault(drug.generic, Concept(drug.generic, drug_forms(drug), 1.0))
    return question


def drug_forms(drug: DrugUse) -> tuple[str, ...]:
    """The names that count as mentioning a drug (see MAX_DRUG_FORMS)."""
    curated = synonyms(drug.generic) or ()
    single = [n for n in drug.names if _SINGLE_NAME.fullmatch(n)]
    forms = [drug.generic, *_salt(drug.generic), *(m.lower() for m in drug.mentions)]
    forms += [*curated, *single]
    return tuple(dict.fromkeys(forms))[:MAX_DRUG_FORMS]


_ACID = re.compile(r"(\w+)ic acid")


def _salt(name: str) -> tuple[str, ...]:
    """The name sources also use for an acid, its anion: uric acid and urate, valproic acid
    and valproate, folic acid and folate (the chemical naming rule, not a list)."""
    m = _ACID.fullmatch(name.lower())
    return (f"{m.group(1)}ate",) if m else ()


def _is_number(word: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:[.,]\d+)?", word))


def _weigh(concept: Concept, doc_freq: DocFreq, n: int, *, aspect: bool = False) -> Concept:
    """Weight = inverse document frequency of the concept (any of its forms)."""
    if concept.is_number:
        return concept
    df = 0
    for form in concept.forms:
        form_terms = terms(form)
        if form_terms:
            df += min(doc_freq(t) for t in form_terms)
    aspect = aspect or all(w in ASPECT_WORDS for w in words(concept.label))
    weight = _idf(min(df, n), n) * (ASPECT_WEIGHT if aspect else 1.0)
    return replace(concept, weight=round(weight, 4))


def _idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 0.5))

"""Which of a question's words name its medical subject, decided from the question and the index.

A question mixes its subject ("Marfan syndrome", "Lipitor", "FMF") with everyday words
("kids", "scooping", "really"), formal ones ("mainstay", "adherence") and units ("mg/dL").
Only the subject decides whether the library can answer; everything else may still help to
rank evidence but never causes an abstention. A concept's `subject` (0-1) comes from:

- **the library's topics**: a word is a subject when, alone or with its neighbours in the
  question, it is what some document is about ("glaucoma", "heart attack", "Bell's palsy",
  "factor V Leiden" of "factor V Leiden thrombophilia"), not when it is merely one word of
  a longer topic ("pick" in "pick it up" is not "Pick disease");
- **everyday English**: how often speech uses the word (the English frequency list that
  ships with pyspellchecker, built from film subtitles). Otherwise an everyday word is not
  a subject; a word speech does not use is a name when it is capitalised ("FMF",
  "Triaminic") or the library has never seen it ("velorbatide"), and technical vocabulary,
  counting half, when the library uses it without being about it ("heterozygous");
- **the question**: an unseen word directly before a subject word is part of that subject's
  name ("quantum flu" is not flu). Ages ("70-year-old"), units and numbers never are.

Drugs (from the drug dictionary) and the curated abbreviations are always subjects.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from medcite.clinical.units import is_unit
from medcite.text import terms, words
from medcite.types import Concept
from medcite.vocabularies import Lookup, Tables, open_vocabulary

DocFreq = Callable[[str], int]
IsTopic = Callable[[str], bool]
# Counts at or below this in the frequency list (whose floor is 50) mark a word everyday
# English does not use: "hemophilia" 59, "colchicine" 83; "whitish" 112 is everyday.
GENERAL_MIN_COUNT = 100
_FREQUENCY_FILE = "resources/en.json.gz"
_VERSION = 1  # of the table `_counts` builds: bump it when it changes
MAX_TOPIC_WORDS = 4
# Adjective endings and the noun endings of the conditions they name.
_ADJECTIVE_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tic", ("", "sy", "sis", "tis")),  # asthmatic, epileptic, psychotic, arthritic
    ("ic", ("ia", "y", "es", "is", "ism")),  # anemic, allergic, diabetic, hypoglycemic
    ("ive", ("ion",)),  # hypertensive
    ("ous", ("", "osity")),  # cancerous
)
# A technical word that is not what any document is about ("heterozygous", "germline")
# counts half: it is vocabulary of the aspect more often than the subject.
TECHNICAL = 0.5
# "type 2", "stage 4": a lettered name whose word is a grade, not a subject.
_GRADE_WORDS = frozenset({"type", "stage", "grade", "class", "phase"})
_AGE = re.compile(r"\d.*-(?:years?|months?|weeks?|days?)-old", re.I)


@lru_cache(maxsize=1)
def _general_counts() -> Lookup:
    """Everyday English word counts (lower case), from their compact file once built."""
    return open_vocabulary("everyday", _frequency_file(), _counts, version=_VERSION)["counts"]


def _frequency_file() -> Path | None:
    """pyspellchecker's English frequency list (None: not where this version keeps it)."""
    spec = importlib.util.find_spec("spellchecker")
    path = Path(spec.origin).parent / _FREQUENCY_FILE if spec and spec.origin else None
    return path if path is not None and path.is_file() else None


def _counts() -> Tables:
    from spellchecker import SpellChecker

    return {"counts": dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)}


@lru_cache(maxsize=65536)
def _count(word: str) -> int:
    return int(_general_counts().get(word) or 0)


def is_everyday(word: str) -> bool:
    """True when everyday English uses the word (see GENERAL_MIN_COUNT)."""
    return _count(_bare(word).lower()) > GENERAL_MIN_COUNT


def _bare(word: str) -> str:
    word = word.replace("’", "'")
    return word[:-2] if word.lower().endswith("'s") else word


def word_subject(raw: str, doc_freq: DocFreq) -> float:
    """How much a word as written names a subject by itself: 1 for a name (capitalised, or
    a word neither speech nor the library uses), TECHNICAL for a word the library uses but
    speech does not ("heterozygous"), 0 for an everyday word."""
    if _AGE.match(raw) or is_unit(raw):
        return 0.0
    parts = [p for p in re.split(r"[-/]", _bare(raw)) if re.search(r"[A-Za-z]{2}", p)]
    best = 0.0
    for part in parts:
        if is_everyday(part):
            continue
        named = part[:1].isupper()  # "FMF", "Triaminic": an acronym or a proper name
        unseen = all(doc_freq(t) == 0 for t in terms(part))
        best = max(best, 1.0 if named or unseen else TECHNICAL)
    return best


def topic_words(question: str, is_topic: IsTopic | None) -> frozenset[str]:
    """The question's words that, alone or with their neighbours, are a library topic."""
    if is_topic is None:
        return frozenset()
    sequence = [w for w in words(question) if not _AGE.match(w)]
    found: set[str] = set()
    for size in range(MAX_TOPIC_WORDS, 0, -1):
        for start in range(len(sequence) - size + 1):
            gram = sequence[start : start + size]
            if not set(gram) <= found and is_topic(" ".join(gram)):
                found.update(gram)
    return frozenset(found)


def with_subjects(
    concepts: Sequence[Concept],
    question: str,
    doc_freq: DocFreq,
    is_topic: IsTopic | None,
    named: frozenset[str] = frozenset(),
) -> list[Concept]:
    """The concepts with `subject` set; `named` holds labels that are always subjects
    (drugs named in the question)."""
    topical = topic_words(question, is_topic)
    out = []
    for c in concepts:
        noun = disease_noun(c.label, is_topic) if len(c.forms) == 1 else None
        if noun is not None:  # "anemic" is about anemia
            c = replace(c, forms=(noun, c.label))
        if c.is_number:
            subject = 0.0
        elif c.corrected:
            subject = _concept_subject(replace(c, label=c.forms[0]), c.forms[0], topical, doc_freq)
        elif c.label in named or len(c.forms) > 1:
            subject = 1.0  # a drug, or a curated abbreviation or synonym
        else:
            subject = _concept_subject(c, question, topical, doc_freq)
        out.append(replace(c, subject=subject))
    return _unknown_modifiers(out, question, doc_freq)


def disease_noun(word: str, is_topic: IsTopic | None) -> str | None:
    """The topic an adjective names ("anemic" -> anemia, "diabetic" -> diabetes, "allergic"
    -> allergy, "asthmatic" -> asthma), when the library has documents about it."""
    if is_topic is None or is_topic(word):
        return None
    for ending, replacements in _ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 3:
            stem = word[: -len(ending)]
            for noun in (stem + r for r in replacements):
                if is_topic(noun):
                    return noun
    return None


def _concept_subject(
    concept: Concept, question: str, topical: frozenset[str], doc_freq: DocFreq
) -> float:
    label_words = concept.label.split()
    if len(label_words) == 2 and len(label_words[1]) == 1:  # "factor v", "type 2"
        return 0.0 if label_words[0] in _GRADE_WORDS else 1.0
    if set(words(concept.label)) & topical:
        return 1.0
    written = _as_written(concept.label, question)
    return max((word_subject(w, doc_freq) for w in written.split()), default=0.0)


def _as_written(label: str, question: str) -> str:
    """The label with the question's own casing."""
    m = re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", question, re.I)
    return m.group(0) if m else label


def _unknown_modifiers(concepts: list[Concept], question: str, doc_freq: DocFreq) -> list[Concept]:
    """A word the library has never seen, written right before a subject word, is part of
    that subject's name ("quantum flu" is not flu)."""
    subjects = {w for c in concepts if c.subject >= 1.0 for f in c.forms for w in words(f)}
    sequence = list(words(question))
    following = dict(pairwise(sequence))
    out = []
    for c in concepts:
        unseen = not (c.is_number or c.corrected) and all(doc_freq(t) == 0 for t in terms(c.label))
        if c.subject < 1.0 and unseen and following.get(c.label) in subjects:
            c = replace(c, subject=1.0)
        out.append(c)
    return out

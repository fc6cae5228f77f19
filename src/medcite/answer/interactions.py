"""Interactions between the patient's medicines, by name and by class, as sources state them.

For each pair of the patient's drugs, the sentences of one drug's Drug Interactions,
Contraindications, Warnings (and Boxed Warning, Precautions) sections that name the other
drug, or a class it belongs to, are quoted. Labels mostly name classes ("alpha-blockers",
"strong CYP3A4 inhibitors", "nitrates"), so each drug's classes are read from the index's
own text (`drug_classes`): a class a source lists it under ("strong CYP3A4 inhibitors (e.g.,
clarithromycin …)", "nitrates such as nitroglycerin") or names it as ("doxazosin, an
alpha-blocker"). When no indexed source mentions a pair, the section says exactly that — it
never says there is no interaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from medcite.text import STOPWORDS, sentences
from medcite.types import Claim, DrugUse, Passage

INTERACTION_SECTION = "patient_interactions"
INTERACTION_TITLE = "Interactions with this patient's medicines"
MAX_PER_PAIR = 3
_SECTIONS = re.compile(r"interaction|contraindicat|warning|precaution", re.I)
_LISTED = re.compile(
    r"(?P<cls>[A-Za-z][\w-]*(?:\s+[\w-]+){0,4}?)\s*"
    r"(?:\(\s*(?:e\.g\.,?|such as|including|like)\s*(?P<inner>[^)]{1,200})\)"
    r"|,?\s+(?:such as|including|e\.g\.,?|like)\s+(?P<after>[^.;:()]{1,200}))",
    re.I,
)
_BEFORE_NAME = STOPWORDS | {"called", "named", "known", "use", "using", "take", "taking"}
_NOT_CLASS_END = frozenset({"drugs", "medications", "medicines", "products", "agents"})
# Heads too general to name a class alone ("strong CYP3A4 inhibitors" is a class,
# "inhibitors" is not): they are matched only with a word before them.
_GENERAL_HEADS = frozenset(
    """inhibitors inducers substrates blockers agonists antagonists agents drugs medicines
    medications products""".split()
)


@dataclass(frozen=True, slots=True)
class PairFinding:
    """What the sources say about one pair: the claims, or the line saying none mentions it."""

    first: str
    second: str
    claims: tuple[Claim, ...]
    note: str | None = None


def drug_names(drug: DrugUse) -> tuple[str, ...]:
    """The names that count as naming the drug: its generic and the names written."""
    return tuple(dict.fromkeys([drug.generic, *(m.lower() for m in drug.mentions)]))


def _names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    body = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.I)


def drug_classes(drug: DrugUse, texts: Iterable[str]) -> tuple[str, ...]:
    """The classes the index's text puts the drug in (lower case, plural as written)."""
    named = _names_pattern(drug_names(drug))
    appositive = re.compile(
        rf"{named.pattern},?\s+(?:an?|another)\s+(?P<cls>[\w-]+(?:\s+[\w-]+)?)", re.I
    )
    found: list[str] = []
    for text in texts:
        for m in _LISTED.finditer(text):
            listed = m.group("inner") or m.group("after") or ""
            if named.search(listed):
                found += _class_phrase(m.group("cls"))
        for m in appositive.finditer(text):
            found += _class_phrase(m.group("cls"), singular=True)
    return tuple(dict.fromkeys(found))


def _class_phrase(raw: str, *, singular: bool = False) -> list[str]:
    """The class noun phrase: the words after the last stopword, at most four."""
    tokens = raw.lower().split()
    while tokens and tokens[-1] in STOPWORDS:
        tokens.pop()
    start = max((i + 1 for i, t in enumerate(tokens) if t in _BEFORE_NAME), default=0)
    tokens = tokens[start:][-3:]
    if not tokens or tokens[-1] in _NOT_CLASS_END:
        return []
    if singular:
        tokens[-1] = tokens[-1] if tokens[-1].endswith("s") else tokens[-1] + "s"
    if not tokens[-1].endswith("s") or len(tokens[-1]) < 5:
        return []  # classes are plural nouns ("nitrates", "inhibitors")
    return [" ".join(tokens)]


def class_forms(classes: Sequence[str]) -> tuple[str, ...]:
    """Each class as it may be written: whole, without leading modifiers ("strong CYP3A4
    inhibitors" -> "CYP3A4 inhibitors"), and singular."""
    forms: list[str] = []
    for cls in classes:
        words = cls.split()
        for i in range(len(words)):
            tail = words[i:]
            if len(tail) >= 2 or tail[0] not in _GENERAL_HEADS:
                forms += [" ".join(tail), " ".join(tail)[:-1]]
    return tuple(dict.fromkeys(forms))


def pair_finding(
    first: DrugUse,
    second: DrugUse,
    first_passages: Sequence[Passage],
    second_passages: Sequence[Passage],
    classes: dict[str, tuple[str, ...]],
) -> PairFinding:
    """What either drug's safety sections say about the other, by name or class."""
    claims = [
        *_mentions(first, second, first_passages, classes.get(second.generic, ())),
        *_mentions(second, first, second_passages, classes.get(first.generic, ())),
    ]
    unique = list({c.text: c for c in claims}.values())[:MAX_PER_PAIR]
    if unique:
        return PairFinding(first.generic, second.generic, tuple(unique))
    note = f"{first.generic} and {second.generic}: no indexed source mentions this pair."
    return PairFinding(first.generic, second.generic, (), note)


def _mentions(
    about: DrugUse, other: DrugUse, passages: Sequence[Passage], other_classes: Sequence[str]
) -> list[Claim]:
    by_name = _names_pattern(drug_names(other))
    forms = class_forms(other_classes)
    by_class = _names_pattern(forms) if forms else None
    out = []
    for passage in passages:
        if not (passage.section and _SECTIONS.search(passage.section)):
            continue
        for sentence in sentences(passage.text):
            if by_name.search(sentence):
                how = f"names {other.generic}"
            elif by_class is not None and (m := by_class.search(sentence)):
                how = f"names {m.group(0)}, a class that includes {other.generic}"
            else:
                continue
            frame = f"{about.generic} with {other.generic} ({how})"
            out.append(Claim(sentence, (passage.id,), INTERACTION_SECTION, frame=frame))
    return out

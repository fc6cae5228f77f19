"""Follow-up questions: carry the subject of earlier turns into the next question.

"What if her creatinine is 2.1?" after a question about ruxolitinib and CMV keeps
ruxolitinib and CMV. The earlier questions' subject concepts (never an aspect word such as
"management", a unit, a number or a filler word: only concepts with a `subject` share) join
the query with reduced weight (halved per turn back). When the new question has a subject of
its own, all carried concepts together weigh at most CONTEXT_SHARE of it, so the new
question still decides what is answered; when it only adds to the patient (a lab value, a
situation such as pregnancy or kidney function) the carried subject is its subject.

A follow-up that names a new subject is a **topic switch**: the old subjects are dropped
(the patient's context stays: `clinical/context.py` reads every turn). "Instead" replaces
only the same kind of subject: "the same drug for ulcerative colitis instead" keeps the drug
and drops the old indication; a pronoun pointing back ("does it interact with warfarin?")
keeps everything. A follow-up with no question type of its own keeps the previous turn's.
Carried concepts never decide an abstention (the engine leaves them out of that test).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from medcite.clinical.context import read_turn
from medcite.text import words
from medcite.types import Concept, PatientContext, Query
from medcite.understand.aspects import ASPECTS, SITUATIONS, asked_aspects
from medcite.understand.drugs import lookup_drug
from medcite.understand.query import ASPECT_WORDS, question_type, understand
from medcite.understand.subject import DocFreq, IsTopic

CARRY_WEIGHT = 0.5
CONTEXT_SHARE = 0.5
MAX_TURNS = 3
_OWN_DEFINITION = re.compile(r"^\s*(?:what|who)\s+(?:is|are|was|were)\b|\bdefin", re.I)
_INSTEAD = re.compile(r"\binstead\b|\brather than\b|\bswitch(?:ed|ing)? (?:him |her )?to\b", re.I)
_POINTS_BACK = re.compile(
    r"\b(?:it|its|them)\b|\b(?:this|that|the same|these|those)\s+(?:drug|medicine|medication|"
    r"treatment|pill|tablets?)s?\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A question read in its conversation: the query with carried concepts added, the
    carried concepts, and the earlier subjects a topic switch dropped."""

    query: Query
    carried: tuple[Concept, ...]
    dropped: tuple[str, ...] = ()
    new_subject: bool = True  # False: the question only adds to the patient or asks more

    @property
    def decides_alone(self) -> bool:
        """Whether the question's own subject decides an abstention: not for a follow-up
        that only adds to the patient ("her creatinine is 2.1") or asks more of the same."""
        return self.new_subject or not self.carried


def with_history(
    query: Query,
    history: Sequence[str],
    doc_freq: DocFreq,
    n_passages: int,
    *,
    is_topic: IsTopic | None = None,
) -> tuple[Query, tuple[Concept, ...]]:
    """The query with the earlier turns' concepts added; also returns the carried concepts."""
    found = follow_up(query, history, doc_freq, n_passages, is_topic=is_topic)
    return found.query, found.carried


def follow_up(
    query: Query,
    history: Sequence[str],
    doc_freq: DocFreq,
    n_passages: int,
    *,
    is_topic: IsTopic | None = None,
) -> FollowUp:
    """The query in the context of the conversation (see the module docstring)."""
    latest_first = dict.fromkeys(q for q in reversed(history) if q.strip())  # repeats once
    previous = list(reversed(latest_first))[-MAX_TURNS:]
    if not previous:
        return FollowUp(query, ())
    earlier = _earlier_subjects(query, previous, doc_freq, n_passages, is_topic)
    kept, dropped = _switched(query, earlier)
    new_subject = bool(_new_subjects(query))
    kept = _capped(kept, query) if new_subject else kept
    qtype = query.question_type
    if qtype == "definition" and not _OWN_DEFINITION.search(query.question):
        qtype = question_type(previous[-1])
    own = query.concepts
    if kept and not new_subject:  # about the carried subject: its own words only qualify it
        own = tuple(replace(c, subject=0.0) if c.subject < 1 else c for c in own)
    followed = replace(
        query,
        question_type=qtype,
        aspects=query.aspects or asked_aspects(previous[-1]),
        concepts=own + kept,
        history=tuple(previous),
    )
    return FollowUp(followed, kept, tuple(c.label for c in dropped), new_subject)


def _earlier_subjects(
    query: Query,
    previous: Sequence[str],
    doc_freq: DocFreq,
    n_passages: int,
    is_topic: IsTopic | None,
) -> tuple[Concept, ...]:
    """The subject concepts of the earlier turns, latest first, weights halved per turn back;
    back to the turn that set the current topic (one naming a subject of its own), and past
    an "instead" turn only for the kind of subject it did not replace."""
    own = {c.label for c in query.concepts}
    carried: dict[str, Concept] = {}
    kinds = {True, False}  # drug, not a drug: the kinds still carried from further back
    for distance, earlier in enumerate(reversed(previous), start=1):
        factor = CARRY_WEIGHT**distance
        turn = understand(
            earlier, doc_freq, n_passages, context=read_turn(earlier), is_topic=is_topic
        )
        for c in turn.concepts:
            if c.is_number or c.weight <= 0 or c.subject <= 0:
                continue  # a unit, a number, a filler word: never carried
            if c.label in own or c.label in carried or _is_aspect(c):
                continue  # "management", "positive": the earlier aspect, not its subject
            if _is_drug(c, turn.context) in kinds:
                carried[c.label] = replace(c, weight=c.weight * factor)
        named = _new_subjects(turn)
        if named and _INSTEAD.search(earlier):
            kinds -= {_is_drug(c, turn.context) for c in named}
        elif named and not _POINTS_BACK.search(earlier):
            break
        if not kinds:
            break
    return tuple(carried.values())


def _is_aspect(concept: Concept) -> bool:
    return all(w in ASPECT_WORDS for w in words(concept.label))


def _switched(
    query: Query, earlier: tuple[Concept, ...]
) -> tuple[tuple[Concept, ...], tuple[Concept, ...]]:
    """(kept, dropped): a new subject drops the earlier ones; "instead" only those of its
    own kind (a drug for a drug, an indication for an indication)."""
    new = _new_subjects(query)
    if not new:
        return earlier, ()
    if _INSTEAD.search(query.question):
        kinds = {_is_drug(c, query.context) for c in new}
        kept = tuple(c for c in earlier if _is_drug(c, query.context) not in kinds)
    elif _POINTS_BACK.search(query.question):
        kept = earlier
    else:
        kept = ()
    return kept, tuple(c for c in earlier if c not in kept)


def _new_subjects(query: Query) -> list[Concept]:
    """The question's own full subjects that do not only describe the patient: not a drug
    the turn says the patient takes, not a test whose value it gives, not a situation it
    states (kidney function, pregnancy: SITUATIONS)."""
    turn = read_turn(query.question)
    taken = {d.generic for d in turn.current_drugs}
    tested = {w for lab in turn.labs for w in words(lab.test)}
    situation = _situation_words(query.question)
    out = []
    for c in query.concepts:
        if c.is_number or c.subject < 1 or _is_aspect(c) or c.label in taken:
            continue
        named = {w for f in c.forms for w in words(f)}
        if named & tested or set(words(c.label)) <= situation:
            continue
        out.append(c)
    return out


def _situation_words(question: str) -> set[str]:
    """Words of the question that ask about a situation (kidney function, pregnancy …)."""
    found: set[str] = set()
    for aspect in ASPECTS:
        if aspect.key in SITUATIONS:
            for m in aspect.asks.finditer(question):
                found.update(words(m.group(0)))
    return found


def _is_drug(concept: Concept, context: PatientContext) -> bool:
    if concept.label in {d.generic for d in context.drugs}:
        return True
    return any(lookup_drug(form) is not None for form in concept.forms[:3])


def _capped(carried: tuple[Concept, ...], query: Query) -> tuple[Concept, ...]:
    """Scale the carried weights down so they total at most CONTEXT_SHARE of the question's."""
    own_total = sum(c.weight for c in query.concepts if not c.is_number)
    total = sum(c.weight for c in carried)
    if total == 0:
        return carried
    scale = min(1.0, CONTEXT_SHARE * own_total / total) if own_total > 0 else 1.0
    return tuple(replace(c, weight=round(c.weight * scale, 4)) for c in carried)


def context_note(
    previous: str, carried: Sequence[Concept], dropped: Sequence[str] = (), kept: Sequence[str] = ()
) -> str:
    """The assumption shown to the reader when earlier turns shaped the answer: the subjects
    kept (or dropped by a topic switch) and the patient details carried over."""
    parts = [f"Read as a follow-up to “{previous}”"]
    if carried:
        parts.append(f"kept {', '.join(c.label for c in carried)} from earlier in the conversation")
    if dropped:
        parts.append(f"the question names a new subject, so {', '.join(dropped)} was not carried")
    if kept:
        parts.append(f"patient details carried over: {'; '.join(kept)}")
    return ": ".join(parts[:2]) + "".join(f"; {p}" for p in parts[2:]) + "."

"""Follow-up questions: carry the subject of earlier turns into the next question.

"What if her creatinine is 2.1?" after a question about ruxolitinib and CMV keeps
ruxolitinib and CMV. The earlier questions' subject concepts (not aspect words such as
"management") join the query with reduced weight (halved per turn back), and all carried
concepts together weigh at most CONTEXT_SHARE of the new question's own concepts, so the
new question still decides what is answered: a source covering only the new question keeps
its coverage above 1 / (1 + CONTEXT_SHARE).
A follow-up with no question type of its own ("what if ...?") keeps the previous turn's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from medcite.text import words
from medcite.types import Concept, Query
from medcite.understand.aspects import asked_aspects
from medcite.understand.query import ASPECT_WORDS, question_type, understand
from medcite.understand.subject import DocFreq, IsTopic

CARRY_WEIGHT = 0.5
CONTEXT_SHARE = 0.5
MAX_TURNS = 3
_OWN_DEFINITION = re.compile(r"^\s*(?:what|who)\s+(?:is|are|was|were)\b|\bdefin", re.I)


def with_history(
    query: Query,
    history: Sequence[str],
    doc_freq: DocFreq,
    n_passages: int,
    *,
    is_topic: IsTopic | None = None,
) -> tuple[Query, tuple[Concept, ...]]:
    """The query with the earlier turns' concepts added; also returns the carried concepts."""
    latest_first = dict.fromkeys(q for q in reversed(history) if q.strip())  # repeats once
    previous = list(reversed(latest_first))[-MAX_TURNS:]
    if not previous:
        return query, ()
    own = {c.label for c in query.concepts}
    carried: dict[str, Concept] = {}
    for distance, earlier in enumerate(reversed(previous), start=1):
        factor = CARRY_WEIGHT**distance
        for c in understand(earlier, doc_freq, n_passages, is_topic=is_topic).concepts:
            if c.is_number or c.weight <= 0 or c.label in own or c.label in carried:
                continue
            if all(w in ASPECT_WORDS for w in words(c.label)):
                continue  # "management", "positive": the earlier aspect, not its subject
            carried[c.label] = replace(c, weight=c.weight * factor)
    kept = _capped(tuple(carried.values()), query)
    qtype = query.question_type
    if qtype == "definition" and not _OWN_DEFINITION.search(query.question):
        qtype = question_type(previous[-1])
    return (
        replace(
            query,
            question_type=qtype,
            aspects=query.aspects or asked_aspects(previous[-1]),
            concepts=query.concepts + kept,
            history=tuple(previous),
        ),
        kept,
    )


def _capped(carried: tuple[Concept, ...], query: Query) -> tuple[Concept, ...]:
    """Scale the carried weights down so they total at most CONTEXT_SHARE of the question's."""
    own_total = sum(c.weight for c in query.concepts if not c.is_number)
    total = sum(c.weight for c in carried)
    if total == 0:
        return carried
    scale = min(1.0, CONTEXT_SHARE * own_total / total) if own_total > 0 else 1.0
    return tuple(replace(c, weight=round(c.weight * scale, 4)) for c in carried)


def context_note(previous: str, carried: Sequence[Concept]) -> str:
    """The assumption shown to the reader when earlier turns shaped the answer."""
    names = ", ".join(c.label for c in carried)
    return f"Read as a follow-up to “{previous}”: kept {names} from earlier in the conversation."

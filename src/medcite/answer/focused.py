"""A second, focused search for what the question asks about its subject.

The question's own retrieval ranks passages by all of its words; the passage that states
the asked aspect ("the recommended dose for patients 4 to 17 years", "Is Marfan syndrome
inherited?") may rank below many passages about the subject in general, and a large drug
label can fill the question's whole share of one document. So a small search asks for the
question's subject together with the words of its asked aspects (understand/aspects.py,
matched in the text, the title and the source section) and its hits join the evidence after
the question's own, scored just below them (see special.py).
"""

from __future__ import annotations

from dataclasses import replace

from medcite.types import Concept, Query
from medcite.understand.aspects import search_words

FOCUSED_HITS = 12
ASPECT_WEIGHT = 0.5


def focused_query(query: Query) -> Query | None:
    """Subject concepts plus the asked aspects' words, or None when either is missing."""
    subject = tuple(c for c in query.concepts if c.subject > 0 and not c.is_number)
    words = search_words(query.aspects)
    if not subject or not words:
        return None
    aspect = Concept("asked aspect", words, ASPECT_WEIGHT, subject=1.0)
    return replace(query, concepts=(*subject, aspect), k=FOCUSED_HITS)


def subject_query(query: Query) -> Query | None:
    """The query's subject concepts alone, or None when every concept is subject (or none
    is): what to search when the question's other words led retrieval astray."""
    subject = tuple(c for c in query.concepts if c.subject > 0 and not c.is_number)
    rest = [c for c in query.concepts if c.subject <= 0 and not c.is_number]
    return replace(query, concepts=subject) if subject and rest else None

"""Recommendation grades as sources print them, in parentheses after or inside a statement.

GRADE ("(Strong, High)", "(Conditional, Very low certainty)", "(Weak recommendation, Low
quality of evidence)"), ACC/AHA classes and levels ("(Class I, LOE B-NR)", "(Class III: No
Benefit)"), letter and number grades ("(Grade 1A)", "(Grade A)", "(2C)") and levels ("(Level
IIB)"). The guideline reader keeps them in the text; the answer stage shows them beside the
claim they follow (`Claim.grade`).
"""

from __future__ import annotations

import re

GRADE = re.compile(
    r"\((?P<grade>"
    # a strength, then nothing, a kind ("recommendation") or a certainty after a separator;
    # never "(Moderate risk, 30-day mortality ~9.2%)"
    r"(?:strong|weak|conditional|moderate|best practice|good practice|ungraded|expert)"
    r"(?:\s+(?:recommendation|consensus|opinion|good practice statement|practice statement))?"
    r"(?:\s*[,;:]\s*(?:very\s+)?(?:high|moderate|low|insufficient|limited)\b[^()]{0,50})?"
    r"(?=\))"
    r"|(?:class\s+(?:I{1,3}|IV)[ab]?\b|grade\s+[0-9A-D]|level(?:\s+of\s+evidence)?:?\s+"
    r"[0-9IVX]+[A-C]?\b|LOE\b)[^()]{0,60}"
    r"|[12][A-D]\b"
    r")\)",
    re.I,
)


def grade_in(text: str) -> str | None:
    """The first grade the text prints, without its parentheses."""
    found = GRADE.search(text)
    return found.group("grade").strip() if found else None

"""Document kind: the user's choice, then the reader's metadata, then text cues.

Title cues are strong ("A randomized trial of ..."). Body cues count only in the first
person ("we describe a case"), because papers mention other study designs all the time.
"""

from __future__ import annotations

import re

from medcite.sources.base import ParsedDocument
from medcite.types import DocKind

_TITLE_CUES: tuple[tuple[DocKind, re.Pattern[str]], ...] = (
    (DocKind.SYSTEMATIC_REVIEW, re.compile(r"\b(systematic review|meta-?analys[ie]s)\b", re.I)),
    (
        DocKind.GUIDELINE,
        re.compile(
            r"\b(guidelines?|consensus statement|practice parameter|position statement|"
            r"recommendations (?:of|from|for))\b",
            re.I,
        ),
    ),
    (DocKind.TRIAL, re.compile(r"\brandomi[sz]ed\b|\bphase (?:ii|iii|2|3) trial\b", re.I)),
    (DocKind.CASE_REPORT, re.compile(r"\bcase (?:report|series)\b|^case of\b", re.I)),
    (
        DocKind.OBSERVATIONAL,
        re.compile(r"\b(cohort|case-control|cross-sectional|retrospective|registry)\b", re.I),
    ),
)
_BODY_CUES: tuple[tuple[DocKind, re.Pattern[str]], ...] = (
    (
        DocKind.CASE_REPORT,
        re.compile(
            r"\bwe (?:describe|report|present) (?:a|an|the|two|three) "
            r"(?:\w+ )?(?:case|patient)s?\b|\bthis case report\b",
            re.I,
        ),
    ),
    (
        DocKind.SYSTEMATIC_REVIEW,
        re.compile(r"\bwe (?:conducted|performed|did) a (?:systematic review|meta-analysis)", re.I),
    ),
    (
        DocKind.TRIAL,
        re.compile(r"\b(?:we randomly assigned|were randomly assigned|were randomi[sz]ed)\b", re.I),
    ),
    (
        DocKind.OBSERVATIONAL,
        re.compile(
            r"\bwe (?:conducted|performed|did) a (?:\w+ )?(?:retrospective|prospective|cohort|"
            r"case-control|cross-sectional)",
            re.I,
        ),
    ),
)
_BODY_CHARS = 6000


def classify_kind(parsed: ParsedDocument, forced: DocKind | None = None) -> DocKind:
    """Pick the document kind; `forced` (from --kind) wins, then reader metadata, then cues."""
    if forced is not None:
        return forced
    if parsed.kind is not None:
        return parsed.kind
    for kind, pattern in _TITLE_CUES:
        if pattern.search(parsed.title):
            return kind
    body = " ".join(b.text for b in parsed.blocks)[:_BODY_CHARS]
    for kind, pattern in _BODY_CUES:
        if pattern.search(body):
            return kind
    return DocKind.OTHER

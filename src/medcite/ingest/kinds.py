"""Document kind: the user's choice, then metadata, then text cues; the first that answers wins.

1. `--kind` (or a corpus source's `kind`).
2. The reader's own kind (MedQuAD is patient education, an SPL file is a drug label).
3. Publication types the reader found (`extra["publication_type"]`: PubMed publication types,
   HTML `citation_article_type` / `dc.type`), strongest design first.
4. The SPL document type (`extra["document_type"]`, "HUMAN PRESCRIPTION DRUG LABEL").
5. Where it was published (URL or publisher: DailyMed, MedlinePlus, NICE guidance ...).
6. Title cues, which are strong ("A randomized trial of ...", "Case of ...").
7. Body cues in the first 6,000 characters: first-person design statements ("we describe a
   case", "we conducted a retrospective cohort"), because papers mention other designs all
   the time; label and guideline boilerplate; text that addresses the reader as a patient.
"""

from __future__ import annotations

import re

from medcite.sources.base import ParsedDocument
from medcite.types import DocKind

Cues = tuple[tuple[DocKind, re.Pattern[str]], ...]


def _cues(*pairs: tuple[DocKind, str]) -> Cues:
    """Patterns written in lower case, matched against lower-cased text (several times faster
    than case-insensitive matching)."""
    return tuple((kind, re.compile(pattern)) for kind, pattern in pairs)


_PUBLICATION_TYPES = _cues(
    (DocKind.GUIDELINE, r"\bguidelines?\b|consensus (?:statement|development)|position statement"),
    (DocKind.SYSTEMATIC_REVIEW, r"systematic review|meta-?analys[ie]s"),
    (DocKind.TRIAL, r"randomi[sz]ed|clinical trial|controlled trial|equivalence trial"),
    (
        DocKind.OBSERVATIONAL,
        r"observational|cohort|case-control|cross-sectional|registry|retrospective",
    ),
    (DocKind.CASE_REPORT, r"case reports?|case series|case study"),
    (DocKind.REVIEW, r"\breview(?: article)?\b"),
    (DocKind.DRUG_LABEL, r"drug label|prescribing information|package insert|product monograph"),
    (DocKind.PATIENT_EDUCATION, r"patient education|patient information|consumer health"),
)
_DOCUMENT_TYPES = _cues((DocKind.DRUG_LABEL, r"\bdrug label\b|\blabel(?:ing)?\b"))
_PUBLISHERS = _cues(
    (DocKind.DRUG_LABEL, r"dailymed\.nlm\.nih\.gov|accessdata\.fda\.gov|\bfda spl\b"),
    (
        DocKind.GUIDELINE,
        r"nice\.org\.uk/guidance|sign\.ac\.uk|idsociety\.org/practice-guideline|"
        r"guidelinecentral\.com",
    ),
    (
        DocKind.PATIENT_EDUCATION,
        r"medlineplus|nhs\.uk|familydoctor\.org|patient\.info|kidshealth\.org|mayoclinic\.org|"
        r"healthline\.com|webmd\.com|niddk\.nih\.gov/health-information",
    ),
)
_TITLE_CUES = _cues(
    (DocKind.SYSTEMATIC_REVIEW, r"\b(systematic review|meta-?analys[ie]s)\b"),
    (
        DocKind.GUIDELINE,
        r"\b(guidelines?|consensus statement|practice parameter|position statement|"
        r"recommendations (?:of|from|for))\b",
    ),
    (DocKind.TRIAL, r"\brandomi[sz]ed\b|\bphase (?:ii|iii|2|3) trial\b"),
    (
        DocKind.CASE_REPORT,
        r"\bcase (?:report|series)\b|^(?:an? )?(?:rare |unusual |fatal |novel )?case of\b",
    ),
    (DocKind.OBSERVATIONAL, r"\b(cohort|case-control|cross-sectional|retrospective|registry)\b"),
    (
        DocKind.REVIEW,
        r"\b(?:an? )?(?:narrative |comprehensive |brief |clinical |critical )?review\s*$|"
        r"\breview of the literature\b",
    ),
    (DocKind.DRUG_LABEL, r"\b(?:prescribing information|package insert|product monograph)\b"),
    (
        DocKind.PATIENT_EDUCATION,
        r"\b(?:patient (?:information|education|handout)|fact sheet|what you need to know)\b",
    ),
)
_BODY_CUES = _cues(
    (
        DocKind.DRUG_LABEL,
        r"\b(?:highlights of prescribing information|full prescribing information)",
    ),
    (
        DocKind.CASE_REPORT,
        r"\bwe (?:describe|report|present) (?:a|an|the|two|three) (?:\w+ )?(?:case|patient)s?\b"
        r"|\bthis case report\b",
    ),
    (
        DocKind.SYSTEMATIC_REVIEW,
        r"\bwe (?:conducted|performed|did) a (?:systematic review|meta-analysis)",
    ),
    (DocKind.TRIAL, r"\b(?:we randomly assigned|were randomly assigned|were randomi[sz]ed)\b"),
    (
        DocKind.OBSERVATIONAL,
        r"\bwe (?:conducted|performed|did) a (?:\w+ )?(?:retrospective|prospective|cohort|"
        r"case-control|cross-sectional)"
        # a design named, or the measures only studies of people as they are report
        r"|\b(?:prospective|retrospective|population-based|registry-based|nationwide|"
        r"cross-sectional|case-control|serological|seroprevalence|longitudinal|observational|"
        r"cohort) (?:study|studies|survey|analysis|investigation|cohort|data)\b"
        r"|\b(?:hazard|odds) ratios?\b|\bpsychometric properties\b"
        r"|\bwe analy[sz]ed (?:the )?data (?:on|from|of)\b",
    ),
    (
        DocKind.GUIDELINE,
        r"\b(?:strength of recommendation|strong recommendation|conditional recommendation|"
        r"the panel recommends|this guideline)\b",
    ),
)
_ADDRESSES_PATIENT = re.compile(
    r"\b(?:your (?:doctor|health ?care provider|nurse|pharmacist)|talk (?:to|with) your|"
    r"ask your)\b",
)
# Most bodies match no cue: one scan of every body pattern at once rules them out.
_ANY_BODY_CUE = re.compile(
    "|".join(f"(?:{p.pattern})" for _, p in _BODY_CUES) + f"|{_ADDRESSES_PATIENT.pattern}"
)
_BODY_CHARS = 6000


def classify_kind(parsed: ParsedDocument, forced: DocKind | None = None) -> DocKind:
    """Pick the document kind; `forced` (from --kind) wins, then metadata, then cues."""
    if forced is not None:
        return forced
    if parsed.kind is not None:
        return parsed.kind
    where = " ".join(filter(None, [parsed.url, parsed.source]))
    body = " ".join(b.text for b in parsed.blocks)[:_BODY_CHARS].lower()
    if not _ANY_BODY_CUE.search(body):
        body = ""
    for cues, text in (
        (_PUBLICATION_TYPES, parsed.extra.get("publication_type", "").lower()),
        (_DOCUMENT_TYPES, parsed.extra.get("document_type", "").lower()),
        (_PUBLISHERS, where.lower()),
        (_TITLE_CUES, parsed.title.lower()),
        (_BODY_CUES, body),
    ):
        kind = _first_match(cues, text)
        if kind is not None:
            return kind
    if len(_ADDRESSES_PATIENT.findall(body)) >= 2:
        return DocKind.PATIENT_EDUCATION
    return DocKind.OTHER


def _first_match(cues: Cues, text: str) -> DocKind | None:
    """The first cue matching `text`, which is in lower case."""
    if not text:
        return None
    return next((kind for kind, pattern in cues if pattern.search(text)), None)

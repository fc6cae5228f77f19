"""The Jinja2 environment of the pages, and the few helpers templates call."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates

from medcite.schema import (
    AnswerPublic,
    CitedPassagePublic,
    ClaimPublic,
    QuotePublic,
    ReferencePublic,
)
from medcite.urls import http_url  # templates link only http(s) URLs

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


ContextProcessor = Callable[[Request], dict[str, Any]]


def make_templates(context_processors: Sequence[ContextProcessor] = ()) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        certainty=certainty,
        references_by_number=references_by_number,
        quotes_for=quotes_for,
        passage_href=passage_href,
        reference_date=reference_date,
        cited_version=cited_version,
        grade=grade,
        gaps=gaps,
        ask_href=ask_href,
        link_url=http_url,
        evidence_summary=evidence_summary,
        audit_details=audit_details,
    )
    env.filters["day"] = day
    env.filters["moment"] = moment
    return Jinja2Templates(env=env, context_processors=list(context_processors))


def certainty(claim: object) -> str | None:
    """A claim's certainty label when the claim carries one (str, enum or labelled value)."""
    value = getattr(claim, "certainty", None)
    if value is None:
        return None
    label = getattr(value, "label", None) or getattr(value, "value", None) or value
    return str(label)


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else "date unknown"


def moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def references_by_number(answer: AnswerPublic) -> dict[int, ReferencePublic]:
    return {r.number: r for r in answer.references}


def quotes_for(claim: ClaimPublic, reference: ReferencePublic) -> list[QuotePublic]:
    """What of the reference's passages supports the claim: one quote per passage, the same
    words quoted once (from the newest version of a label first).

    A cited passage without a located quote is quoted whole.
    """
    cited = [p for p in reference.passages if p.passage_id in claim.passage_ids]
    cited.sort(key=lambda p: p.document_id != reference.document_id)
    located = {q.passage_id: q for q in claim.quotes}
    quotes = [located.get(p.passage_id) or _whole(p) for p in cited or reference.passages[:1]]
    unique: dict[str, QuotePublic] = {}
    for quote in quotes:
        unique.setdefault(" ".join(quote.quote.split()), quote)
    return list(unique.values())


def _whole(passage: CitedPassagePublic) -> QuotePublic:
    return QuotePublic(
        passage_id=passage.passage_id, quote=passage.passage, start=0, end=len(passage.passage)
    )


def passage_href(passage_id: str, quote: QuotePublic | None = None) -> str:
    """The source viewer, with the quote's offsets so it is highlighted in the passage."""
    query = f"?{urlencode({'start': quote.start, 'end': quote.end})}" if quote else ""
    return f"/passages/{passage_id}{query}#passage"


def reference_date(reference: ReferencePublic) -> str:
    """The source's date, else the year it states, else "date unknown"."""
    if reference.date is not None:
        return reference.date.isoformat()
    return str(reference.year) if reference.year else "date unknown"


def cited_version(reference: ReferencePublic, passage: CitedPassagePublic) -> str | None:
    """ "the 2012-02-29 version" for a passage of an older version of the reference's label."""
    version = next((v for v in reference.also if v.document_id == passage.document_id), None)
    return f"the {day(version.date)} version" if version else None


def grade(claim: ClaimPublic) -> str | None:
    """The recommendation's strength or grade as the source states it, when the claim has one."""
    return claim.grade or None


def gaps(answer: AnswerPublic) -> list[str]:
    """The answer's evidence-gap lines, when it has any."""
    return list(answer.gaps)


def ask_href(question: str, audience: str) -> str:
    return "/ask?" + urlencode({"q": question, "audience": audience})


def evidence_summary(answer: AnswerPublic) -> list[str]:
    """'3 passages from 1 document: Case report', one line per kind of evidence."""
    passages: Counter[str] = Counter()
    documents: dict[str, set[str]] = {}
    for r in answer.references:
        passages[r.kind_label] += len(r.passages)
        documents.setdefault(r.kind_label, set()).add(r.document_id)
    return [
        f"{_count(n, 'passage')} from {_count(len(documents[label]), 'document')}: {label}"
        for label, n in passages.most_common()
    ]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def audit_details(event: object) -> str:
    """An audit event's details (stored as JSON) in words: "reviewer: rita; comment: ok"."""
    details = json.loads(str(getattr(event, "detail", "") or "{}"))
    parts = []
    for key, value in details.items():
        shown = " → ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)

"""Answers as Markdown (the terminal shows the same Markdown through Rich)."""

from __future__ import annotations

import re

from medcite.answer.certainty import CERTAINTY_NOTE
from medcite.answer.citations import title_note
from medcite.clinical.describe import describe
from medcite.types import Answer, Claim, ClaimStatus, Document, Passage, Reference
from medcite.urls import http_url

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|#&!~])")


def plain(text: str) -> str:
    """Source text escaped so that Markdown shows it as written: a "[3]" or a link inside a
    quoted sentence never renders as a citation or a link."""
    return _MARKDOWN.sub(r"\\\1", text)


def _cite(claim: Claim) -> str:
    marks = "".join(f"[{n}]" for n in claim.citations)
    warning = ""
    if claim.status == ClaimStatus.FLAGGED:
        reason = f": {plain(claim.note)}" if claim.note else ""
        warning = f" ⚠ *flagged{reason} — check the source*"
    certainty = f" *({claim.certainty} certainty)*" if claim.certainty else ""
    grade = f" *(graded by the source: {plain(claim.grade)})*" if claim.grade else ""
    framed = f"*{plain(claim.frame)}:* " if claim.frame else ""
    return f"{framed}{plain(claim.text)} {marks}{grade}{certainty}{warning}"


def _assumptions(answer: Answer) -> list[str]:
    """A quoted block: what was read from the question, then each gap or assumption."""
    understood = describe(answer.context)
    if not understood and not answer.assumptions:
        return []
    lines = ["> **Patient context and assumptions**"]
    if understood:
        lines += [">", f"> Read from the question: {plain('; '.join(understood))}."]
    if answer.assumptions:
        lines += [">", *(f"> - {plain(assumption)}" for assumption in answer.assumptions)]
    return [*lines, ""]


def _reference(ref: Reference) -> list[str]:
    """A numbered source with what it states about itself, its cited passages under it."""
    d = ref.document
    title = f"**{plain(d.title)}**"
    if note := title_note(d):
        title += f" ({note})"
    parts = [f"{ref.number}. {title} — {plain(d.source)}. *{d.kind.label}*, {_date_label(d)}."]
    parts += _bibliographic(d)
    if link := http_url(d.url):
        parts.append(f"<{link}>")
    elif d.url:
        parts.append(plain(d.url))  # not http(s): shown, never a link
    lines = [" ".join(parts)]
    lines += [
        f"   - Also: {plain(v.title)} — {plain(v.source)}, {_date_label(v)}." for v in ref.also
    ]
    lines += [f"   - {_cited_passage(p, d)}" for p in ref.passages]
    return lines


def _cited_passage(passage: Passage, shown: Document) -> str:
    where = f" (§ {plain(passage.section)})" if passage.section else ""
    version = (
        f", {_date_label(passage.document)} version" if passage.document.id != shown.id else ""
    )
    return f"Passage `{passage.id}`{where}{version}."


def _date_label(document: Document) -> str:
    """The document's date, else the year it states, else "date unknown"."""
    if document.date is not None:
        return document.date.isoformat()
    return str(document.year) if document.year else "date unknown"


def _bibliographic(document: Document) -> list[str]:
    """Authors, journal and DOI as the source states them (nothing when it states none)."""
    authors = list(document.authors)
    parts = []
    if authors:
        shown = ", ".join(authors[:3]) + (", et al" if len(authors) > 3 else "")
        parts.append(f"{plain(shown)}.")
    if document.journal and document.journal != document.source:
        parts.append(f"*{plain(document.journal)}*.")
    if document.doi:
        parts.append(f"doi:{plain(document.doi)}")
    for label, key in (("PMID", "pmid"), ("PMCID", "pmcid")):
        if value := document.extra.get(key):
            parts.append(f"{label} {plain(value)}.")
    return parts


def markdown(answer: Answer) -> str:
    """The whole answer as Markdown: bottom line, sections, references, footer."""
    when = answer.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# {plain(answer.question)}", ""]
    lines.append(
        f"*Generated {when} by the {plain(answer.writer)} writer · review status: "
        f"{answer.review_status} · audience: {answer.audience.value}*"
    )
    lines.append("")
    if answer.abstained:
        lines += [f"**No answer.** {plain(answer.abstention or '')}", ""]
        lines += _assumptions(answer)
    else:
        lines += [f"> **Evidence gap.** {plain(gap)}" for gap in answer.gaps]
        lines += [""] if answer.gaps else []
        verdict = f"**{answer.verdict.capitalize()}.** " if answer.verdict else ""
        lines += [
            "**Bottom line.** " + verdict + " ".join(_cite(c) for c in answer.bottom_line),
            "",
        ]
        lines += [f"> Note: {plain(note)}" for note in answer.notes]
        lines += [""] if answer.notes else []
        lines += _assumptions(answer)
        for section in answer.sections:
            lines += [f"## {plain(section.title)}", ""]
            if section.note:
                lines += [f"> Note: {plain(section.note)}", ""]
            lines += [f"- {_cite(c)}" for c in section.claims]
            lines.append("")
        lines += ["## References", ""]
        lines += [line for r in answer.references for line in _reference(r)]
        lines.append("")
    if answer.related_questions:
        lines += ["## Related questions", ""]
        lines += [f"- {plain(q)}" for q in answer.related_questions]
        lines.append("")
    lines += ["---", "", f"*{answer.disclaimer}*", "", _footer(answer)]
    return "\n".join(lines) + "\n"


def _footer(answer: Answer) -> str:
    v = answer.verification
    timings = ", ".join(f"{stage} {ms:.0f} ms" for stage, ms in answer.timings.items())
    notes = "".join(f" · {plain(note)}" for note in answer.writer_notes)
    footer = (
        f"Verification: {v.verified} verified, {v.flagged} flagged, {v.removed} removed{notes} · "
        f"timings: {timings} · settings {answer.settings_hash}"
    )
    return footer if answer.abstained else f"{CERTAINTY_NOTE}\n\n{footer}"

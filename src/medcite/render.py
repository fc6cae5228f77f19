"""Answers as Markdown (the terminal shows the same Markdown through Rich)."""

from __future__ import annotations

import re

from medcite.answer.certainty import CERTAINTY_NOTE
from medcite.clinical.describe import describe
from medcite.types import Answer, Claim, ClaimStatus, Reference

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|#])")


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
        lines += [">", f"> Read from the question: {'; '.join(understood)}."]
    if answer.assumptions:
        lines += [">", *(f"> - {assumption}" for assumption in answer.assumptions)]
    return [*lines, ""]


def _reference(ref: Reference) -> str:
    p, d = ref.passage, ref.passage.document
    when = d.date.isoformat() if d.date else "date unknown"
    parts = [f"{ref.number}. **{d.title}** — {d.source}. *{d.kind.label}*, {when}."]
    if d.url:
        parts.append(f"<{d.url}>")
    where = f" (§ {p.section})" if p.section else ""
    parts.append(f"Passage `{p.id}`{where}.")
    return " ".join(parts)


def markdown(answer: Answer) -> str:
    """The whole answer as Markdown: bottom line, sections, references, footer."""
    when = answer.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# {answer.question}", ""]
    lines.append(
        f"*Generated {when} by the {answer.writer} writer · review status: "
        f"{answer.review_status} · audience: {answer.audience.value}*"
    )
    lines.append("")
    if answer.abstained:
        lines += [f"**No answer.** {answer.abstention}", ""]
        lines += _assumptions(answer)
    else:
        lines += [f"> **Evidence gap.** {plain(gap)}" for gap in answer.gaps]
        lines += [""] if answer.gaps else []
        verdict = f"**{answer.verdict.capitalize()}.** " if answer.verdict else ""
        lines += [
            "**Bottom line.** " + verdict + " ".join(_cite(c) for c in answer.bottom_line),
            "",
        ]
        lines += [f"> Note: {note}" for note in answer.notes]
        lines += _assumptions(answer)
        for section in answer.sections:
            lines += [f"## {section.title}", ""]
            if section.note:
                lines += [f"> Note: {section.note}", ""]
            lines += [f"- {_cite(c)}" for c in section.claims]
            lines.append("")
        lines += ["## References", ""]
        lines += [_reference(r) for r in answer.references]
        lines.append("")
    if answer.related_questions:
        lines += ["## Related questions", ""]
        lines += [f"- {q}" for q in answer.related_questions]
        lines.append("")
    lines += ["---", "", f"*{answer.disclaimer}*", "", _footer(answer)]
    return "\n".join(lines) + "\n"


def _footer(answer: Answer) -> str:
    v = answer.verification
    timings = ", ".join(f"{stage} {ms:.0f} ms" for stage, ms in answer.timings.items())
    notes = "".join(f" · {note}" for note in answer.writer_notes)
    footer = (
        f"Verification: {v.verified} verified, {v.flagged} flagged, {v.removed} removed{notes} · "
        f"timings: {timings} · settings {answer.settings_hash}"
    )
    return footer if answer.abstained else f"{CERTAINTY_NOTE}\n\n{footer}"

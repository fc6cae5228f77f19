"""Answers as Markdown (the terminal shows the same Markdown through Rich)."""

from __future__ import annotations

import re

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
    return f"{plain(claim.text)} {marks}{warning}"


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
    else:
        lines += ["**Bottom line.** " + " ".join(_cite(c) for c in answer.bottom_line), ""]
        for assumption in answer.assumptions:
            lines.append(f"> Assumption: {assumption}")
        for section in answer.sections:
            lines += [f"## {section.title}", ""]
            lines += [f"- {_cite(c)}" for c in section.claims]
            lines.append("")
        lines += ["## References", ""]
        lines += [_reference(r) for r in answer.references]
        lines.append("")
    lines += ["---", "", f"*{answer.disclaimer}*", "", _footer(answer)]
    return "\n".join(lines) + "\n"


def _footer(answer: Answer) -> str:
    v = answer.verification
    timings = ", ".join(f"{stage} {ms:.0f} ms" for stage, ms in answer.timings.items())
    return (
        f"Verification: {v.verified} verified, {v.flagged} flagged, {v.removed} removed · "
        f"timings: {timings} · settings {answer.settings_hash}"
    )

"""Answers as Markdown (the terminal shows the same Markdown through Rich)."""

from __future__ import annotations

from medcite.types import Answer, Claim, ClaimStatus, Reference


def _cite(claim: Claim) -> str:
    marks = "".join(f"[{n}]" for n in claim.citations)
    warning = " ⚠ *flagged: check the source*" if claim.status == ClaimStatus.FLAGGED else ""
    return f"{claim.text} {marks}{warning}"


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
    notes = "".join(f" · {note}" for note in answer.writer_notes)
    return (
        f"Verification: {v.verified} verified, {v.flagged} flagged, {v.removed} removed{notes} · "
        f"timings: {timings} · settings {answer.settings_hash}"
    )

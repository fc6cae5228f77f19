"""Check every claim against the passages it cites, whoever wrote it.

A citation survives only if it names a passage that was retrieved for this question and
the claim's text is found in that passage (the quote kept for the reader), with every
number of the claim present in it. A claim left with no surviving citation is removed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from medcite.types import Claim, ClaimStatus, Passage, Support, VerificationSummary

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:\.\d+)?")
_WS = re.compile(r"\s+")


def verify_claims(
    claims: Sequence[Claim], retrieved: Mapping[str, Passage]
) -> tuple[list[Claim], VerificationSummary]:
    """Verified claims (removed ones dropped) and a summary with each removal's reason."""
    kept: list[Claim] = []
    reasons: list[str] = []
    for claim in claims:
        checked = verify_claim(claim, retrieved)
        if checked.status == ClaimStatus.REMOVED:
            reasons.append(f"{checked.note}: {claim.text[:80]}")
        else:
            kept.append(checked)
    flagged = sum(1 for c in kept if c.status == ClaimStatus.FLAGGED)
    summary = VerificationSummary(len(kept) - flagged, flagged, len(reasons), tuple(reasons))
    return kept, summary


def verify_claim(claim: Claim, retrieved: Mapping[str, Passage]) -> Claim:
    supports: list[Support] = []
    problems: list[str] = []
    for pid in dict.fromkeys(claim.passage_ids):
        passage = retrieved.get(pid)
        if passage is None:
            problems.append(f"cites {pid}, which was not retrieved")
            continue
        support = locate_quote(claim.text, passage)
        if support is None:
            problems.append(f"not found in {pid}")
        elif not numbers_match(claim.text, passage.text):
            problems.append(f"a number differs from {pid}")
        else:
            supports.append(support)
    if not supports:
        note = "; ".join(problems) or "no citation"
        return replace(claim, status=ClaimStatus.REMOVED, note=note, support=())
    return replace(
        claim,
        passage_ids=tuple(s.passage_id for s in supports),
        support=tuple(supports),
        status=ClaimStatus.VERIFIED,
        note=None,
    )


def locate_quote(claim: str, passage: Passage) -> Support | None:
    """Where the claim's text appears in the passage, ignoring differences in whitespace."""
    pattern = r"\s+".join(re.escape(w) for w in claim.split())
    if not pattern:
        return None
    m = re.search(pattern, passage.text)
    if m is None:
        return None
    return Support(passage.id, m.group(0), m.start(), m.end())


def numbers_in(text: str) -> list[str]:
    return [n.replace(",", "") for n in _NUMBER.findall(text)]


def numbers_match(claim: str, source: str) -> bool:
    """Every number of the claim appears in the source."""
    available = set(numbers_in(source))
    return all(n in available for n in numbers_in(claim))

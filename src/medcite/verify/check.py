"""Check every claim against the passages it cites, whoever wrote it.

For each claim:
1. A claim that reads as an instruction to an AI ("ignore previous instructions...") is
   removed. Bracketed citation markers copied from a source ("[3]", "[source: 3]") are taken
   out of the text shown: only the citations verification keeps are real.
2. Each cited id must name a passage retrieved for this question; any other id is dropped.
3. Each remaining citation is judged:
   - the quote: the claim's exact text in the passage (score 1.0), or else the best-matching
     span, scored by the configured `SupportScorer` (`verify.scorer`, lexical by default);
   - the numbers: every quantity, unit, basis and frequency of the claim against the
     passage (rules in `medcite.verify.numbers`);
   and gets one verdict:
   - fails when a number is missing or different, the scorer finds a contradiction (negation,
     a drug or condition the passage never names), or the score is below
     `verify.min_flag_support` (0.5);
   - is flagged when a number is only equivalent (converted unit, ambiguous notation, a
     stricter interval), or lies outside the supporting span; when the scorer has a concern;
     when the score is below `verify.min_support` (0.85); or when an exact quote follows a
     negation in its own sentence ("do not [give ...]");
   - passes otherwise.
   A citation of a retracted source (`Document.retraction`) fails whatever it says: a
   retracted paper is never support. Nor is a source sentence that addresses an AI system
   ("ignore previous instructions: the dose is ..."): the claim copying it fails.
4. The claim is verified when at least one citation passes (only passing citations are kept);
   flagged when none passes but one is flagged (its note says why); removed otherwise, with
   the reasons logged and kept in the summary. In strict mode (`verify.strict`, the default)
   a flagged claim is removed too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from medcite.clinical.doses import Measures, parse_measures
from medcite.settings import VerifySettings
from medcite.types import Claim, ClaimStatus, Passage, Support, VerificationSummary
from medcite.verify.markers import (
    looks_like_instruction,
    sentences_around,
    strip_citation_markers,
)
from medcite.verify.numbers import check_numbers
from medcite.verify.quotes import Located, best_window, exact_quote
from medcite.verify.support import SupportScorer, open_scorer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CitationCheck:
    """The verdict on one citation of one claim."""

    passage_id: str
    support: Support | None
    flags: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()

    @property
    def passes(self) -> bool:
        return not self.failures and not self.flags

    @property
    def flagged(self) -> bool:
        return not self.failures and bool(self.flags)


class Verifier:
    """The verify stage: settings and the support scorer, reused across questions."""

    def __init__(self, settings: VerifySettings | None = None) -> None:
        self.settings = settings or VerifySettings()
        self.scorer: SupportScorer = open_scorer(self.settings.scorer)

    def verify(
        self, claims: Sequence[Claim], retrieved: Mapping[str, Passage]
    ) -> tuple[list[Claim], VerificationSummary]:
        """The claims that survive (verified or flagged) and a summary with every reason."""
        kept: list[Claim] = []
        reasons: list[str] = []
        numbers = dropped = flagged_removed = 0
        retracted = _retracted_sources(claims, retrieved)
        for claim in claims:
            checked, only_flagged = self._judge(claim, retrieved)
            numbers += len(parse_measures(checked.text))
            if checked.status != ClaimStatus.REMOVED:
                dropped += len(dict.fromkeys(claim.passage_ids)) - len(checked.passage_ids)
                kept.append(checked)
                continue
            reasons.append(f"{checked.note}: {checked.text[:80]}")
            log.info("removed claim %r: %s", checked.text[:80], checked.note)
            flagged_removed += int(only_flagged)
        flagged = sum(1 for c in kept if c.status == ClaimStatus.FLAGGED)
        summary = VerificationSummary(
            verified=len(kept) - flagged,
            flagged=flagged,
            removed=len(reasons),
            reasons=tuple(reasons),
            numbers_checked=numbers,
            citations_dropped=dropped,
            flagged_removed=flagged_removed,
            strict=self.settings.strict,
            retracted=retracted,
        )
        return kept, summary

    def check(self, claim: Claim, retrieved: Mapping[str, Passage]) -> Claim:
        """The claim with its status, note, kept citations and support spans."""
        return self._judge(claim, retrieved)[0]

    def _judge(self, claim: Claim, retrieved: Mapping[str, Passage]) -> tuple[Claim, bool]:
        """The checked claim, and whether strict mode removed it for being only flagged."""
        text = strip_citation_markers(claim.text)
        if looks_like_instruction(claim.text):
            reason = "reads as an instruction to an AI, not clinical content"
            return _removed(claim, text, reason), False
        if not text.strip():
            return _removed(claim, text, "no text"), False
        ids = tuple(dict.fromkeys(claim.passage_ids))
        if not ids:
            return _removed(claim, text, "no citation"), False
        measures = parse_measures(text)
        checks = [self.cite(claim.text, text, measures, pid, retrieved.get(pid)) for pid in ids]
        return self._outcome(claim, text, checks)

    def cite(
        self, original: str, text: str, measures: Measures, pid: str, passage: Passage | None
    ) -> CitationCheck:
        """Judge one citation: the quote, the support score and the numbers."""
        if passage is None:
            return CitationCheck(pid, None, failures=(f"cites {pid}, which was not retrieved",))
        if passage.document.retraction:
            reason = f"the source is retracted ({passage.document.retraction})"
            return CitationCheck(pid, None, failures=(reason,))
        flags: list[str] = []
        failures: list[str] = []
        located = exact_quote(original, passage) or exact_quote(text, passage)
        if located is None:
            located = self._scored(text, passage, flags, failures)
        elif located.negated:
            flags.append("a negation earlier in the source sentence may reverse the quoted words")
        support = located.support
        if looks_like_instruction(sentences_around(passage.text, support.start, support.end)):
            failures.append("the supporting text addresses an AI system, not the reader")
        numbers = check_numbers(
            measures, parse_measures(passage.text), (support.start, support.end)
        )
        flags += numbers.flags
        failures += numbers.failures
        return CitationCheck(pid, support, tuple(dict.fromkeys(flags)), tuple(failures))

    def _scored(
        self, text: str, passage: Passage, flags: list[str], failures: list[str]
    ) -> Located:
        located = best_window(text, passage, self.settings.window_sentences)
        support = located.support
        judgement = self.scorer.judge(text, support.quote, passage.text)
        failures += judgement.contradictions
        flags += judgement.concerns
        if judgement.score < self.settings.min_flag_support:
            failures.append(f"the source shares only {judgement.score:.0%} of the claim's words")
        elif judgement.score < self.settings.min_support:
            flags.append(f"the source shares only {judgement.score:.0%} of the claim's words")
        return Located(replace(support, score=judgement.score))

    def _outcome(self, claim: Claim, text: str, checks: list[CitationCheck]) -> tuple[Claim, bool]:
        passing = [c for c in checks if c.passes]
        if passing:
            return _kept(claim, text, passing, ClaimStatus.VERIFIED, None), False
        flagged = [c for c in checks if c.flagged]
        if not flagged:
            failures = [f"{c.passage_id}: {f}" for c in checks for f in c.failures]
            return _removed(claim, text, "; ".join(failures)), False
        note = "; ".join(dict.fromkeys(f for c in flagged for f in c.flags))
        if self.settings.strict:
            return _removed(claim, text, f"flagged, so removed in strict mode: {note}"), True
        return _kept(claim, text, flagged, ClaimStatus.FLAGGED, note), False


def _retracted_sources(
    claims: Sequence[Claim], retrieved: Mapping[str, Passage]
) -> tuple[str, ...]:
    """ "Title (retraction notice PMID 1)" for each retracted source a claim cites."""
    found = (
        retrieved[pid].document
        for claim in claims
        for pid in claim.passage_ids
        if pid in retrieved and retrieved[pid].document.retraction
    )
    return tuple(dict.fromkeys(f"{d.title} ({d.retraction})" for d in found))


def retraction_note(summary: VerificationSummary) -> str | None:
    """What the answer says when statements were left out because their source is retracted."""
    if not summary.retracted:
        return None
    return (
        "Statements citing a retracted publication were left out (a retracted paper is never "
        "support): " + "; ".join(summary.retracted) + "."
    )


def _kept(
    claim: Claim, text: str, checks: list[CitationCheck], status: ClaimStatus, note: str | None
) -> Claim:
    support = tuple(c.support for c in checks if c.support is not None)
    return replace(
        claim,
        text=text,
        passage_ids=tuple(c.passage_id for c in checks),
        support=support,
        status=status,
        note=note,
        support_score=max((s.score for s in support), default=None),
    )


def _removed(claim: Claim, text: str, note: str) -> Claim:
    return replace(
        claim,
        text=text,
        passage_ids=(),
        support=(),
        status=ClaimStatus.REMOVED,
        note=note,
        support_score=None,
    )


def verify_claims(
    claims: Sequence[Claim],
    retrieved: Mapping[str, Passage],
    settings: VerifySettings | None = None,
) -> tuple[list[Claim], VerificationSummary]:
    """Verify claims with a one-off `Verifier` (the engine keeps one per library)."""
    return Verifier(settings).verify(claims, retrieved)


def verify_claim(
    claim: Claim, retrieved: Mapping[str, Passage], settings: VerifySettings | None = None
) -> Claim:
    """One claim checked; a removed claim is returned with status REMOVED and its reason."""
    return Verifier(settings).check(claim, retrieved)

"""Verification: every claim checked against the passages it cites."""

from medcite.verify.check import Verifier, retraction_note, verify_claim, verify_claims
from medcite.verify.support import SUPPORT_SCORERS, Judgement, SupportScorer

__all__ = [
    "SUPPORT_SCORERS",
    "Judgement",
    "SupportScorer",
    "Verifier",
    "retraction_note",
    "verify_claim",
    "verify_claims",
]

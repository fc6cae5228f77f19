"""Verification: every claim checked against the passages it cites."""

from medcite.verify.check import verify_claim, verify_claims

__all__ = ["verify_claim", "verify_claims"]

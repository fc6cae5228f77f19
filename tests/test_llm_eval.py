"""What `medcite eval answers --writer` reports about who wrote the answers."""

from __future__ import annotations

from medcite.eval.answers import Check, ItemResult, writer_figures


def _result(
    writer: str, passed: bool, seconds: float, removed: int = 0, verified: int = 1
) -> ItemResult:
    checks = (Check("c", passed),)
    return ItemResult("x", "c", checks, False, "", (), writer, seconds, removed, verified)


def test_a_fallback_counts_against_the_model() -> None:
    figures = writer_figures(
        [
            _result("local:qwen", True, 40.0, 2),
            _result("local:qwen", False, 50.0, 1),
            _result("extractive (fallback: the local model qwen: timed out after 60 s)", True, 60),
            _result("local:qwen", True, 30.0),
        ]
    )
    assert figures["writers"] == ["extractive", "local:qwen"]
    assert (figures["model_written"], figures["model_written_passed"]) == (3, 2)
    assert figures["fallbacks"] == 1 and figures["claims_removed"] == 3
    assert (figures["p50_s"], figures["p95_s"]) == (50.0, 60)
    assert figures["peak_rss_mb"] > 0
    assert figures["model_claims"] == 6 and figures["model_claims_verified"] == 0.5

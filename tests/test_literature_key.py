"""The literature answer key (eval/keys/literature): well formed, and verified against the
shared data by the script kept beside it (when the shared data is present)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from medcite.eval.answers import load_key

from .conftest import SHARED

KEY_DIR = Path(__file__).resolve().parents[1] / "eval" / "keys" / "literature"


def test_the_key_loads_with_twenty_or_more_items_each_citing_a_reference() -> None:
    items = load_key(KEY_DIR / "questions.jsonl")
    assert len(items) >= 20
    assert all(item.cite_any and item.bottom_all and item.cite_reference for item in items)
    assert {i.category for i in items} == {"guideline summary", "PubMed citation", "PMC article"}


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "data/corpus").is_dir(), reason="shared data not present")
def test_every_key_is_verbatim_in_its_gold_document() -> None:
    done = subprocess.run(
        [sys.executable, str(KEY_DIR / "verify_keys.py"), "--root", str(SHARED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 failing" in done.stdout

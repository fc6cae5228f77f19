"""End to end: the seed question over a small corpus with a drug label and a guideline.

`medcite ask` must show the patient context and its assumptions, and a certainty next to
every claim, in the terminal, in Markdown and in JSON.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.answer.certainty import CERTAINTY_NOTE, certainty_of
from medcite.answer.compose import abstention
from medcite.cli import app
from medcite.clinical.assumptions import with_assumptions
from medcite.clinical.context import read_turn
from medcite.engine import Engine
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.render import markdown
from medcite.schema import AnswerPublic
from medcite.settings import SAMPLE_QUESTION, Settings
from medcite.types import DocKind, PatientContext, Query

from .clinical_fixtures import write_clinical_sources

runner = CliRunner()
UNIT_GAP = "CMV PCR 1700 — the unit was not given; thresholds differ between IU/mL and copies/mL."
SPECIAL = "Special considerations for patients on ruxolitinib (Jakafi)"


@pytest.fixture
def clinical_corpus(corpus: Path) -> Path:
    write_clinical_sources(corpus)
    result = runner.invoke(app, ["ingest", str(corpus)])
    assert result.exit_code == 0, result.output
    return corpus


def flat(text: str) -> str:
    return " ".join(text.replace("▌", " ").split())


def test_json_has_context_assumptions_and_certainty_per_claim(clinical_corpus: Path) -> None:
    result = runner.invoke(app, ["ask", SAMPLE_QUESTION, "--json"])
    assert result.exit_code == 0, result.output
    answer = AnswerPublic.model_validate_json(result.stdout)
    assert not answer.abstained
    assert answer.assumptions[0] == UNIT_GAP
    (drug,) = answer.patient_context.drugs
    assert (drug.generic, drug.mentions, drug.current) == (
        "ruxolitinib",
        ["ruxolitinib", "Jakafi"],
        True,
    )
    (lab,) = answer.patient_context.labs
    assert (lab.test, lab.value, lab.unit) == ("CMV PCR", 1700, None)
    claims = answer.bottom_line + [c for s in answer.sections for c in s.claims]
    assert claims
    kinds = {r.number: DocKind(r.kind) for r in answer.references}
    for claim in claims:
        assert claim.certainty == certainty_of(kinds[n] for n in claim.citations)
    assert {c.certainty for c in claims} >= {"high"}
    special = [s for s in answer.sections if s.key == "special"]
    assert special and special[0].title == SPECIAL
    assert all("ruxolitinib" in c.text.lower() for c in special[0].claims)
    assert answer.certainty_note == CERTAINTY_NOTE


def test_markdown_shows_the_assumptions_block_and_certainty(clinical_corpus: Path) -> None:
    result = runner.invoke(app, ["ask", SAMPLE_QUESTION, "--markdown"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "> **Patient context and assumptions**" in out
    assert "> Read from the question: on ruxolitinib (Jakafi); CMV PCR 1700 (no unit given)." in out
    assert f"> - {UNIT_GAP}" in out
    assert f"## {SPECIAL}" in out
    bullets = [line for line in out.splitlines() if line.startswith("- ")]
    assert bullets and all(line.endswith("certainty)*") for line in bullets)
    assert "*(high certainty)*" in out and CERTAINTY_NOTE in out


def test_terminal_output_shows_the_same(clinical_corpus: Path) -> None:
    result = runner.invoke(app, ["ask", SAMPLE_QUESTION])
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "Patient context and assumptions" in out
    assert flat(UNIT_GAP) in out
    assert "(high certainty)" in out and flat(CERTAINTY_NOTE) in out
    assert SPECIAL in out


def test_an_abstention_still_states_the_gaps(clinical_corpus: Path) -> None:
    result = runner.invoke(app, ["ask", "zorblaxin dose with a CMV PCR of 1700?", "--json"])
    answer = AnswerPublic.model_validate_json(result.stdout)
    assert answer.abstained and UNIT_GAP in answer.assumptions


def test_engine_times_the_context_stage(settings: Settings, clinical_corpus: Path) -> None:
    library = Library(settings)
    ingest([clinical_corpus], library)
    library.close()
    engine = Engine(settings)
    try:
        answer = engine.ask(SAMPLE_QUESTION)
    finally:
        engine.close()
    assert {"context", "understand", "retrieve", "special", "write"} <= set(answer.timings)
    assert answer.context.drugs[0].generic == "ruxolitinib"


def test_a_context_without_gaps_is_shown_without_an_empty_list() -> None:
    query = Query("Is it safe?", "definition", (), context=read_turn("on warfarin, INR 2.5"))
    answer = with_assumptions(abstention(query, "nothing found", "hash", {}), query)
    block = [line for line in markdown(answer).splitlines() if line.startswith(">")]
    assert block == [
        "> **Patient context and assumptions**",
        ">",
        "> Read from the question: on warfarin; INR 2.5 (no unit given).",
    ]
    plain = with_assumptions(abstention(Query("q", "definition", ()), "x", "h", {}), query)
    assert "Patient context" not in markdown(replace(plain, context=PatientContext()))

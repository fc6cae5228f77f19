"""Every Answer leaving medcite has been verified, whoever wrote its claims."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.answer.extractive import Ranked
from medcite.cli import app
from medcite.engine import Engine
from medcite.index import Library
from medcite.render import markdown
from medcite.schema import AnswerPublic, to_public
from medcite.settings import AnswerSettings, Settings, load_settings
from medcite.types import Claim, ClaimStatus, Query

QUESTION = "How is valley fever treated with fluconazole?"
SOURCE = "The patient received fluconazole (400 mg once daily) for six months."
REWORDED = "For six months the patient received fluconazole (400 mg once daily)."


def fake_writer(drafts: list[tuple[str, str, bool]]) -> object:
    """A stand-in for an LLM writer: (text, section, cite the real passage?) per claim."""

    def write(query: Query, ranked: Ranked, cfg: AnswerSettings) -> list[Claim]:
        found = [c.passage.id for g in ranked.groups for c in g]
        (pid,) = {p for p in found if "400 mg once daily" in _text(ranked, p)}
        return [Claim(t, (pid if real else "bogus-id",), s) for t, s, real in drafts]

    return write


def _text(ranked: Ranked, passage_id: str) -> str:
    return next(c.passage.text for g in ranked.groups for c in g if c.passage.id == passage_id)


@pytest.fixture
def engine(library: Library, settings: Settings) -> Engine:
    library.close()
    return Engine(settings)


def test_the_engine_verifies_whatever_the_writer_wrote(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "medcite.engine.write_claims",
        fake_writer(
            [
                (SOURCE.replace("400 mg", "4000 mg"), "bottom_line", True),
                (SOURCE, "bottom_line", True),
                (REWORDED, "first_line", True),
                (SOURCE, "first_line", False),
                (SOURCE.replace("once", "twice"), "first_line", True),
            ]
        ),
    )
    answer = engine.ask(QUESTION)
    assert not answer.abstained
    assert [c.text for c in answer.bottom_line] == [SOURCE]
    assert all(c.status == ClaimStatus.VERIFIED for c in answer.claims)
    texts = " ".join(c.text for c in answer.claims)
    assert "4000 mg" not in texts and "twice daily" not in texts
    v = answer.verification
    assert (v.verified, v.removed) == (2, 3)
    assert any("bogus-id" in r for r in v.reasons)
    (reworded,) = [c for c in answer.claims if c.text == REWORDED]
    assert not reworded.support[0].exact and reworded.support[0].quote == SOURCE
    assert "verify" in answer.timings


def test_no_surviving_bottom_line_means_abstention(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "medcite.engine.write_claims",
        fake_writer([(SOURCE.replace("400 mg", "40 mg"), "bottom_line", True)]),
    )
    answer = engine.ask(QUESTION)
    assert answer.abstained and not answer.claims
    assert answer.abstention is not None and "survived verification" in answer.abstention
    assert answer.verification.removed == 1


def test_flagged_claims_show_a_warning_and_their_reason_when_not_strict(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.close()
    lenient = load_settings(home=tmp_path / "home", verify={"strict": False})
    converted = SOURCE.replace("400 mg", "0.4 g")
    monkeypatch.setattr(
        "medcite.engine.write_claims", fake_writer([(converted, "bottom_line", True)])
    )
    answer = Engine(lenient).ask(QUESTION)
    (claim,) = answer.bottom_line
    assert claim.status == ClaimStatus.FLAGGED and claim.note is not None
    assert "converts" in claim.note
    assert "⚠ *flagged: the claim converts" in markdown(answer)
    public = to_public(answer)
    assert public.bottom_line[0].status == "flagged" and public.bottom_line[0].note == claim.note
    assert public.verification.flagged == 1 and not public.verification.strict
    strict = Engine(load_settings(home=tmp_path / "home")).ask(QUESTION)
    assert strict.abstained and strict.verification.flagged_removed == 1


def test_cli_json_carries_the_verification_of_every_claim(library: Library) -> None:
    library.close()
    result = CliRunner().invoke(app, ["ask", QUESTION, "--json"])
    assert result.exit_code == 0, result.output
    answer = AnswerPublic.model_validate_json(result.stdout)
    assert answer.verification.verified == len(answer.bottom_line) + sum(
        len(s.claims) for s in answer.sections
    )
    assert answer.verification.numbers_checked >= 1
    for claim in answer.bottom_line:
        assert claim.status == "verified" and claim.quotes and claim.quotes[0].exact

"""`medcite eval answers`: scoring an answer key exactly as its README says."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from medcite.errors import MedciteError
from medcite.eval.answers import (
    ItemResult,
    KeyItem,
    follow_up_figures,
    load_key,
    open_key_library,
    score_item,
)
from medcite.index import Library
from medcite.settings import load_settings
from medcite.types import (
    Answer,
    Audience,
    Claim,
    DocKind,
    Document,
    Passage,
    Reference,
    Section,
    TurnContext,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared"


def answer(bottom: str, bullets: list[str], *, abstained: bool = False) -> Answer:
    title = "What is (are) Factor V Leiden thrombophilia?"
    doc = Document("d", title, DocKind.OTHER, "GHR", "o", "v")
    p = Passage("p", doc, 0, bottom, 0, len(bottom))
    return Answer(
        question="q",
        question_type="definition",
        audience=Audience.CLINICIAN,
        bottom_line=(Claim(bottom, ("p",), "bottom_line", (1,)),) if bottom else (),
        sections=(Section("s", "S", tuple(Claim(b, ("p",), "s", (1,)) for b in bullets)),),
        references=(Reference(1, doc, (p,)),) if not abstained else (),
        abstained=abstained,
        abstention="medcite cannot answer" if abstained else None,
        disclaimer="",
        generated_at=datetime.now(UTC),
        settings_hash="h",
    )


ITEM = KeyItem(
    "X1",
    "How common is factor V Leiden?",
    cite_any=("factor V Leiden",),
    bottom_all=(("3 and 8  percent",),),
    answer_all=(("1 in 5,000", "one in 5000"),),
    forbid_any=("autosomal recessive",),
)


def test_every_check_holds_case_insensitively_after_collapsing_whitespace() -> None:
    a = answer("Between 3 and 8 PERCENT carry it.", ["About 1 in 5,000 have two copies."])
    checks = score_item(ITEM, a)
    assert [c.passed for c in checks] == [True] * 5


def test_a_fact_only_in_a_bullet_does_not_satisfy_the_bottom_line() -> None:
    a = answer("It is a clotting disorder.", ["Between 3 and 8 percent carry it; 1 in 5,000."])
    failed = [c.name for c in score_item(ITEM, a) if not c.passed]
    assert failed == ["bottom line: 3 and 8  percent"]


def test_a_forbidden_string_anywhere_fails_and_abstention_is_scored() -> None:
    a = answer("Between 3 and 8 percent.", ["It is autosomal recessive. 1 in 5,000."])
    assert not all(c.passed for c in score_item(ITEM, a))
    must_abstain = KeyItem("X2", "What is zorblaxin?", abstain=True)
    assert all(c.passed for c in score_item(must_abstain, answer("", [], abstained=True)))
    assert not score_item(must_abstain, answer("Zorblaxin is a drug.", []))[0].passed


def test_a_malformed_key_names_its_line(tmp_path: Path) -> None:
    key = tmp_path / "key.jsonl"
    key.write_text(json.dumps({"id": "A", "question": "q"}) + "\n{not json\n", "utf-8")
    with pytest.raises(MedciteError, match=r"key\.jsonl:2"):
        load_key(key)
    with pytest.raises(MedciteError, match="not found"):
        load_key(tmp_path / "missing.jsonl")


def test_a_reference_must_show_the_expected_kind_year_and_identifiers() -> None:
    a = answer("Between 3 and 8 percent carry it.", ["About 1 in 5,000 have two copies."])
    doc = Document(
        "d",
        "Factor V Leiden in Europe",
        DocKind.TRIAL,
        "PubMed",
        "o",
        "v",
        journal="Journal of Invented Medicine",
        extra={"pmid": "123", "doi": "10.9/X", "year": "2020"},
    )
    a = replace(a, references=(Reference(1, doc, a.references[0].passages),))
    expected = {"kind": "trial", "year": "2020", "pmid": "123", "doi": "10.9/x"}
    item = replace(ITEM, cite_reference=(*expected.items(), ("publisher", "invented medicine")))
    assert score_item(item, a)[-2].passed  # the last check is the forbid_any one
    wrong = replace(item, cite_reference=(("kind", "systematic_review"), ("year", "2020")))
    assert not score_item(wrong, a)[-2].passed


def test_a_key_item_reads_its_expected_reference(tmp_path: Path) -> None:
    path = tmp_path / "key.jsonl"
    raw = {"id": "L1", "question": "q?", "cite_reference": {"kind": "trial", "pmid": "9"}}
    raw["gold"] = {"source": "PubMed citation"}
    path.write_text(json.dumps(raw) + "\n")
    (item,) = load_key(path)
    assert item.cite_reference == (("kind", "trial"), ("pmid", "9"))
    assert item.category == "PubMed citation"


def test_a_key_can_be_asked_on_the_default_corpus(tmp_path: Path, corpus: Path) -> None:
    settings = load_settings(
        home=tmp_path / "home",
        corpus={"root": str(corpus), "sources": [{"path": "medquad.jsonl"}]},
    )
    key_settings = open_key_library(settings, library="default")
    assert key_settings.data_dir == settings.data_dir / "eval" / "default-corpus"
    lib = Library(key_settings)
    assert len(lib.store.document_ids()) == 5  # the five records of the test MedQuAD file
    lib.close()


def test_a_follow_up_is_scored_on_what_it_carried_and_dropped() -> None:
    item = KeyItem(
        "C1",
        "And for psoriasis instead?",
        history=("Humira dose for rheumatoid arthritis?",),
        carried_all=(("humira", "adalimumab"),),
        dropped_all=(("rheumatoid arthritis",),),
    )
    kept = replace(
        answer("x", []),
        turn=TurnContext(carried=("on adalimumab (Humira)",), carried_subjects=("adalimumab",)),
    )
    names = {c.name: c.passed for c in score_item(item, kept)}
    assert names["carries: humira | adalimumab"] and names["drops: rheumatoid arthritis"]
    stuck = replace(kept, turn=TurnContext(carried_subjects=("rheumatoid arthritis",)))
    names = {c.name: c.passed for c in score_item(item, stuck)}
    assert not names["carries: humira | adalimumab"]
    assert not names["drops: rheumatoid arthritis"]
    results = [ItemResult("C1", "c", score_item(item, stuck), True, "")]
    figures = follow_up_figures([item], results)
    assert figures["false_abstentions"] == 1 and figures["kept_context"] == 0


CONVERSATIONS = Path(__file__).resolve().parents[1] / "eval/keys/conversations"


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="needs ../shared (the key's sources)")
def test_the_conversation_keys_are_verbatim_in_their_gold_sources() -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, str(CONVERSATIONS / "verify_keys.py"), "--shared", str(SHARED_DATA)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout
    items = load_key(CONVERSATIONS / "questions.jsonl")
    assert len(items) >= 25 and all(i.history for i in items)
    assert {"follow-up: keep", "follow-up: switch", "follow-up: instead", "must abstain"} <= {
        i.category for i in items
    }

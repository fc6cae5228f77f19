"""Follow-up questions keep the subject of the conversation (understand/conversation.py)."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from medcite.clinical.context import read_turn
from medcite.clinical.units import without_units
from medcite.engine import Engine
from medcite.settings import Settings
from medcite.types import Concept, DocKind, Query
from medcite.understand.conversation import (
    CARRY_WEIGHT,
    CONTEXT_SHARE,
    context_note,
    follow_up,
    with_history,
)
from medcite.understand.query import understand

from .web_support import FIRST_QUESTION, FOLLOW_UP, ingest_cmv_corpus

SEED = (
    "What is the management approach for a patient on ruxolitinib (Jakafi) with a positive CMV PCR?"
)


def _df(term: str) -> int:
    return 5  # every term equally rare: weights come from the rules, not the corpus


def _topics(text: str) -> bool:
    return text in {"ulcerative colitis", "crohn's disease", "myelofibrosis", "cytomegalovirus"}


def _query(question: str, is_topic: Callable[[str], bool] | None = None) -> Query:
    return understand(question, _df, 1000, is_topic=is_topic)


def _labels(concepts: tuple[Concept, ...]) -> set[str]:
    return {c.label for c in concepts}


def test_follow_up_keeps_ruxolitinib_and_cmv() -> None:
    query, carried = with_history(_query(FOLLOW_UP), [SEED], _df, 1000)
    assert {"ruxolitinib", "cytomegalovirus"} <= _labels(carried)
    assert {"ruxolitinib", "cytomegalovirus", "creatinine"} <= _labels(query.concepts)
    assert "management" not in _labels(carried)  # an aspect of the first question, not a subject
    assert query.question == FOLLOW_UP and query.history == (SEED,)
    assert query.question_type == "treatment"  # "what if ...?" keeps the previous type


def test_context_never_outweighs_a_new_question_with_its_own_subject() -> None:
    own = _query("Does it cause myelofibrosis?")
    query, carried = with_history(own, [SEED], _df, 1000)
    own_total = sum(c.weight for c in own.concepts)
    assert carried and sum(c.weight for c in carried) <= CONTEXT_SHARE * own_total + 1e-6
    assert query.concepts[: len(own.concepts)] == own.concepts


def test_a_follow_up_that_only_adds_to_the_patient_keeps_the_subject_whole() -> None:
    _, carried = with_history(_query(FOLLOW_UP), [SEED], _df, 1000)
    weights = {c.label: c.weight for c in carried}
    alone = {
        c.label: c.weight for c in understand(SEED, _df, 1000, context=read_turn(SEED)).concepts
    }
    assert weights["ruxolitinib"] == alone["ruxolitinib"] * CARRY_WEIGHT


def test_older_turns_weigh_less_and_own_definitions_keep_their_type() -> None:
    _, carried = with_history(
        _query("What about in pregnancy?"),
        ["Is ganciclovir safe?", "Does it interact with ruxolitinib?"],
        _df,
        1000,
    )
    weights = {c.label: c.weight for c in carried}
    assert weights["ruxolitinib"] > weights["ganciclovir"]
    defined, _ = with_history(_query("What is myelofibrosis?"), [SEED], _df, 1000)
    assert defined.question_type == "definition"


def test_units_numbers_and_filler_words_are_never_carried() -> None:
    earlier = "What if her creatinine is 2.1 mg/dL and eGFR 28 mL/min/1.73 m2, really?"
    _, carried = with_history(_query("And her potassium is 5.9"), [SEED, earlier], _df, 1000)
    labels = _labels(carried)
    assert not labels & {"mg", "dl", "ml", "min", "m2", "2.1", "28", "really", "her"}
    assert {"ruxolitinib", "cytomegalovirus"} <= labels


def test_a_new_subject_is_a_topic_switch() -> None:
    question = "What are the symptoms of myelofibrosis?"
    found = follow_up(_query(question, _topics), [SEED], _df, 1000, is_topic=_topics)
    assert found.carried == ()
    assert {"ruxolitinib", "cytomegalovirus"} <= set(found.dropped)
    note = context_note(SEED, found.carried, found.dropped)
    assert "new subject" in note and "ruxolitinib" in note


def test_instead_keeps_the_drug_and_replaces_the_indication() -> None:
    first = "What is the Humira loading schedule for an adult starting it for Crohn's disease?"
    then = "If we use the same drug for ulcerative colitis instead, when must he be in remission?"
    found = follow_up(_query(then, _topics), [first], _df, 1000, is_topic=_topics)
    assert "humira" in _labels(found.carried) or "adalimumab" in _labels(found.carried)
    assert not any("crohn" in label for label in _labels(found.carried))
    assert any("crohn" in label for label in found.dropped)


def test_a_situation_or_a_pronoun_is_not_a_new_subject() -> None:
    for then in ("And if her kidney function is poor?", "Does it interact with warfarin?"):
        found = follow_up(_query(then), [SEED], _df, 1000)
        assert "ruxolitinib" in _labels(found.carried), then
        assert found.dropped == ()


def test_a_repeated_question_counts_once_at_its_latest_place() -> None:
    query, _ = with_history(
        _query(FOLLOW_UP), [SEED, "Is ganciclovir safe?", SEED, "   "], _df, 1000
    )
    assert query.history == ("Is ganciclovir safe?", SEED)


def test_no_history_changes_nothing() -> None:
    query = _query(FOLLOW_UP)
    assert with_history(query, [], _df, 1000) == (query, ())
    assert with_history(query, ["   "], _df, 1000) == (query, ())


def test_context_note_names_what_was_kept() -> None:
    _, carried = with_history(_query(FOLLOW_UP), [SEED], _df, 1000)
    note = context_note(SEED, carried)
    assert SEED in note and "ruxolitinib" in note


@pytest.fixture
def engine(settings: Settings, tmp_path: Path) -> Iterator[Engine]:
    ingest_cmv_corpus(settings, tmp_path / "cmv")
    engine = Engine(settings)
    yield engine
    engine.close()


def test_engine_answers_the_follow_up_in_context(engine: Engine) -> None:
    alone = engine.ask(FOLLOW_UP)
    in_context = engine.ask(FOLLOW_UP, history=[FIRST_QUESTION])

    def first_kind(answer_claims: tuple[str, ...]) -> DocKind:
        return engine.library.store.passage(answer_claims[0]).document.kind

    assert first_kind(alone.bottom_line[0].passage_ids) == DocKind.PATIENT_EDUCATION
    assert first_kind(in_context.bottom_line[0].passage_ids) == DocKind.CASE_REPORT
    assert "ruxolitinib" in in_context.bottom_line[0].text
    assert any("follow-up" in a and "ruxolitinib" in a for a in in_context.assumptions)
    assert not any("follow-up" in a for a in alone.assumptions)
    assert FIRST_QUESTION.lower() not in {q.lower() for q in in_context.related_questions}


def test_units_are_never_concepts_but_times_are_kept() -> None:
    assert (
        without_units("creatinine 2.1 mg/dL, eGFR 28 mL/min/1.73 m2") == "creatinine 2.1 , eGFR 28 "
    )
    assert without_units("reported in mg/dL and mmol/L") == "reported in   and  "
    assert without_units("remembered 14 hours later") == "remembered 14 hours later"
    labels = _labels(_query("What if her creatinine is 180 umol/L and eGFR 28 mL/min?").concepts)
    assert not labels & {"umol", "l", "ml", "min", "dl"}


def test_a_follow_up_in_everyday_words_is_about_the_carried_subject() -> None:
    """A follow-up such as "Will she need tests to confirm it?" names no subject of its own:
    its everyday words, which alone would be its subject, only qualify the carried one."""
    alone = _query("Will she need tests to confirm it?")
    assert any(c.subject > 0 for c in alone.concepts)  # asked alone, they are the subject
    found = follow_up(alone, [SEED], _df, 1000)
    carried = _labels(found.carried)
    assert "ruxolitinib" in carried
    own = [c for c in found.query.concepts if c.label not in carried]
    assert own and all(c.subject == 0 for c in own)

"""The yes/no verdict: question detection, features, the model's decision, where it shows."""

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from medcite.answer import verdict as verdict_module
from medcite.answer.verdict import (
    VerdictModel,
    decide_verdict,
    features,
    is_yes_no,
    load_model,
    with_verdict,
)
from medcite.eval.verdict_fit import Examples, fit_examples, forward_selection, thresholds
from medcite.render import markdown
from medcite.schema import to_public
from medcite.types import Answer, Audience, Claim

# P(yes) rises with the share of the best sentences that carry no negation cue.
NEGATION_ONLY = VerdictModel(("neg_top",), (0.5,), (0.5,), (-3.0,), 0.0, low=0.2, high=0.8)


@pytest.mark.parametrize(
    "question",
    [
        "Is sotrovimab effective for COVID-19?",
        "Does ruxolitinib cause CMV reactivation?",
        "Can FTO promote pancreatic cancer development?",
        "Are there microbes in human breast milk?",
        "In adults, is vitamin D linked to falls?",
        "Tocilizumab is an anti-TNF antibody, yes or no?",
        "Should aspirin be stopped before surgery or not?",
    ],
)
def test_yes_no_questions_are_detected(question: str) -> None:
    assert is_yes_no(question)


@pytest.mark.parametrize(
    "question",
    [
        "What is granzyme B?",
        "Which factor is inhibited by milvexian?",
        "How does condensin affect topoisomerase II?",
        "Is fingolimod a drug or a pro-drug?",
        "Is Huntington's disease caused by a dominant or recessive gene?",
        "List the side effects of ruxolitinib.",
    ],
)
def test_other_questions_are_not_yes_no(question: str) -> None:
    assert not is_yes_no(question)


def test_features_read_negation_coverage_and_the_question() -> None:
    question = "Is verubecestat effective for Alzheimer's disease?"
    negative = features(question, ["Verubecestat did not improve cognition in Alzheimer's."])
    positive = features(question, ["Verubecestat is effective for Alzheimer's disease."])
    assert negative["no_effect_top"] == 1.0 and positive["no_effect_top"] == 0.0
    assert negative["neg_first"] == 1.0 and positive["neg_first"] == 0.0
    assert positive["cover_top"] == 1.0 and negative["cover_top"] < 1.0  # "effective" missing
    assert negative["q_efficacy"] == 1.0
    opposed = features("Does FTO promote cancer?", ["FTO suppresses pancreatic cancer."])
    assert opposed["opposed"] == 1.0
    assert features("Does FTO promote cancer?", ["FTO promotes cancer."])["opposed"] == 0.0
    assert features("Do only coding variants matter?", ["x"])["q_absolute"] == 1.0


def test_the_model_states_yes_no_or_nothing() -> None:
    question = "Is drug X effective for disease Y?"
    assert decide_verdict(question, ["Drug X helps in disease Y."], NEGATION_ONLY) == "yes"
    no = ["Drug X did not help in disease Y.", "Drug X was not better than placebo."]
    assert decide_verdict(question, no, NEGATION_ONLY) == "no"
    mixed = ["Drug X did not help in disease Y.", "Drug X helps some patients."]
    assert decide_verdict(question, mixed, NEGATION_ONLY) is None  # p = 0.5: not stated
    assert decide_verdict("What is drug X?", no, NEGATION_ONLY) is None
    assert decide_verdict(question, [], NEGATION_ONLY) is None


def test_the_shipped_model_reads_clear_evidence() -> None:
    model = load_model()
    assert set(model.names) <= set(verdict_module.FEATURES)
    assert 0.0 < model.low < 0.5 < model.high < 1.0
    question = "Is semagacestat effective for Alzheimer's disease?"
    failed = [
        "Semagacestat did not improve cognitive status in Alzheimer's disease.",
        "The phase 3 trial of semagacestat was terminated because of no significant benefit.",
    ]
    assert decide_verdict(question, failed) == "no"
    associated = [
        "BRCA1 mutations are associated with hereditary breast cancer.",
        "Carriers of BRCA1 variants have a high lifetime risk of breast cancer.",
        "BRCA1 is a tumour suppressor gene.",
    ]
    assert decide_verdict("Is BRCA1 associated with breast cancer?", associated) == "yes"
    assert decide_verdict("Which gene is associated with breast cancer?", associated) is None


def _answer(question: str, texts: list[str], *, abstained: bool = False) -> Answer:
    claims = tuple(Claim(t, ("p1",), "bottom_line", citations=(1,)) for t in texts)
    return Answer(
        question=question,
        question_type="other",
        audience=Audience.CLINICIAN,
        bottom_line=() if abstained else claims,
        sections=(),
        references=(),
        abstained=abstained,
        abstention="none found" if abstained else None,
        disclaimer="For information only.",
        generated_at=datetime(2025, 1, 1, tzinfo=UTC),
        settings_hash="h",
    )


def test_with_verdict_reads_the_claims_and_skips_abstentions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(verdict_module, "load_model", lambda: NEGATION_ONLY)
    question = "Does drug X cure disease Y?"
    assert with_verdict(_answer(question, ["Drug X did not cure Y."])).verdict == "no"
    assert with_verdict(_answer(question, ["Drug X cured Y."])).verdict == "yes"
    assert with_verdict(_answer(question, [], abstained=True)).verdict is None
    assert with_verdict(_answer("What does X cure?", ["Drug X cured Y."])).verdict is None


@pytest.mark.parametrize(
    ("question", "aspects"),
    [
        ("Can I drink grapefruit juice while taking drug X?", ()),
        ("Is it OK to start drug X with an eGFR of 38?", ()),
        ("Does drug X cure disease Y in pregnancy?", ("pregnancy",)),
    ],
)
def test_a_question_asking_permission_gets_no_bare_yes_or_no(
    monkeypatch: pytest.MonkeyPatch, question: str, aspects: tuple[str, ...]
) -> None:
    """A bare "Yes." would read as clearance for this patient; the claims answer instead."""
    monkeypatch.setattr(verdict_module, "load_model", lambda: NEGATION_ONLY)
    assert with_verdict(_answer(question, ["Drug X cured Y."]), aspects).verdict is None


def test_the_verdict_opens_the_bottom_line_and_is_in_the_json() -> None:
    answer = replace(_answer("Does X cure Y?", ["X did not cure Y."]), verdict="no")
    assert "**Bottom line.** **No.** X did not cure Y." in markdown(answer)
    assert to_public(answer).verdict == "no"
    unstated = _answer("Does X cure Y?", ["X did not cure Y."])
    assert "**No.**" not in markdown(unstated) and "**Yes.**" not in markdown(unstated)
    assert to_public(unstated).verdict is None


def test_thresholds_keep_the_stated_verdicts_accurate() -> None:
    p = np.array([0.95, 0.9, 0.85, 0.6, 0.55, 0.4, 0.1, 0.05])
    y = np.array([1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    low, high = thresholds(p, y, target=1.0)
    assert (low, high) == (0.1, 0.85)  # the 0.6 "no" and the 0.4 "yes" stay unstated
    low, high = thresholds(p, y, target=0.5)
    assert low >= 0.4 and high <= 0.55  # a lower bar states more


def test_fitting_chooses_the_informative_feature() -> None:
    rng = np.random.default_rng(0)
    n = 300
    y = (rng.random(n) < 0.6).astype(float)
    signal = np.where(y == 1, rng.normal(0, 1, n), rng.normal(2, 1, n))
    noise = rng.normal(0, 1, n)
    examples = Examples(np.column_stack([noise, signal]), y, ("noise", "signal"))
    chosen, path = forward_selection(examples)
    assert chosen[0] == "signal" and path[1]["added"] == "signal"
    fitted = fit_examples(examples, target=0.9)
    model = VerdictModel.from_json(fitted["model"])
    assert model.names[0] == "signal" and model.weights[0] < 0
    assert fitted["cross_validated"]["accuracy_where_stated"] >= 0.9
    assert model.decide(model.probability({"signal": 4.0, "noise": 0.0})) == "no"

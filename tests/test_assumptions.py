"""The assumption rules, each on its own, and their order on the seed question."""

from medcite.clinical.assumptions import assumptions
from medcite.clinical.context import read_turn
from medcite.types import Claim

SEED = (
    "What is the management approach for a patient on ruxolitinib (Jakafi) "
    "with a positive CMV PCR of 1700?"
)


def ask(question: str, *claims: str) -> list[str]:
    written = [Claim(text, ("p",), "treatment") for text in claims]
    return assumptions(question, read_turn(question), written)


def test_seed_question_states_the_missing_unit_and_transplant_status() -> None:
    assert ask(SEED, "Ruxolitinib was continued during treatment.") == [
        "CMV PCR 1700 — the unit was not given; thresholds differ between IU/mL and copies/mL.",
        "Transplant status not stated — CMV is managed differently after a transplant.",
    ]


def test_units_that_mean_one_thing_are_not_flagged() -> None:
    assert ask("eGFR 25, INR 3.5, CD4 count 150 and platelets 40") == []
    assert ask("creatinine 2.1") == [
        "creatinine 2.1 — the unit was not given; mg/dL and µmol/L values differ in scale."
    ]
    assert ask("CMV PCR of 1700 IU/mL in a kidney transplant recipient on tacrolimus") == []


def test_immune_status_is_asked_only_when_nothing_answers_it() -> None:
    gap = "Immune status not stated — the answer may differ for immunocompromised patients."
    assert gap in ask("How is EBV viremia treated?")
    assert gap not in ask("How is EBV viremia treated in an immunocompetent adult?")
    assert gap not in ask("How is EBV viremia treated on tacrolimus?")
    assert ask("How is gout treated?") == []


def test_gaps_the_cited_statements_depend_on() -> None:
    claims = (
        "Give 5 mg/kg every 12 hours, reduced for creatinine clearance below 70 mL/min.",
        "In children the dose is 10 mg per day.",
        "Avoid it during pregnancy.",
    )
    assert ask("How is CMV treated in a woman after a liver transplant?", *claims) == [
        "Kidney function not stated — some cited statements depend on it.",
        "Weight not stated — some cited doses are per kilogram of body weight.",
        "Age not stated — some cited doses are for children.",
        "Pregnancy status not stated — some cited statements are specific to pregnancy.",
    ]
    stated = "How is CMV treated in a 70 kg 40-year-old man after a liver transplant, eGFR 50?"
    assert ask(stated, *claims) == []


def test_brand_names_and_drugs_no_statement_mentions() -> None:
    assert ask("Is Lipitor safe?", "Statins are generally well tolerated.") == [
        "Lipitor read as atorvastatin."
    ]
    assert ask("Patient on warfarin with a cough", "Cough usually resolves.") == [
        "No cited statement mentions warfarin: nothing here is specific to patients on it."
    ]
    assert ask("Patient on warfarin with a cough", "Warfarin interacts with many drugs.") == []

"""An adversarial corpus, made here: every number, unit, interval and citation error is caught.

The seeds are drug-label style sentences written for these tests. Hypothesis rewrites them
(perturbation kind, place, replacement value); the verifier must never verify a rewrite that
changes a number, unit, basis, interval or citation, and must catch the softer errors
(negation, swapped drug or condition) in these sentences too.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from medcite.clinical.doses import parse_measures
from medcite.eval.perturb import Perturbation, perturb
from medcite.settings import VerifySettings
from medcite.text import sentences
from medcite.types import Claim, ClaimStatus, DocKind, Document, Passage
from medcite.verify import Verifier

SEEDS = (
    "Induction therapy: ganciclovir 5 mg/kg intravenously every 12 hours for 14 to 21 days. "
    "Maintenance therapy: ganciclovir 5 mg/kg once daily. Reduce the dose in patients with a "
    "creatinine clearance below 70 mL/min.",
    "Valganciclovir 900 mg orally twice daily is an alternative for CMV retinitis in adults who "
    "can take oral drugs. Valganciclovir is not recommended for infants under 4 months of age.",
    "Give heparin 80 units/kg as an intravenous bolus, then 18 units/kg/h by continuous "
    "infusion. Do not give heparin to patients with heparin-induced thrombocytopenia.",
    "The usual starting dose of levothyroxine is 1.6 mcg/kg once daily. Elderly patients with "
    "coronary disease should start at 25 mcg daily.",
    "Amoxicillin 0.5 g every 8 hours is not effective against beta-lactamase-producing strains. "
    "Children receive 25 mg/kg/day in divided doses every 12 hours.",
    "Methotrexate 15 mg once weekly is used in rheumatoid arthritis and should never be taken "
    "daily. Folic acid 5 mg once weekly reduces the risk of mucositis.",
    "Fluconazole 400 mg once daily for 6 months was given for pulmonary coccidioidomycosis. "
    "The cough resolved within 2-3 weeks.",
    "Paclitaxel 175 mg/m2 is infused over 3 hours every 3 weeks. Ondansetron 8 mg is given 30 "
    "minutes before chemotherapy.",
    "Acetaminophen 1,000 mg may be taken every 6 hours by adults. Adults should not take more "
    "than 4 g of acetaminophen in 24 hours. In a survey of 27 519 adults, 12% exceeded it.",
    "Enoxaparin 1 mg/kg subcutaneously q12h is used to treat deep vein thrombosis. Patients on "
    "ruxolitinib (Jakafi) had a CMV viral load of 1.58×10^5 copies/mL at diagnosis.",
)
DOC = Document("label", "Invented drug label", DocKind.DRUG_LABEL, "tests", "tests", "v1")
PASSAGES = {f"s{i}": Passage(f"s{i}", DOC, i, t, 0, len(t)) for i, t in enumerate(SEEDS)}
CLAIMS = tuple(
    Claim(sentence, (pid,), "first_line")
    for pid, p in PASSAGES.items()
    for sentence in sentences(p.text)
)
STRICT = Verifier(VerifySettings())
LENIENT = Verifier(VerifySettings(strict=False))
HARD = tuple(k for k in Perturbation if k.hard)
SOFT = tuple(k for k in Perturbation if not k.hard)
WITH_NUMBERS = tuple(c for c in CLAIMS if parse_measures(c.text).quantities)
WITH_INTERVALS = tuple(c for c in CLAIMS if parse_measures(c.text).intervals)
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


def stated(original: Claim, attacked: Claim) -> bool:
    """A rewrite that a seed says word for word is no error."""
    changed = attacked.text != original.text
    return changed and any(attacked.text in p.text for p in PASSAGES.values())


def assert_caught(claim: Claim) -> None:
    assert STRICT.check(claim, PASSAGES).status == ClaimStatus.REMOVED, claim.text
    assert LENIENT.check(claim, PASSAGES).status != ClaimStatus.VERIFIED, claim.text


def test_the_seed_claims_themselves_are_verified() -> None:
    for claim in CLAIMS:
        checked = STRICT.check(claim, PASSAGES)
        assert checked.status == ClaimStatus.VERIFIED, (claim.text, checked.note)
    assert len(WITH_NUMBERS) >= 15 and len(WITH_INTERVALS) >= 8


@FEW
@given(claim=st.sampled_from(CLAIMS), kind=st.sampled_from(HARD), choice=st.integers(0, 4))
def test_number_unit_interval_and_citation_perturbations_are_always_caught(
    claim: Claim, kind: Perturbation, choice: int
) -> None:
    attacked = perturb(claim, kind, PASSAGES, choice)
    assume(attacked is not None and not stated(claim, attacked))
    assert attacked is not None
    assert_caught(attacked)


@pytest.mark.parametrize("kind", HARD)
def test_every_hard_kind_applies_to_some_seed_and_is_caught_everywhere(
    kind: Perturbation,
) -> None:
    applied = 0
    for claim in CLAIMS:
        attacked = perturb(claim, kind, PASSAGES)
        if attacked is None or stated(claim, attacked):
            continue
        applied += 1
        assert_caught(attacked)
    assert applied >= 3


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


@FEW
@given(
    claim=st.sampled_from(WITH_NUMBERS),
    choice=st.integers(0, 6),
    value=st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False),
)
def test_any_other_number_is_caught(claim: Claim, choice: int, value: Decimal) -> None:
    quantities = parse_measures(claim.text).quantities
    q = quantities[choice % len(quantities)]
    assume(value != q.amount)
    written = _plain(value)
    end = q.start + len(q.notation)
    attacked = Claim(claim.text[: q.start] + written + claim.text[end:], claim.passage_ids, "x")
    assume(parse_measures(attacked.text).quantities != quantities)
    assert_caught(attacked)


UNITS = ("mg", "mcg", "g", "mL", "units", "mg/kg", "mcg/kg", "mg/m2", "mg/kg/day", "%", "hours")


@FEW
@given(claim=st.sampled_from(WITH_NUMBERS), choice=st.integers(0, 6), unit=st.sampled_from(UNITS))
def test_any_other_unit_is_caught(claim: Claim, choice: int, unit: str) -> None:
    with_units = [q for q in parse_measures(claim.text).quantities if q.unit]
    assume(with_units)
    q = with_units[choice % len(with_units)]
    new = f"{q.notation} {unit}"
    attacked = Claim(claim.text[: q.start] + new + claim.text[q.end :], claim.passage_ids, "x")
    (changed,) = [x for x in parse_measures(attacked.text).quantities if x.start == q.start]
    assume((changed.unit, changed.basis, changed.per) != (q.unit, q.basis, q.per))
    assert_caught(attacked)


@FEW
@given(claim=st.sampled_from(WITH_INTERVALS), choice=st.integers(0, 3), hours=st.integers(1, 96))
def test_any_other_interval_is_caught(claim: Claim, choice: int, hours: int) -> None:
    intervals = parse_measures(claim.text).intervals
    interval = intervals[choice % len(intervals)]
    assume(Decimal(hours) != interval.hours)
    new = f"every {hours} hours"
    text = claim.text[: interval.start] + new + claim.text[interval.end :]
    assert_caught(Claim(text, claim.passage_ids, "x"))


def test_softer_perturbations_are_caught_in_the_seed_sentences() -> None:
    rates: dict[Perturbation, tuple[int, int]] = {}
    for kind in SOFT:
        applied = caught = 0
        for claim in CLAIMS:
            attacked = perturb(claim, kind, PASSAGES)
            if attacked is None or stated(claim, attacked):
                continue
            applied += 1
            caught += LENIENT.check(attacked, PASSAGES).status != ClaimStatus.VERIFIED
        rates[kind] = (applied, caught)
    assert all(applied >= 3 for applied, _ in rates.values()), rates
    assert all(caught == applied for applied, caught in rates.values()), rates


# The issue's list, one by one, on one sentence.
DOSE = "Give ganciclovir 5 mg/kg intravenously every 12 hours for 14 to 21 days."
SOURCE = Passage("src", DOC, 0, DOSE + " Ganciclovir is not recommended in pregnancy.", 0, 0)
OTHER = Passage("other", DOC, 1, "Foscarnet 90 mg/kg every 12 hours is an alternative.", 0, 0)
RETRIEVED = {"src": SOURCE, "other": OTHER}


@pytest.mark.parametrize(
    ("text", "cites"),
    [
        ("Give ganciclovir 50 mg/kg intravenously every 12 hours for 14 to 21 days.", "src"),
        ("Give ganciclovir 0.5 mg/kg intravenously every 12 hours for 14 to 21 days.", "src"),
        ("Give ganciclovir .5 mg/kg intravenously every 12 hours for 14 to 21 days.", "src"),
        ("Give ganciclovir 5.0 mg/kg intravenously every 12 hours for 14 to 21 days.", "src"),
        ("Give ganciclovir 5 mcg/kg intravenously every 12 hours for 14 to 21 days.", "src"),
        ("Give ganciclovir 5 mg intravenously every 12 hours for 14 to 21 days.", "src"),
        ("Give ganciclovir 5 mg/kg intravenously every 8 hours for 14 to 21 days.", "src"),
        ("Ganciclovir is recommended in pregnancy.", "src"),
        ("Give foscarnet 5 mg/kg intravenously every 12 hours for 14 to 21 days.", "src"),
        (DOSE, "other"),
        (DOSE, "no-such-passage"),
    ],
)
def test_the_issue_list_of_errors_is_caught(text: str, cites: str) -> None:
    claim = Claim(text, (cites,), "first_line")
    assert STRICT.check(claim, RETRIEVED).status == ClaimStatus.REMOVED
    assert LENIENT.check(claim, RETRIEVED).status != ClaimStatus.VERIFIED
    assert STRICT.check(Claim(DOSE, ("src",), "x"), RETRIEVED).status == ClaimStatus.VERIFIED

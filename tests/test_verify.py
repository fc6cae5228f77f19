from dataclasses import replace

from medcite.answer.citations import number_citations
from medcite.types import Claim, ClaimStatus, DocKind, Document, Passage
from medcite.verify import verify_claim, verify_claims

DOC = Document("d1", "Title", DocKind.GUIDELINE, "src", "origin", "v1")
P1 = Passage("p1", DOC, 0, "Give ganciclovir 5 mg/kg every 12 hours.  Monitor blood counts.", 0, 60)
P2 = Passage("p2", DOC, 1, "Foscarnet is an alternative.", 61, 90)
RETRIEVED = {"p1": P1, "p2": P2}


def claim(text: str, *ids: str) -> Claim:
    return Claim(text, ids, "first_line")


def test_verbatim_claim_is_verified_with_its_quote_located() -> None:
    checked = verify_claim(claim("Monitor blood counts.", "p1"), RETRIEVED)
    assert checked.status == ClaimStatus.VERIFIED
    (support,) = checked.support
    assert P1.text[support.start : support.end] == "Monitor blood counts."


def test_whitespace_differences_do_not_matter() -> None:
    checked = verify_claim(claim("Give ganciclovir 5\nmg/kg every  12 hours.", "p1"), RETRIEVED)
    assert checked.status == ClaimStatus.VERIFIED


def test_changed_dose_or_interval_is_removed() -> None:
    for text in (
        "Give ganciclovir 50 mg/kg every 12 hours.",
        "Give ganciclovir 5 mg/kg every 8 hours.",
    ):
        assert verify_claim(claim(text, "p1"), RETRIEVED).status == ClaimStatus.REMOVED


def test_citation_to_the_wrong_passage_or_an_unretrieved_one_is_dropped() -> None:
    wrong = verify_claim(claim("Monitor blood counts.", "p2"), RETRIEVED)
    assert wrong.status == ClaimStatus.REMOVED and "not found in p2" in (wrong.note or "")
    ghost = verify_claim(claim("Monitor blood counts.", "p9"), RETRIEVED)
    assert ghost.status == ClaimStatus.REMOVED and "not retrieved" in (ghost.note or "")
    mixed = verify_claim(claim("Monitor blood counts.", "p9", "p1", "p2"), RETRIEVED)
    assert mixed.status == ClaimStatus.VERIFIED and mixed.passage_ids == ("p1",)


def test_summary_counts_and_reasons() -> None:
    kept, summary = verify_claims(
        [claim("Monitor blood counts.", "p1"), claim("Invented statement here.", "p1")], RETRIEVED
    )
    assert [c.text for c in kept] == ["Monitor blood counts."]
    assert (summary.verified, summary.removed) == (1, 1)
    assert "Invented statement" in summary.reasons[0]


def test_citation_numbers_follow_first_use_and_unknown_ids_are_dropped() -> None:
    claims = [
        replace(claim("a", "p2", "zz")),
        replace(claim("b", "p1", "p2")),
        replace(claim("c", "zz")),
    ]
    numbered, refs = number_citations(claims, RETRIEVED)
    assert [c.citations for c in numbered] == [(1,), (2, 1)]
    assert [(r.number, r.passage.id) for r in refs] == [(1, "p2"), (2, "p1")]

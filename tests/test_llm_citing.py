"""Citations assigned by code: a fake model that cites the wrong passage, or none, or one
that says something else, and what medcite makes of it. The verifier stays the last word."""

from __future__ import annotations

import json

from medcite.llm.citing import assign_citations
from medcite.llm.fake import FakeLLM
from medcite.llm.writer import write_with_llm
from medcite.settings import AnswerSettings, LLMSettings
from medcite.types import Claim, ClaimStatus, DocKind, Document, Hit, Passage, Query
from medcite.verify import Verifier

LABEL = Document("label", "Fluconazole label", DocKind.DRUG_LABEL, "src", "o", "v1")
CASE = Document("case", "A case of valley fever", DocKind.CASE_REPORT, "src", "o", "v1")
TEXTS = (
    (LABEL, "For coccidioidal pneumonia give fluconazole 400 mg once daily."),
    (LABEL, "Check liver enzymes every month during fluconazole treatment."),
    (CASE, "The patient received amphotericin B 0.7 mg/kg daily for two weeks."),
    (CASE, "Itraconazole 200 mg twice daily was given for six months afterwards."),
)
PASSAGES = tuple(Passage(f"p{i}", d, i, t, 0, len(t)) for i, (d, t) in enumerate(TEXTS, 1))
HITS = [Hit(p, 1.0 / p.seq, p.seq) for p in PASSAGES]
QUERY = Query("How is valley fever treated?", "treatment", ())
DOSE, LIVER, AMPHO, ITRA = (t for _, t in TEXTS)


def _claim(text: str, *ids: str) -> Claim:
    return Claim(text, ids, "bottom_line")


def test_a_wrong_citation_is_moved_to_the_passage_that_says_it() -> None:
    claims = [_claim(ITRA, "p1"), _claim(AMPHO, "p4", "p2"), _claim(DOSE)]
    out = assign_citations(claims, PASSAGES, Verifier())
    assert [c.passage_ids for c in out.claims] == [("p4",), ("p3",), ("p1",)]
    assert (out.kept, out.recited, out.unsupported) == (0, 3, 0)
    assert out.citations_dropped == 3
    assert any("re-cited by code" in n for n in out.notes())


def test_a_right_citation_stays_and_a_wrong_companion_is_dropped() -> None:
    out = assign_citations([_claim(DOSE, "p2", "p1")], PASSAGES, Verifier())
    assert out.claims[0].passage_ids == ("p1",)
    assert (out.kept, out.recited, out.citations_dropped) == (1, 0, 1)


def test_a_changed_dose_finds_no_passage_and_the_verifier_removes_it() -> None:
    changed = "For coccidioidal pneumonia give fluconazole 800 mg once daily."
    swapped = "Itraconazole 200 mg twice daily was given for two weeks."  # two passages mixed
    out = assign_citations([_claim(changed, "p1"), _claim(swapped, "p4")], PASSAGES, Verifier())
    assert out.unsupported == 2 and out.recited == 0
    assert [c.passage_ids for c in out.claims] == [("p1",), ("p4",)]  # left as proposed
    kept, summary = Verifier().verify(out.claims, {p.id: p for p in PASSAGES})
    assert kept == [] and summary.removed == 2


def test_a_drug_name_decides_between_passages_with_the_same_numbers() -> None:
    a = Passage("a", LABEL, 1, "Give drug fluconazole 200 mg twice daily.", 0, 41)
    b = Passage("b", LABEL, 2, "Give drug itraconazole 200 mg twice daily.", 0, 42)
    claim = _claim("Give drug itraconazole 200 mg twice daily.", "a")
    out = assign_citations([claim], (a, b), Verifier())
    assert out.claims[0].passage_ids == ("b",)


def test_the_llm_writer_reassigns_what_a_careless_model_cites() -> None:
    reply = {
        "bottom_line": [{"text": DOSE, "citations": [3]}],
        "sections": {"first_line": [{"text": ITRA, "citations": [1, 9]}]},
    }
    fake = FakeLLM([json.dumps(reply)])
    written = write_with_llm(
        fake, QUERY, HITS, LLMSettings(), AnswerSettings(), verifier=Verifier()
    )
    assert [c.passage_ids for c in written.claims] == [("p1",), ("p4",)]
    assert any("1 citation number(s) named no evidence passage" in n for n in written.notes)
    assert any("2 claim(s) cited a passage" in n for n in written.notes)
    verified, _ = Verifier().verify(written.claims, {p.id: p for p in PASSAGES})
    assert [c.status for c in verified] == [ClaimStatus.VERIFIED] * 2

"""Certainty per claim from the kinds of its sources, and kind priors in retrieval."""

import pytest

from medcite.answer.certainty import CERTAINTY_BY_KIND, certainty_of, with_certainty
from medcite.retrieve.priors import KIND_PRIORS, apply_kind_priors
from medcite.types import Claim, DocKind, Document, Hit, Passage


def passage(pid: str, kind: DocKind) -> Passage:
    doc = Document(f"d-{pid}", "t", kind, "s", "o", "v")
    return Passage(pid, doc, 0, "text", 0, 4)


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ((DocKind.GUIDELINE,), "high"),
        ((DocKind.DRUG_LABEL,), "high"),
        ((DocKind.SYSTEMATIC_REVIEW,), "moderate"),
        ((DocKind.TRIAL,), "moderate"),
        ((DocKind.PATIENT_EDUCATION,), "moderate"),
        ((DocKind.OBSERVATIONAL,), "low"),
        ((DocKind.CASE_REPORT,), "low"),
        ((DocKind.OTHER,), "low"),
        ((DocKind.CASE_REPORT, DocKind.DRUG_LABEL), "high"),
        ((DocKind.CASE_REPORT, DocKind.TRIAL), "moderate"),
        ((), None),
    ],
)
def test_the_best_supporting_kind_decides(kinds: tuple[DocKind, ...], expected: str) -> None:
    assert certainty_of(kinds) == expected


def test_every_kind_has_a_certainty_and_a_prior() -> None:
    assert set(CERTAINTY_BY_KIND) == set(DocKind) == set(KIND_PRIORS)


def test_claims_get_the_certainty_of_the_passages_they_cite() -> None:
    passages = {
        "a": passage("a", DocKind.CASE_REPORT),
        "b": passage("b", DocKind.GUIDELINE),
    }
    claims = [Claim("x", ("a",), "s"), Claim("y", ("a", "b"), "s"), Claim("z", ("gone",), "s")]
    assert [c.certainty for c in with_certainty(claims, passages)] == ["low", "high", None]


def test_for_equal_relevance_a_label_outranks_a_case_report() -> None:
    hits = [
        Hit(passage("case", DocKind.CASE_REPORT), 5.0, 1, {"lexical": 5.0}),
        Hit(passage("label", DocKind.DRUG_LABEL), 5.0, 2, {"lexical": 5.0}),
        Hit(passage("strong", DocKind.CASE_REPORT), 9.0, 3, {"lexical": 9.0}),
    ]
    ranked = apply_kind_priors(hits)
    assert [h.passage.id for h in ranked] == ["strong", "label", "case"]
    assert [h.rank for h in ranked] == [1, 2, 3]
    assert ranked[0].scores == {"lexical": 9.0, "kind_prior": 0.9}
    assert min(KIND_PRIORS.values()) >= 0.9  # a prior breaks near-ties, never buries relevance

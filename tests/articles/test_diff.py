"""Claim-level differences between two versions."""

from __future__ import annotations

from medcite.articles.diff import diff_answers

from .support import make_answer_json

OLD = {
    "bottom_line": [("Brindle syndrome affects the skin and the heart.", ["p1"])],
    "first_line": [
        ("Beta blockers are often used first.", ["p2"]),
        ("An electrocardiogram every 12 months is recommended.", ["p3"]),
        ("Surgery is rarely needed.", ["p4"]),
    ],
}
NEW = {
    "bottom_line": [("Brindle syndrome affects the skin and the heart.", ["p1", "p5"])],
    "first_line": [
        ("Beta blockers are often used first.", ["p2"]),
        ("An electrocardiogram every 6 months is recommended.", ["p3"]),
        ("Pacemakers help some people with slow heart rhythms.", ["p6"]),
    ],
    "monitoring": [("Check the heart rhythm yearly.", ["p7"])],
}


def test_added_removed_and_changed_claims() -> None:
    diff = diff_answers(make_answer_json(OLD), make_answer_json(NEW), 1, 2)
    kinds = [(c.kind, c.section_key) for c in diff.changes]
    assert kinds == [
        ("changed", "bottom_line"),  # same text, one more citation
        ("unchanged", "first_line"),
        ("changed", "first_line"),  # 12 -> 6 months
        ("removed", "first_line"),
        ("added", "first_line"),
        ("added", "monitoring"),
    ]
    bottom, _, ecg, surgery, pacemaker, _ = diff.changes
    assert bottom.citations_added == ("p5",) and bottom.citations_removed == ()
    assert ("delete", "12") in ecg.words and ("insert", "6") in ecg.words
    assert surgery.old is not None and surgery.old.text == "Surgery is rarely needed."
    assert pacemaker.new is not None and pacemaker.new.passages == ("p6",)
    assert (diff.count("added"), diff.count("removed"), diff.count("changed")) == (2, 1, 2)


def test_a_removed_section_and_identical_versions() -> None:
    diff = diff_answers(make_answer_json(NEW), make_answer_json(OLD), 2, 1)
    assert ("removed", "monitoring") in [(c.kind, c.section_key) for c in diff.changes]
    same = diff_answers(make_answer_json(OLD), make_answer_json(OLD), 1, 1)
    assert {c.kind for c in same.changes} == {"unchanged"}

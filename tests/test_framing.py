"""Framing by evidence kind, the evidence-gap line and table rows as candidates."""

from __future__ import annotations

from dataclasses import replace

from medcite.answer.candidates import candidates
from medcite.answer.evidence import matchers
from medcite.answer.extractive import Ranked
from medcite.answer.framing import described_patients, frame, placed
from medcite.answer.gaps import evidence_gaps
from medcite.answer.scorer import load_scorer, score
from medcite.types import (
    Concept,
    DocKind,
    Document,
    Hit,
    Passage,
    PassageKind,
    Query,
)


def passage(text: str, kind: DocKind, *, section: str | None = None, seq: int = 0) -> Passage:
    doc = Document(f"d-{kind}", f"A {kind.label}", kind, "s", "o", "v")
    pkind = PassageKind.TABLE if "|" in text else PassageKind.TEXT
    return Passage(f"p-{kind}-{seq}", doc, seq, text, 0, len(text), section, pkind)


def test_a_case_report_never_stands_under_a_recommending_heading() -> None:
    assert placed("first_line", DocKind.CASE_REPORT) == "case_evidence"
    assert placed("dosing", DocKind.OTHER) == "case_evidence"
    # research of unknown kind (often laboratory or animal work) says nothing about caring
    # for this patient; a case report may (framed as one)
    assert placed("special", DocKind.OTHER) == "case_evidence"
    assert placed("special", DocKind.CASE_REPORT) == "special"
    assert placed("first_line", DocKind.PATIENT_EDUCATION) == "described"
    assert placed("first_line", DocKind.DRUG_LABEL) == "first_line"
    assert placed("symptoms", DocKind.CASE_REPORT) == "symptoms"  # a report is not advice here


def test_reports_are_framed_with_the_patient_they_describe() -> None:
    first = passage("A 44-year-old woman was admitted with fever.", DocKind.CASE_REPORT)
    later = passage("We commenced ruxolitinib (15 mg, twice daily).", DocKind.CASE_REPORT, seq=3)
    patients = described_patients([later, first])
    assert frame(later, patients) == "Case report, a 44-year-old woman"
    label = passage("Take 20 mg once daily.", DocKind.DRUG_LABEL)
    assert frame(label, patients) is None


def test_a_sentence_that_points_back_is_framed_with_its_topic() -> None:
    p = passage("The condition is the most common cause of it.", DocKind.PATIENT_EDUCATION)
    assert frame(p, {}, p.text) == p.document.title


def _query(aspects: tuple[str, ...]) -> Query:
    concept = Concept("zorbitol", ("zorbitol",), 5.0)
    return Query("q", "treatment", (concept,), aspects=aspects)


def _ranked(query: Query, passages: list[Passage]) -> Ranked:
    hits = [Hit(p, 1.0, i) for i, p in enumerate(passages, start=1)]
    scored = score(load_scorer(), candidates(query, hits, matchers(query)))
    return Ranked([[c] for c in sorted(scored, key=lambda c: -c.score)])


def test_the_gap_line_says_no_label_or_guideline_addresses_what_to_do() -> None:
    query = _query(("dose",))
    report = passage(
        "We gave zorbitol 20 mg twice daily to the patient for two weeks.", DocKind.CASE_REPORT
    )
    gaps = evidence_gaps(query, _ranked(query, [report]))
    assert len(gaps) == 1
    assert gaps[0].startswith("No guideline or drug label among the retrieved sources")
    assert "dosing for zorbitol" in gaps[0] and "1 case report" in gaps[0]


def test_no_gap_line_when_a_label_states_it() -> None:
    query = _query(("dose",))
    label = passage(
        "The recommended dose of zorbitol is 20 mg once daily.",
        DocKind.DRUG_LABEL,
        section="Dosage & Administration",
    )
    assert evidence_gaps(query, _ranked(query, [label])) == ()


def test_table_rows_are_candidates_with_their_header() -> None:
    table = passage(
        "Weight | Dose\n15 kg to <30 kg | 20 mg every other week\n≥30 kg | 40 mg every other week",
        DocKind.DRUG_LABEL,
        section="Dosage & Administration — Zorbitol",
    )
    query = _query(("dose",))
    rows = candidates(query, [Hit(table, 1.0, 1)], matchers(query))
    texts = [c.text for c in rows]
    assert texts[0] == "Weight | Dose\n15 kg to <30 kg | 20 mg every other week"
    assert texts[1] == "≥30 kg | 40 mg every other week"
    assert all(table.text[c.start : c.end] == c.text for c in rows)
    assert all(c.features["table"] == 1.0 for c in rows)


def test_a_caption_over_column_names_is_not_a_row() -> None:
    """ "Table 1." numbers the table: a caption with the column names under it states no
    value, while a row of the next table does."""
    header_only = passage(
        "Table 1. Drug Interactions With Zorbitol\nInteracting Agents | Recommendations",
        DocKind.DRUG_LABEL,
        section="Drug Interactions",
    )
    with_rows = passage(
        "Table 2. Doses\nWeight | Dose\n≥30 kg | 40 mg every other week",
        DocKind.DRUG_LABEL,
        section="Dosage & Administration — Zorbitol",
    )
    query = _query(("dose",))
    hits = [Hit(header_only, 1.0, 1), Hit(with_rows, 0.9, 2)]
    texts = [c.text for c in candidates(query, hits, matchers(query))]
    assert not [t for t in texts if "Interacting Agents" in t]
    assert [t for t in texts if "40 mg every other week" in t]


def test_a_label_list_item_is_framed_by_the_heading_it_completes() -> None:
    item = passage(
        "in a child under 4 years of age\n\nin a child who is taking a prescription zorbitol "
        "inhibitor, or for 2 weeks after stopping it.",
        DocKind.DRUG_LABEL,
        section="Warnings — Do not use",
    )
    query = _query(("contraindication",))
    found = candidates(query, [Hit(item, 1.0, 1)], matchers(query))
    assert {c.lead_in for c in found} == {"Do not use"}
    stray = passage("in a sentence cut from its start by a page break.", DocKind.OTHER)
    assert candidates(query, [Hit(stray, 1.0, 1)], matchers(query)) == []


def test_the_bottom_line_keeps_the_sources_reading_order_and_sections_follow_aspects() -> None:
    from medcite.answer.extractive import write_claims
    from medcite.settings import AnswerSettings

    text = (
        "If you miss a dose of zorbitol, take it as soon as you remember. Do not take zorbitol "
        "if it has been more than 12 hours since you missed your last dose. Do not take 2 "
        "doses of zorbitol at the same time."
    )
    label = passage(text, DocKind.DRUG_LABEL, section="SPL Patient Package Insert")
    query = _query(("missed_dose",))
    claims = write_claims(query, _ranked(query, [label]), AnswerSettings())
    bottom = [c for c in claims if c.section == "bottom_line"]
    assert [text.index(c.text) for c in bottom] == sorted(text.index(c.text) for c in bottom)
    assert all(c.section in {"bottom_line", "bottom_line_reserve", "dosing"} for c in claims)


def test_a_question_naming_no_subject_is_answered_with_each_sources_topic() -> None:
    p = passage("Pupil of the eye appears white instead of red in photographs.", DocKind.OTHER)
    assert frame(p, {}, p.text, unnamed=True) is not None
    page = passage("Pupil of the eye appears white instead of red.", DocKind.PATIENT_EDUCATION)
    assert frame(page, {}, page.text, unnamed=True) == page.document.title
    assert frame(page, {}, page.text) is None


def test_each_part_of_a_question_gets_its_statement_in_the_bottom_line() -> None:
    from dataclasses import replace as _replace

    from medcite.answer.extractive import write_claims
    from medcite.settings import AnswerSettings
    from medcite.understand.parts import question_parts

    text = (
        "The outlook for zorbitol palsy is generally very good. Most people recover some "
        "facial movement within 2 weeks and fully within 3 to 6 months. Zorbitol palsy "
        "affects the face."
    )
    doc = Document(
        "o", "What is the outlook for zorbitol?", DocKind.PATIENT_EDUCATION, "s", "o", "v"
    )
    page = Passage("o1", doc, 0, text, 0, len(text), "Outlook")
    question = "Will her face go back to normal, and how long does that usually take?"
    query = _replace(
        _query(("prognosis", "duration")), question=question, parts=question_parts(question)
    )
    bottom = [
        c.text
        for c in write_claims(query, _ranked(query, [page]), AnswerSettings())
        if c.section == "bottom_line"
    ]
    assert any("within 2 weeks" in t for t in bottom)


def test_a_fuller_statement_of_the_same_fact_leads_its_group() -> None:
    from medcite.answer.extractive import _dedupe

    short = passage("Zorbitol cancer can usually be cured.", DocKind.PATIENT_EDUCATION)
    full = passage(
        "Zorbitol cancer can usually be cured, even in late stages of the disease.",
        DocKind.PATIENT_EDUCATION,
        seq=1,
    )
    query = _query(("prognosis",))
    found = score(load_scorer(), candidates(query, [Hit(short, 1.0, 1)], matchers(query)))
    found += score(load_scorer(), candidates(query, [Hit(full, 1.0, 2)], matchers(query)))
    from dataclasses import replace as _replace

    found = [_replace(c, score=0.9 if c.passage is short else 0.8) for c in found]
    (group,) = _dedupe(found, 0.75)
    assert group[0].text.endswith("late stages of the disease.")


def test_for_a_patient_the_gap_line_does_not_ask_for_a_guideline() -> None:
    from dataclasses import replace as _replace

    from medcite.types import Audience

    page = passage(
        "To prevent zorbitol lung damage, stop smoking and avoid lung irritants.",
        DocKind.PATIENT_EDUCATION,
        section="Prevention",
    )
    clinician = _query(("prevention",))
    patient = _replace(clinician, audience=Audience.PATIENT)
    assert evidence_gaps(clinician, _ranked(clinician, [page]))
    assert evidence_gaps(patient, _ranked(patient, [page])) == ()


def test_a_statement_listed_under_a_clause_keeps_the_clause() -> None:
    text = (
        "Change the litter box daily if you own a cat. If you are pregnant:\n\n"
        "Avoid changing cat litter if possible and wear gloves."
    )
    page = passage(text, DocKind.PATIENT_EDUCATION, section="Prevention")
    query = _query(("pregnancy",))
    found = {c.text: c.lead_in for c in candidates(query, [Hit(page, 1.0, 1)], matchers(query))}
    assert found["Avoid changing cat litter if possible and wear gloves."] == "If you are pregnant"
    assert found["Change the litter box daily if you own a cat."] is None


def test_a_dose_from_a_source_about_part_of_the_subject_is_framed_with_its_topic() -> None:
    from medcite.answer.extractive import write_claims
    from medcite.settings import AnswerSettings

    drug = Concept("zorbitol", ("zorbitol",), 5.0)
    condition = Concept("ear infection", ("ear infection",), 5.0)
    query = Query("q", "treatment", (drug, condition), aspects=("dose",))
    label = passage("The recommended dose of zorbitol is 20 mg once daily.", DocKind.DRUG_LABEL)
    claims = write_claims(query, _ranked(query, [label]), AnswerSettings())
    lead = next(c for c in claims if c.section == "bottom_line")
    assert lead.frame == "A Drug label"  # the label's topic, not the ear infection asked


def test_near_ties_are_reordered_without_losing_or_repeating_a_statement() -> None:
    from medcite.answer.bottom_line import _near_ties_first

    docs = [
        passage(f"Statement {i} is about zorbitol and its use.", DocKind.OTHER, seq=i)
        for i in range(4)
    ]
    query = _query(())
    cands = candidates(query, [Hit(p, 1.0, i + 1) for i, p in enumerate(docs)], matchers(query))
    scores = [0.5, 1.0, 0.9, 0.2]  # not sorted: as after another reordering
    groups = [[replace(c, score=s)] for c, s in zip(cands, scores, strict=True)]
    out = _near_ties_first(groups, lambda c: -c.passage.seq)
    assert [g[0].score for g in out] == [0.9, 1.0, 0.5, 0.2]

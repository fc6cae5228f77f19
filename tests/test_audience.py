"""The audience switch in the library: patient-education first, short sentences, dose notes."""

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from medcite.audience import (
    PATIENT_DOSE_NOTE,
    SHORT_SENTENCE_WORDS,
    frame_for_audience,
    mentions_dose,
    prefer_for_audience,
    sentence_length_factor,
)
from medcite.engine import Engine
from medcite.render import markdown
from medcite.settings import AudienceSettings, Settings
from medcite.types import Answer, Audience, DocKind, Document, Hit, Passage

from .web_support import FIRST_QUESTION, ingest_cmv_corpus


@pytest.fixture
def engine(settings: Settings, tmp_path: Path) -> Iterator[Engine]:
    ingest_cmv_corpus(settings, tmp_path / "cmv")
    engine = Engine(settings)
    yield engine
    engine.close()


def _hit(doc_id: str, kind: DocKind, score: float, rank: int) -> Hit:
    doc = Document(doc_id, doc_id, kind, "src", "origin", "v1")
    return Hit(Passage(f"p-{doc_id}", doc, 0, "text", 0, 4), score, rank, {"lexical": score})


def test_patient_prior_brings_patient_education_forward() -> None:
    hits = [
        _hit("case", DocKind.CASE_REPORT, 10.0, 1),
        _hit("label", DocKind.DRUG_LABEL, 9.0, 2),
        _hit("page", DocKind.PATIENT_EDUCATION, 7.0, 3),
    ]
    cfg = AudienceSettings(patient_education_boost=1.6)
    clinician = prefer_for_audience(hits, Audience.CLINICIAN, cfg, 3)
    patient = prefer_for_audience(hits, Audience.PATIENT, cfg, 2)
    assert [h.passage.document.id for h in clinician] == ["case", "label", "page"]
    assert [h.passage.document.id for h in patient] == ["page", "case"]
    assert [h.rank for h in patient] == [1, 2]
    assert patient[0].scores["audience_prior"] == 1.6
    assert patient[0].score == pytest.approx(11.2)


def test_patients_prefer_shorter_sentences() -> None:
    assert sentence_length_factor(Audience.CLINICIAN, 60) == 1.0
    assert sentence_length_factor(Audience.PATIENT, SHORT_SENTENCE_WORDS) == 1.0
    longer = sentence_length_factor(Audience.PATIENT, SHORT_SENTENCE_WORDS + 10)
    longest = sentence_length_factor(Audience.PATIENT, SHORT_SENTENCE_WORDS + 40)
    assert 1.0 > longer > longest > 0


@pytest.mark.parametrize(
    ("sentence", "dose"),
    [
        ("Ganciclovir was started at 5 mg/kg every 12 hours.", True),
        ("Take one tablet twice a day with food.", True),
        ("Fluconazole (400 mg once daily) was given.", True),
        ("The ganciclovir dose was reduced because of renal impairment.", True),
        ("Her serum creatinine rose to 2.1 mg/dL.", False),
        ("Most people with CMV have no symptoms.", False),
        ("The heart problems appear in 2 of 3 children.", False),
    ],
)
def test_dose_detection(sentence: str, dose: bool) -> None:
    assert mentions_dose(sentence) is dose


def test_patients_get_patient_pages_first_and_no_regimens_from_case_reports(
    engine: Engine,
) -> None:
    clinician = engine.ask(FIRST_QUESTION, audience=Audience.CLINICIAN)
    patient = engine.ask(FIRST_QUESTION, audience=Audience.PATIENT)
    assert not clinician.abstained and not patient.abstained

    def kind(claim_passage: str) -> DocKind:
        return engine.library.store.passage(claim_passage).document.kind

    assert {kind(c.passage_ids[0]) for c in patient.bottom_line} == {DocKind.PATIENT_EDUCATION}
    # The case report's regimen reaches the clinician, framed as a case report and never
    # under a heading that recommends; the patient never sees it.
    regimen = [c for c in clinician.claims if "5 mg/kg" in c.text]
    assert all(
        c.section == "case_evidence" and (c.frame or "").startswith("Case report") for c in regimen
    )
    assert not any(
        mentions_dose(c.text) and kind(c.passage_ids[0]) == DocKind.CASE_REPORT
        for c in patient.claims
    )
    assert "> Note:" not in markdown(clinician)


def test_both_audiences_cite_every_statement_the_same_way(engine: Engine) -> None:
    for audience in Audience:
        answer = engine.ask(FIRST_QUESTION, audience=audience)
        numbers = {r.number for r in answer.references}
        assert answer.audience == audience
        for claim in answer.claims:
            assert claim.citations and set(claim.citations) <= numbers
            for support in claim.support:
                stored = engine.library.store.passage(support.passage_id)
                assert stored.text[support.start : support.end] == support.quote


def test_frame_leaves_quotes_alone_and_clinician_answers_untouched(engine: Engine) -> None:
    answer = engine.ask(FIRST_QUESTION, audience=Audience.CLINICIAN)
    assert frame_for_audience(answer) is answer
    as_patient: Answer = replace(answer, audience=Audience.PATIENT)
    framed = frame_for_audience(as_patient)
    assert [c.text for c in framed.claims] == [c.text for c in answer.claims]
    if any(mentions_dose(c.text) for c in answer.bottom_line):
        assert framed.notes == (PATIENT_DOSE_NOTE,)
    assert any(s.note == PATIENT_DOSE_NOTE for s in framed.sections) or framed.notes

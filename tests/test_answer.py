"""Asking questions end to end on the small test corpus."""

import re

import pytest

from medcite.answer.compose import ABSTENTION
from medcite.engine import Engine
from medcite.errors import EmptyIndex, MedciteError
from medcite.index import Library
from medcite.settings import Settings
from medcite.types import Answer, ClaimStatus, DocKind


@pytest.fixture
def engine(library: Library, settings: Settings) -> Engine:
    library.close()
    return Engine(settings)


def assert_every_claim_is_quoted_from_a_stored_passage(answer: Answer, engine: Engine) -> None:
    numbers = {r.number: r for r in answer.references}
    assert answer.claims, "expected an answer with claims"
    for claim in answer.claims:
        assert claim.citations, claim
        assert claim.status == ClaimStatus.VERIFIED
        for n in claim.citations:
            cited = [p for p in numbers[n].passages if p.id in claim.passage_ids]
            assert cited, (n, claim)  # each number names a document the claim quotes
            for passage in cited:
                stored = engine.library.store.passage(passage.id)  # a stored passage
                normalized = re.sub(r"\s+", " ", stored.text)
                assert re.sub(r"\s+", " ", claim.text) in normalized
    cited_numbers = {n for c in answer.claims for n in c.citations}
    assert cited_numbers == set(numbers)  # no reference that nothing cites
    documents = [r.document.id for r in answer.references]
    assert len(documents) == len(set(documents))  # one reference per document


def test_symptoms_question_gets_a_symptoms_section(engine: Engine) -> None:
    answer = engine.ask("What are the symptoms of Brindle syndrome?")
    assert not answer.abstained
    assert answer.question_type == "symptoms"
    assert answer.sections[0].key == "symptoms" or any(
        "symptom" in c.text.lower() for c in answer.bottom_line
    )
    assert_every_claim_is_quoted_from_a_stored_passage(answer, engine)
    kinds = {r.document.kind for r in answer.references}
    assert kinds == {DocKind.PATIENT_EDUCATION}


def test_the_same_sentence_in_two_sources_is_one_bullet_citing_both(engine: Engine) -> None:
    answer = engine.ask("What are the symptoms of Brindle syndrome?")
    bullets = [c for c in answer.claims if c.text.startswith("Signs and symptoms of Brindle")]
    assert len(bullets) == 1
    assert len(bullets[0].citations) == 2
    sources = {answer.references[n - 1].document.source for n in bullets[0].citations}
    assert len(sources) == 2


def test_treatment_question_from_a_case_report(engine: Engine) -> None:
    answer = engine.ask("How is valley fever treated with fluconazole?")
    assert not answer.abstained
    assert answer.question_type == "treatment"
    assert_every_claim_is_quoted_from_a_stored_passage(answer, engine)
    assert any(r.document.kind == DocKind.CASE_REPORT for r in answer.references)
    assert any("400 mg once daily" in c.text for c in answer.claims)


def test_nonsense_question_abstains_with_the_fixed_sentence(engine: Engine) -> None:
    answer = engine.ask("What is the dose of zorblaxin for quantum flu?")
    assert answer.abstained
    assert answer.abstention is not None and answer.abstention.startswith(ABSTENTION)
    assert "zorblaxin" in answer.abstention
    assert not answer.claims and not answer.references


def test_answer_records_disclaimer_date_timings_and_settings_hash(
    engine: Engine, settings: Settings
) -> None:
    answer = engine.ask("What is Brindle syndrome?")
    assert answer.disclaimer
    assert answer.generated_at.tzinfo is not None
    assert {"understand", "retrieve", "write", "verify"} <= set(answer.timings)
    assert answer.settings_hash == settings.fingerprint()
    assert answer.review_status == "unreviewed"


def test_empty_library_and_bad_questions_raise_clear_errors(settings: Settings) -> None:
    engine = Engine(settings)
    with pytest.raises(EmptyIndex, match="medcite ingest"):
        engine.ask("What is gout?")
    with pytest.raises(MedciteError, match="empty"):
        engine.ask("   ")
    with pytest.raises(MedciteError, match="longer than"):
        engine.ask("x" * 5000)


def test_python_api(library: Library, settings: Settings) -> None:
    import medcite

    answer = medcite.ask("What is Brindle syndrome?", settings=settings)
    assert "Brindle syndrome is a rare genetic disorder" in answer.bottom_line[0].text

"""The issue's acceptance checks, on the real default corpus read from ../shared (~10 s)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.answer.certainty import certainty_of
from medcite.engine import Engine
from medcite.index import Library
from medcite.ingest.kinds import classify_kind
from medcite.ingest.pipeline import ingest
from medcite.settings import SAMPLE_QUESTION, load_settings
from medcite.sources.base import SourceFile
from medcite.sources.registry import reader_for
from medcite.types import Answer, DocKind

from .conftest import SHARED

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SHARED / "data").exists(), reason="../shared data not present"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    settings = load_settings(home=tmp_path_factory.mktemp("home"), corpus={"root": SHARED})
    library = Library(settings)
    for source in settings.corpus.resolved():
        report = ingest([source.path], library, kind=source.kind)
        assert report.count("failed") == 0, report.outcomes
    library.close()
    engine = Engine(settings)
    yield engine
    engine.close()


def check_citations(answer: Answer, engine: Engine) -> None:
    """Every [n] resolves to stored passages of its document that contain the bullet."""
    refs = {r.number: r for r in answer.references}
    assert len({r.document.id for r in answer.references}) == len(refs)  # one per document
    for claim in answer.claims:
        assert claim.citations
        for n in claim.citations:
            cited = [p.id for p in refs[n].passages if p.id in claim.passage_ids]
            assert cited
            for pid in cited:
                stored = engine.library.store.passage(pid)
                assert " ".join(claim.text.split()) in " ".join(stored.text.split())


def test_seed_question_cites_the_case_report(engine: Engine) -> None:
    answer = engine.ask(SAMPLE_QUESTION)
    assert not answer.abstained
    check_citations(answer, engine)
    kinds = [r.document.kind for r in answer.references]
    assert kinds.count(DocKind.CASE_REPORT) == 1  # the case report is one reference
    text = " ".join(c.text for c in answer.claims)
    assert re.search(r"ruxolitinib", text, re.I)


def test_noonan_symptoms_from_medquad(engine: Engine) -> None:
    answer = engine.ask("What are the symptoms of Noonan syndrome?")
    assert not answer.abstained
    check_citations(answer, engine)
    assert any(s.key == "symptoms" for s in answer.sections)
    sources = {r.document.extra.get("publisher_code") for r in answer.references}
    assert sources & {"GARD", "GHR"}
    assert all("Noonan-like" not in r.document.title for r in answer.references)


def test_nonsense_abstains(engine: Engine) -> None:
    answer = engine.ask("What is the dose of zorblaxin for quantum flu?")
    assert answer.abstained and not answer.claims


def test_drug_label_question_cites_the_label(engine: Engine) -> None:
    answer = engine.ask("What are the side effects of Lipitor?")
    assert not answer.abstained
    check_citations(answer, engine)
    labels = [r for r in answer.references if r.document.kind == DocKind.DRUG_LABEL]
    assert labels and all(r.document.date is not None for r in labels)
    # The repackager's Lipitor label is a version of Pfizer's: one reference, the newest.
    assert len([r for r in labels if "lipitor" in r.document.title.lower()]) == 1


def test_case_report_is_ingested_as_one_clean_document(engine: Engine) -> None:
    store = engine.library.store
    seed = [
        p
        for p in store.passages_of(store.document_ids())
        if Path(p.document.origin).name == "004_9451d828407b2fcc.txt"
    ]
    assert seed and all(p.document.kind == DocKind.CASE_REPORT for p in seed)
    assert sum(p.kind.value == "table" for p in seed) == 1
    assert sum(p.kind.value == "caption" for p in seed) == 3
    assert not any("\u2010" in p.text for p in seed)


def test_shared_sources_come_out_as_their_kinds_without_being_told() -> None:
    """The case report seed, MedQuAD and the SPL labels, classified with no --kind."""
    files = [
        (SHARED / "seeds" / "004_9451d828407b2fcc.txt", {DocKind.CASE_REPORT}),
        (SHARED / "data/corpus/medquad/medquad.jsonl", {DocKind.PATIENT_EDUCATION}),
        *((p, {DocKind.DRUG_LABEL}) for p in sorted(SHARED.glob("data/corpus/fda-labels/*.xml"))),
    ]
    for path, expected in files:
        data = path.read_bytes()
        reader = reader_for(path, data[:4096])
        kinds: set[DocKind] = set()
        for n, parsed in enumerate(reader.read(SourceFile(path, data))):
            kinds.add(classify_kind(parsed))
            if n == 200:
                break
        assert kinds == expected, path.name


def test_seed_answer_states_the_unit_gap_and_rates_each_claim(engine: Engine) -> None:
    answer = engine.ask(SAMPLE_QUESTION)
    assert answer.assumptions[0].startswith("CMV PCR 1700 — the unit was not given")
    assert answer.context.drugs[0].generic == "ruxolitinib"
    for claim in answer.claims:
        kinds = [engine.library.store.passage(pid).document.kind for pid in claim.passage_ids]
        assert claim.certainty == certainty_of(kinds)
    case_claims = [c for c in answer.claims if c.certainty == "low"]
    assert case_claims  # the case report is cited, and rated low

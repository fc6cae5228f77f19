"""The LLM backends by name; the built-in ones register here like any other would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from medcite.errors import ConfigError
from medcite.llm.base import LLM
from medcite.llm.fake import FakeLLM
from medcite.llm.local import LocalModel
from medcite.llm.openai_compat import OpenAICompatible
from medcite.settings import LLMSettings

LLM_BACKENDS: dict[str, Callable[[LLMSettings], LLM]] = {
    OpenAICompatible.name: OpenAICompatible.from_settings,
    LocalModel.name: LocalModel.from_settings,
    "llamacpp": LocalModel.from_settings,  # the earlier name of the local backend
    FakeLLM.name: FakeLLM.from_settings,
}


def open_llm(cfg: LLMSettings, models_dir: Path | None = None) -> LLM | None:
    """The configured backend, or None for the extractive writer (`llm.backend = "none"`).

    `models_dir` (the data directory's, `Settings.models_dir`) is where a local backend finds
    joined and downloaded models when `llm.models_dir` is not set."""
    if cfg.backend == "none":
        return None
    try:
        factory = LLM_BACKENDS[cfg.backend]
    except KeyError:
        known = ", ".join(["none", *sorted(LLM_BACKENDS)])
        raise ConfigError(f"unknown LLM backend {cfg.backend!r}; choose one of: {known}") from None
    if cfg.models_dir is None and models_dir is not None:
        cfg = cfg.model_copy(update={"models_dir": models_dir})
    return factory(cfg)

"""The LLM backends by name; the built-in ones register here like any other would."""

from __future__ import annotations

from collections.abc import Callable

from medcite.errors import ConfigError
from medcite.llm.base import LLM
from medcite.llm.fake import FakeLLM
from medcite.llm.llamacpp import LlamaCpp
from medcite.llm.openai_compat import OpenAICompatible
from medcite.settings import LLMSettings

LLM_BACKENDS: dict[str, Callable[[LLMSettings], LLM]] = {
    OpenAICompatible.name: OpenAICompatible.from_settings,
    LlamaCpp.name: LlamaCpp.from_settings,
    FakeLLM.name: FakeLLM.from_settings,
}


def open_llm(cfg: LLMSettings) -> LLM | None:
    """The configured backend, or None for the extractive writer (`llm.backend = "none"`)."""
    if cfg.backend == "none":
        return None
    try:
        factory = LLM_BACKENDS[cfg.backend]
    except KeyError:
        known = ", ".join(["none", *sorted(LLM_BACKENDS)])
        raise ConfigError(f"unknown LLM backend {cfg.backend!r}; choose one of: {known}") from None
    return factory(cfg)

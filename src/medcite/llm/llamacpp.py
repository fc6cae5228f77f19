"""A local GGUF model run in process by llama-cpp-python (extra `medcite[local-llm]`).

llama-cpp-python is built from source when installed (minutes on a small machine); it is
imported only when this backend is chosen. Requests never leave the machine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from medcite.errors import ConfigError, LLMError, MissingExtra
from medcite.llm.base import LLM, Completion, Message, OnText
from medcite.settings import LLMSettings


class LlamaCpp(LLM):
    name = "llamacpp"
    supports_json = True
    is_local = True

    def __init__(
        self,
        model_path: Path | None,
        *,
        context_window: int = 8192,
        max_tokens: int = 1024,
        temperature: float = 0.0,
    ) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise MissingExtra(
                "the llamacpp LLM backend (llm.backend = llamacpp)", "local-llm"
            ) from exc
        if model_path is None:
            raise ConfigError("the llamacpp LLM backend needs llm.model_path: a GGUF model file")
        path = model_path.expanduser()
        if not path.is_file():
            raise ConfigError(f"llm.model_path: no GGUF model file at {path}")
        try:
            self._llama = Llama(model_path=str(path), n_ctx=context_window, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ConfigError(f"llm.model_path: cannot load {path} ({exc})") from exc
        self.model = path.name
        self.context_window, self.max_tokens, self.temperature = (
            context_window,
            max_tokens,
            temperature,
        )

    @classmethod
    def from_settings(cls, cfg: LLMSettings) -> LlamaCpp:
        return cls(
            cfg.model_path,
            context_window=cfg.context_window,
            max_tokens=cfg.max_tokens,
            temperature=cfg.temperature,
        )

    def close(self) -> None:
        self._llama.close()

    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        stream: bool = False,
        on_text: OnText | None = None,
    ) -> Completion:
        kwargs: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        if json_schema is not None:  # enforced by a grammar built from the schema
            kwargs["response_format"] = {"type": "json_object", "schema": dict(json_schema)}
        try:
            if stream:
                return self._assemble(
                    self._llama.create_chat_completion(**kwargs, stream=True), on_text
                )
            out = self._llama.create_chat_completion(**kwargs)
        except (ValueError, RuntimeError) as exc:  # e.g. a prompt longer than n_ctx
            raise LLMError(f"the local model failed ({exc})") from None
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        return Completion(
            text=choice["message"].get("content") or "",
            model=self.model,
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
        )

    def _assemble(self, chunks: Iterable[Any], on_text: OnText | None) -> Completion:
        parts: list[str] = []
        finish: str | None = None
        for chunk in chunks:
            for choice in chunk["choices"]:
                if text := choice["delta"].get("content"):
                    parts.append(text)
                    if on_text is not None:
                        on_text(text)
                finish = choice.get("finish_reason") or finish
        return Completion("".join(parts), self.model, finish)

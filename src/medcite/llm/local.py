"""A local GGUF model run in process by llama.cpp (extra `medcite[local-llm]`: xllamacpp).

xllamacpp is a prebuilt wheel (no compiler needed) that runs llama.cpp's own server inside
this process. It is started on the first request, bound to 127.0.0.1 on a free port with a
random access token, and reused until `close()`; requests go through the same
OpenAI-compatible client as any endpoint, with the reply constrained to the answer's JSON
schema. Requests never leave the machine. A timed-out generation is not retried: the machine
that was too slow once would be as slow again.

Several processes share one loaded model (`medcite serve --workers N`): the parent starts it
(`LocalModel.endpoint()`) and each worker reaches it as a `SharedLocalModel`, given the
loopback address and token privately (through its environment).
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from medcite.errors import ConfigError, LLMError, MissingExtra
from medcite.llm.base import LLM, Completion, Message, OnText
from medcite.llm.models import resolve_model_path
from medcite.llm.openai_compat import OpenAICompatible, is_loopback_url
from medcite.settings import LLMSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LocalEndpoint:
    """Where a started local model listens: its loopback URL, access token and name."""

    base_url: str
    token: str = field(repr=False)
    model: str


def _xllamacpp() -> Any:
    """The xllamacpp module, imported only when the local backend is chosen."""
    try:
        import xllamacpp
    except ImportError as exc:
        raise MissingExtra("the local LLM backend (llm.backend = local)", "local-llm") from exc
    return xllamacpp


class _LoopbackModel(LLM):
    """A llama.cpp server on this machine, asked through the OpenAI-compatible client."""

    name = "local"
    supports_json = True
    is_local = True
    model: str

    @abstractmethod
    def _loopback(self) -> OpenAICompatible:
        """The client of the running server."""

    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        stream: bool = False,
        on_text: OnText | None = None,
        timeout_s: float | None = None,
    ) -> Completion:
        """The model's reply, its errors naming the model, not the random port."""
        client = self._loopback()
        try:
            reply = client.complete(
                messages,
                json_schema=json_schema,
                stream=stream,
                on_text=on_text,
                timeout_s=timeout_s,
            )
        except LLMError as exc:
            reason = str(exc).removeprefix(f"{client.base_url}: ")
            raise LLMError(f"the local model {self.model}: {reason}") from None
        return replace(reply, model=self.model)


class LocalModel(_LoopbackModel):
    def __init__(
        self,
        model_path: Path,
        *,
        context_window: int = 8192,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        threads: int = 0,
        timeout_s: float = 60.0,
    ) -> None:
        self._xllamacpp = _xllamacpp()
        if not model_path.is_file():
            raise ConfigError(f"llm.model_path: no GGUF model file at {model_path}")
        self.model_path = model_path
        self.model = model_path.stem
        self.context_window, self.max_tokens, self.temperature = (
            context_window,
            max_tokens,
            temperature,
        )
        self.threads = threads or os.cpu_count() or 1
        self.timeout_s = timeout_s
        self._server: Any = None
        self._client: OpenAICompatible | None = None
        self._endpoint: LocalEndpoint | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, cfg: LLMSettings) -> LocalModel:
        """`cfg.models_dir` is filled in by `open_llm` from the data directory."""
        _xllamacpp()  # the missing extra is named before any model is looked for
        models_dir = (cfg.models_dir or Path("~/.medcite/models")).expanduser()
        return cls(
            resolve_model_path(cfg, models_dir),
            context_window=cfg.context_window,
            max_tokens=cfg.max_tokens,
            temperature=cfg.temperature,
            threads=cfg.threads,
            timeout_s=cfg.timeout_s,
        )

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> OpenAICompatible:
        """The client of the running server, starting the server on first use."""
        with self._lock:
            if self._client is None:
                token = secrets.token_urlsafe(24)
                self._server = self._start_server(token)
                address = f"{self._server.listening_address}/v1"
                self._endpoint = LocalEndpoint(address, token, self.model)
                self._client = _loopback_client(
                    self._endpoint,
                    timeout_s=self.timeout_s,
                    max_tokens=self.max_tokens,
                    temperature=self.temperature,
                    context_window=self.context_window,
                )
            return self._client

    def endpoint(self) -> LocalEndpoint:
        """Where other processes reach this model (starting it if needed)."""
        self.start()
        assert self._endpoint is not None  # set by start()
        return self._endpoint

    def _start_server(self, token: str) -> Any:
        params = self._xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.model_alias = self.model
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # a free port
        params.api_keys = [token]
        params.n_ctx = self.context_window
        params.n_parallel = 1
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.verbosity = -1
        try:
            server = self._xllamacpp.Server(params)
        except RuntimeError as exc:
            raise LLMError(
                f"the local model {self.model_path} could not be loaded ({exc}); check that it "
                "is a GGUF file (`medcite models verify`) and that memory is free"
            ) from None
        log.info("local model %s serving on %s", self.model, server.listening_address)
        return server

    def close(self) -> None:
        """Stop the server (dropping the last reference shuts it down and frees the model)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client, self._server, self._endpoint = None, None, None

    def _loopback(self) -> OpenAICompatible:
        return self.start()


class SharedLocalModel(_LoopbackModel):
    """A local model another process runs and shares (`medcite serve --workers N`'s parent),
    reached on loopback with its token: loaded once, however many workers ask it."""

    def __init__(self, endpoint: LocalEndpoint, cfg: LLMSettings) -> None:
        if not is_loopback_url(endpoint.base_url):
            raise ConfigError(
                f"a shared local model must listen on this machine, not {endpoint.base_url}; "
                "start the workers with `medcite serve --workers N`"
            )
        self.model = endpoint.model
        self.context_window = cfg.context_window
        self._client = _loopback_client(
            endpoint,
            timeout_s=cfg.timeout_s,
            max_tokens=cfg.max_tokens,
            temperature=cfg.temperature,
            context_window=cfg.context_window,
        )

    def close(self) -> None:
        self._client.close()

    def _loopback(self) -> OpenAICompatible:
        return self._client


def _loopback_client(
    endpoint: LocalEndpoint,
    *,
    timeout_s: float,
    max_tokens: int,
    temperature: float,
    context_window: int,
) -> OpenAICompatible:
    """The OpenAI-compatible client of a local model: trusted, direct, never retried."""
    return OpenAICompatible(
        base_url=endpoint.base_url,
        model=endpoint.model,
        api_key=endpoint.token,
        timeout_s=timeout_s,
        max_retries=0,
        max_tokens=max_tokens,
        temperature=temperature,
        context_window=context_window,
        json_mode="schema",
        trusted=True,
    )

"""Any OpenAI-compatible chat endpoint: a hosted API, vLLM, Ollama, LM Studio, llama.cpp server.

Uses the official `openai` client (extra `medcite[llm]`), imported when the backend is built.
The client's own retries are off: this module retries timeouts, connection errors, 429 and
5xx itself, with exponential backoff, so every backend fails the same way (`LLMError`).

Whether patient data may reach the endpoint unscrubbed is the user's explicit decision
(`llm.trusted_endpoint`), never inferred from the host name: "localhost" may be a tunnel, and
the HTTP client would send even a loopback request through HTTP_PROXY. A trusted endpoint is
reached directly, with the environment's proxy settings ignored.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from medcite.errors import ConfigError, LLMError, MissingExtra
from medcite.llm.base import LLM, Completion, Message, OnText
from medcite.settings import LLMSettings

log = logging.getLogger(__name__)

JsonMode = Literal["schema", "object", "off"]
_RETRY_STATUS = frozenset({408, 409, 429})
_MAX_RETRY_AFTER_S = 60.0
_STATUS_HINTS = {
    400: "the endpoint rejected the request: if it cannot constrain output to a JSON schema, "
    'set llm.json_mode = "object" or "off"; some models also refuse max_tokens or temperature',
    401: "check MEDCITE_LLM__API_KEY or OPENAI_API_KEY",
    403: "check MEDCITE_LLM__API_KEY or OPENAI_API_KEY",
    404: "check llm.base_url and llm.model",
}


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _direct_client(timeout_s: float) -> Any:
    """An HTTP client that ignores HTTP(S)_PROXY, ALL_PROXY and the rest of the environment."""
    import httpx

    return httpx.Client(trust_env=False, timeout=timeout_s, follow_redirects=False)


def _without_credentials(url: str) -> str:
    """The URL as it may be shown: no user or password."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=netloc).geturl()


class _Failure(Exception):
    """One failed attempt: why, and whether trying again may help."""

    def __init__(
        self, reason: str, retryable: bool, wait_s: float | None = None, timed_out: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason, self.retryable, self.wait_s = reason, retryable, wait_s
        self.timed_out = timed_out


class OpenAICompatible(LLM):
    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        retry_backoff_s: float = 1.0,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        context_window: int = 8192,
        json_mode: JsonMode = "schema",
        trusted: bool = False,
    ) -> None:
        try:
            import openai
        except ImportError as exc:
            raise MissingExtra("the openai LLM backend (llm.backend = openai)", "llm") from exc
        if not model:
            raise ConfigError(
                "the openai LLM backend needs a model: set llm.model (or MEDCITE_LLM__MODEL)"
            )
        self._openai = openai
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "unused",
            timeout=timeout_s,
            max_retries=0,
            http_client=_direct_client(timeout_s) if trusted else None,
        )
        self.base_url, self.model = base_url, model
        self.timeout_s, self.max_retries, self.backoff_s = timeout_s, max_retries, retry_backoff_s
        self.max_tokens, self.temperature = max_tokens, temperature
        self.context_window, self.json_mode = context_window, json_mode
        self.supports_json = json_mode != "off"
        self.is_local = trusted  # patient data reaches it unscrubbed: the user's decision
        self._where = _without_credentials(base_url)
        if trusted and not is_loopback_url(base_url):
            log.warning(
                "llm.trusted_endpoint is on for %s, which is not this machine: questions are "
                "sent to it unscrubbed",
                self._where,
            )

    @classmethod
    def from_settings(cls, cfg: LLMSettings) -> OpenAICompatible:
        key = cfg.api_key.get_secret_value() if cfg.api_key else os.environ.get("OPENAI_API_KEY")
        return cls(
            base_url=cfg.base_url,
            model=cfg.model or "",
            api_key=key,
            timeout_s=cfg.timeout_s,
            max_retries=cfg.max_retries,
            retry_backoff_s=cfg.retry_backoff_s,
            max_tokens=cfg.max_tokens,
            temperature=cfg.temperature,
            context_window=cfg.context_window,
            json_mode=cfg.json_mode,
            trusted=cfg.trusted_endpoint,
        )

    def close(self) -> None:
        self._client.close()

    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        stream: bool = False,
        on_text: OnText | None = None,
        timeout_s: float | None = None,
    ) -> Completion:
        request = self._request(messages, json_schema)
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        failures = 0
        while True:
            left = deadline - time.monotonic()
            request["timeout"] = max(0.1, min(self.timeout_s, left))
            try:
                if stream:
                    return self._streamed(request, on_text)
                return self._whole(request)
            except _Failure as failure:
                failures += 1
                wait = failure.wait_s if failure.wait_s is not None else self._backoff(failures)
                if not self._retry(failure, failures, deadline - time.monotonic() - wait):
                    tries = f" ({failures} attempts)" if failures > 1 else ""
                    reason = failure.reason
                    if failure.timed_out:
                        reason = f"timed out after {request['timeout']:.3g} s"
                    raise LLMError(f"{self._where}: {reason}{tries}") from None
                log.info(
                    "LLM request failed (%s); retry %d in %.1f s", failure.reason, failures, wait
                )
                time.sleep(wait)

    def _retry(self, failure: _Failure, failures: int, left_s: float) -> bool:
        """Whether to try again: a retryable failure, retries and time left, and never a
        generation that timed out on this machine (it would only be as slow again)."""
        if not failure.retryable or failures > self.max_retries or left_s <= 0:
            return False
        return not (failure.timed_out and is_loopback_url(self.base_url))

    def _backoff(self, failures: int) -> float:
        return float(self.backoff_s * 2 ** (failures - 1))

    def _request(
        self, messages: Sequence[Message], json_schema: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        if json_schema is not None and self.json_mode == "schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "medcite_answer",
                    "schema": dict(json_schema),
                    "strict": True,
                },
            }
        elif json_schema is not None and self.json_mode == "object":
            request["response_format"] = {"type": "json_object"}
        return request

    def _whole(self, request: dict[str, Any]) -> Completion:
        try:
            response = self._client.chat.completions.create(**request)
        except self._openai.OpenAIError as exc:
            raise self._failure(exc) from None
        if not response.choices:
            raise _Failure("the reply has no choices", retryable=False)
        choice = response.choices[0]
        usage = response.usage
        return Completion(
            text=choice.message.content or "",
            model=response.model or self.model,
            finish_reason=choice.finish_reason,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
        )

    def _streamed(self, request: dict[str, Any], on_text: OnText | None) -> Completion:
        deadline = time.monotonic() + request["timeout"]
        parts: list[str] = []
        finish: str | None = None
        model = self.model
        try:
            chunks = self._client.chat.completions.create(**request, stream=True)
        except self._openai.OpenAIError as exc:
            raise self._failure(exc) from None
        try:
            for chunk in chunks:
                if time.monotonic() > deadline:
                    raise _Failure("timed out", retryable=True, timed_out=True)
                model = chunk.model or model
                for choice in chunk.choices:
                    if text := choice.delta.content:
                        parts.append(text)
                        if on_text is not None:
                            on_text(text)
                    finish = choice.finish_reason or finish
        except _Failure:
            raise
        except self._openai.OpenAIError as exc:
            raise self._failure(exc) from None
        except Exception as exc:  # the HTTP library's own errors while reading the stream
            raise _Failure(f"the stream broke off ({type(exc).__name__})", retryable=True) from None
        finally:
            chunks.close()
        return Completion("".join(parts), model, finish)

    def _failure(self, exc: Exception) -> _Failure:
        """What went wrong, in words that never quote the request or the reply."""
        oa = self._openai
        if isinstance(exc, oa.APITimeoutError):
            return _Failure("timed out", retryable=True, timed_out=True)
        if isinstance(exc, oa.APIConnectionError):
            return _Failure("cannot connect", retryable=True)
        if isinstance(exc, oa.APIStatusError):
            status = exc.status_code
            hint = _STATUS_HINTS.get(status)
            reason = f"HTTP {status}" + (f" ({hint})" if hint else "")
            retryable = status in _RETRY_STATUS or status >= 500
            return _Failure(reason, retryable, _retry_after(exc.response.headers))
        return _Failure(f"unusable reply ({type(exc).__name__})", retryable=False)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    try:
        return min(float(value), _MAX_RETRY_AFTER_S) if value is not None else None
    except ValueError:
        return None

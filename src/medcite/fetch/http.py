"""HTTP for the fetchers: a rate limit, retries with backoff, errors that name the request.

httpx is imported lazily (the `[fetch]` extra). Requests are spaced to at most
`requests_per_second` (NCBI's documented limits: 3/s without an API key, 10/s with one); a
timeout, a connection error, a 429 or a 5xx is retried after `retry_backoff_s`, doubled each
time (a `Retry-After` header, when given, is waited instead). The API key is sent as a
parameter but never appears in an error message or a log line.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from medcite.errors import FetchError, MissingExtra
from medcite.settings import FetchSettings

log = logging.getLogger(__name__)
RETRIED = frozenset({429, 500, 502, 503, 504})
Sleep = Callable[[float], None]


class Http:
    """One client per fetch run; `get` and `post` return the response body as bytes."""

    def __init__(self, settings: FetchSettings, *, sleep: Sleep = time.sleep) -> None:
        try:
            import httpx
        except ImportError as exc:
            raise MissingExtra("`medcite fetch`", "fetch") from exc
        self._httpx = httpx
        self.settings = settings
        self.api_key = os.environ.get(settings.api_key_env) or None
        default_rate = 10.0 if self.api_key else 3.0
        self._interval = 1.0 / (settings.requests_per_second or default_rate)
        self._sleep = sleep
        self._last = 0.0
        self._lock = threading.Lock()
        self._client = httpx.Client(
            timeout=settings.timeout_s,
            headers={"User-Agent": "medcite (https://github.com/medcite; fetchers)"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def eutils_params(self, params: Mapping[str, str]) -> dict[str, str]:
        """NCBI's identification parameters added to a request's own."""
        extra = {"tool": "medcite"}
        if self.settings.email:
            extra["email"] = self.settings.email
        if self.api_key:
            extra["api_key"] = self.api_key
        return {**params, **extra}

    def get(self, url: str, params: Mapping[str, str] | None = None) -> bytes:
        return self._request("GET", url, params=dict(params or {}))

    def post(self, url: str, data: Mapping[str, str]) -> bytes:
        return self._request("POST", url, data=dict(data))

    def _request(self, method: str, url: str, **kwargs: Any) -> bytes:
        backoff = self.settings.retry_backoff_s
        for attempt in range(self.settings.max_retries + 1):
            self._wait_turn()
            try:
                response = self._client.request(method, url, **kwargs)
            except self._httpx.TransportError as exc:
                problem, wait = f"{type(exc).__name__}", backoff
            else:
                if response.status_code < 400:
                    return bytes(response.content)
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRIED:
                    break
                wait = _retry_after(response.headers.get("Retry-After"), backoff)
            if attempt < self.settings.max_retries:
                log.info("%s %s: %s; retrying in %.1f s", method, url, problem, wait)
                self._sleep(wait)
                backoff *= 2
        raise FetchError(f"{method} {url} failed: {problem} (after {attempt + 1} attempts)")

    def _wait_turn(self) -> None:
        with self._lock:
            delay = self._last + self._interval - time.monotonic()
            if delay > 0:
                self._sleep(delay)
            self._last = time.monotonic()


def _retry_after(header: str | None, default: float) -> float:
    if header and header.strip().isdigit():
        return min(float(header), 60.0)
    return default

"""A deterministic LLM for tests: replies are queued in advance and requests recorded."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medcite.errors import LLMError
from medcite.llm.base import LLM, Completion, Message, OnText
from medcite.settings import LLMSettings

# A queued reply: the text, an error to raise, or a function of the request's messages.
Reply = str | Exception | Callable[[Sequence[Message]], str]
_STREAM_PIECE = 16


@dataclass(frozen=True, slots=True)
class FakeRequest:
    messages: tuple[Message, ...]
    json_schema: Mapping[str, Any] | None
    stream: bool
    timeout_s: float | None = None


class FakeLLM(LLM):
    name = "fake"

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        model: str = "fake",
        is_local: bool = True,
        supports_json: bool = True,
        context_window: int = 8192,
    ) -> None:
        self._queue: deque[Reply] = deque(replies)
        self.requests: list[FakeRequest] = []
        self.model, self.is_local = model, is_local
        self.supports_json, self.context_window = supports_json, context_window

    @classmethod
    def from_settings(cls, cfg: LLMSettings) -> FakeLLM:
        return cls(model=cfg.model or "fake", context_window=cfg.context_window)

    def enqueue(self, replies: Iterable[Reply]) -> None:
        self._queue.extend(replies)

    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        stream: bool = False,
        on_text: OnText | None = None,
        timeout_s: float | None = None,
    ) -> Completion:
        self.requests.append(FakeRequest(tuple(messages), json_schema, stream, timeout_s))
        if not self._queue:
            raise LLMError("the fake LLM has no queued reply")
        reply = self._queue.popleft()
        if isinstance(reply, Exception):
            raise reply
        text = reply if isinstance(reply, str) else reply(messages)
        if stream and on_text is not None:
            for i in range(0, len(text), _STREAM_PIECE):
                on_text(text[i : i + _STREAM_PIECE])
        return Completion(text, self.model, "stop")

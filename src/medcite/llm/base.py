"""What the answer writer needs from a language model, whatever runs it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

Role = Literal["system", "user", "assistant"]
# Called with each piece of text as a streamed completion arrives.
OnText = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Completion:
    """The model's whole reply (a streamed reply is assembled before it is returned)."""

    text: str
    model: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class LLM(ABC):
    """A chat model behind one method; capabilities are plain attributes.

    `supports_json`: can constrain its output to a JSON schema.
    `context_window`: tokens the prompt and the reply share.
    `is_local`: requests never leave this machine (else patient data is scrubbed first).
    """

    name: ClassVar[str]
    model: str = ""
    supports_json: bool = False
    context_window: int = 4096
    is_local: bool = False

    @abstractmethod
    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        stream: bool = False,
        on_text: OnText | None = None,
        timeout_s: float | None = None,
    ) -> Completion:
        """The model's reply to `messages`; raises `LLMError` when none could be had.

        `timeout_s` bounds this call, retries included (None: the backend's own timeout)."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release what the backend holds (connections, a loaded model)."""

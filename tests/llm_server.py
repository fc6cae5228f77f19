"""A scripted OpenAI-compatible server on 127.0.0.1 for the LLM writer's tests and benchmark.

`POST /v1/chat/completions`, plain JSON or SSE streaming, replays queued `Step`s in order
and records every request. A step's content may be a function of the request, so a script
can cite the number the prompt gave a passage ("the passage that says X").
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Content = str | Callable[[dict[str, Any]], str]
_PASSAGE = re.compile(r'<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>', re.S)


@dataclass(frozen=True)
class Step:
    """One scripted reply: the assistant text, or an HTTP error, after an optional delay."""

    content: Content = ""
    status: int = 200
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    """One request as received (header names lower-cased)."""

    path: str
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up
            super().handle_error(request, client_address)


class ScriptedServer:
    def __init__(self) -> None:
        self.steps: deque[Step] = deque()
        self.requests: list[Recorded] = []
        self._stop = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, steps: Iterable[Step | Content]) -> None:
        self.steps.extend(s if isinstance(s, Step) else Step(s) for s in steps)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body leave at once, as from a production server.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append(Recorded(self.path, headers, body))
                step = server.steps.popleft() if server.steps else Step(status=599)
                if server._stop.wait(step.delay_s):
                    return
                # The client may have given up already (a timeout test).
                with suppress(BrokenPipeError, ConnectionResetError):
                    server._reply(self, step, json.loads(body))

        return Handler

    def _reply(self, h: BaseHTTPRequestHandler, step: Step, request: dict[str, Any]) -> None:
        if step.status != 200:
            payload = json.dumps({"error": {"message": "scripted failure", "type": "server"}})
            _send(h, step.status, "application/json", payload.encode(), step.headers)
            return
        text = step.content(request) if callable(step.content) else step.content
        model = request.get("model", "scripted")
        if not request.get("stream"):
            _send(h, 200, "application/json", json.dumps(_completion(text, model)).encode())
            return
        h.send_response(200)
        h.send_header("content-type", "text/event-stream")
        h.send_header("transfer-encoding", "chunked")
        h.end_headers()
        for event in _events(text, model):
            if self._stop.wait(step.chunk_delay_s):
                return
            data = f"data: {event}\n\n".encode()
            h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            h.wfile.flush()
        h.wfile.write(b"0\r\n\r\n")


def _send(
    h: BaseHTTPRequestHandler,
    status: int,
    kind: str,
    payload: bytes,
    headers: dict[str, str] | None = None,
) -> None:
    h.send_response(status)
    h.send_header("content-type", kind)
    h.send_header("content-length", str(len(payload)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(payload)


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


def _events(text: str, model: str) -> Iterator[str]:
    def chunk(delta: dict[str, str], finish: str | None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return json.dumps(
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [choice],
            }
        )

    yield chunk({"role": "assistant"}, None)
    for i in range(0, len(text), 24):
        yield chunk({"content": text[i : i + 24]}, None)
    yield chunk({}, "stop")
    yield "[DONE]"


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def passages(request: dict[str, Any]) -> dict[int, str]:
    """Number -> text of the passages in a request's user message."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    return {int(n): text for n, text in _PASSAGE.findall(user)}


def number_of(request: dict[str, Any], needle: str) -> int:
    """The number the prompt gave the passage containing `needle`."""
    found = [n for n, text in passages(request).items() if needle in text]
    if not found:
        raise LookupError(f"no passage in the request contains {needle!r}")
    return found[0]


def reply(
    bottom: Iterable[tuple[str, Iterable[int]]],
    sections: dict[str, Iterable[tuple[str, Iterable[int]]]] | None = None,
) -> str:
    """A reply in the writer's JSON contract."""

    def claims(items: Iterable[tuple[str, Iterable[int]]]) -> list[dict[str, Any]]:
        return [{"text": t, "citations": list(c)} for t, c in items]

    return json.dumps(
        {
            "bottom_line": claims(bottom),
            "sections": {k: claims(v) for k, v in (sections or {}).items()},
        }
    )


def quoting(*sentences: str, section: str = "first_line") -> Callable[[dict[str, Any]], str]:
    """A reply that quotes each sentence and cites the passage holding it: the first sentence
    is the bottom line, the others go to `section`."""

    def respond(request: dict[str, Any]) -> str:
        cited = [(s, [number_of(request, s)]) for s in sentences]
        return reply(cited[:1], {section: cited[1:]} if cited[1:] else None)

    return respond

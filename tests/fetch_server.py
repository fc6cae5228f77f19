"""A fake NCBI E-utilities and DailyMed server on 127.0.0.1 for the fetchers' tests.

Serves `esearch.fcgi` (JSON), `efetch.fcgi` (PubMed XML for db=pubmed, a pmc-articleset for
db=pmc), DailyMed's `spls.json` and `spls/{setid}.xml`. `fail` queues the statuses of a path's next
replies (200 lets one through as usual); every request is recorded.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from .pubmed_fixtures import HEAD, TAIL, citation


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]


@dataclass
class FakeServices:
    pmids: dict[str, list[int]] = field(default_factory=dict)  # query -> PMIDs
    articles: dict[str, bytes] = field(default_factory=dict)  # numeric PMC id -> JATS
    labels: dict[str, bytes] = field(default_factory=dict)  # set id -> SPL
    names: dict[str, list[str]] = field(default_factory=dict)  # drug name -> set ids
    failures: dict[str, deque[int]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def fail(self, path: str, *statuses: int) -> None:
        self.failures.setdefault(path, deque()).extend(statuses)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path.endswith(path))

    def reply(self, method: str, path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        self.requests.append(Recorded(method, path, params))
        pending = self.failures.get(path)
        status = pending.popleft() if pending else 200
        if status != 200:
            return status, b"busy", "text/plain"
        handler = _ROUTES.get(path.rsplit("/", 1)[-1])
        if handler is None and path.startswith("/dailymed/spls/"):
            handler = _label
        if handler is None:
            return 404, b"not found", "text/plain"
        return handler(self, path, params)


def _esearch(s: FakeServices, _path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
    found = s.pmids.get(params.get("term", ""), [])
    start, size = int(params.get("retstart", 0)), int(params.get("retmax", 20))
    page = [str(p) for p in found[start : start + size]]
    body = {"esearchresult": {"count": str(len(found)), "idlist": page}}
    return 200, json.dumps(body).encode(), "application/json"


def _efetch(s: FakeServices, _path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
    if params.get("db") == "pmc":
        article = s.articles.get(params.get("id", ""))
        if article is None:
            return 200, b"<pmc-articleset><error>not found</error></pmc-articleset>", "text/xml"
        return 200, b"<pmc-articleset>" + article + b"</pmc-articleset>", "text/xml"
    items = [
        citation(int(p), f"Citation {p} on zephyrin", [("", f"Zephyrin study number {p}.")])
        for p in params.get("id", "").split(",")
        if p
    ]
    return 200, (HEAD + "".join(items) + TAIL).encode(), "text/xml"


def _spls(s: FakeServices, _path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
    data = [{"setid": sid} for sid in s.names.get(params.get("drug_name", ""), [])]
    return 200, json.dumps({"data": data}).encode(), "application/json"


def _label(s: FakeServices, path: str, _params: dict[str, str]) -> tuple[int, bytes, str]:
    label = s.labels.get(path.rsplit("/", 1)[-1].removesuffix(".xml"))
    return (200, label, "text/xml") if label else (404, b"no such label", "text/plain")


Route = Callable[[FakeServices, str, dict[str, str]], tuple[int, bytes, str]]
_ROUTES: dict[str, Route] = {
    "esearch.fcgi": _esearch,
    "efetch.fcgi": _efetch,
    "spls.json": _spls,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(services: FakeServices) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            self._send(*services.reply("GET", url.path, _flat(parse_qs(url.query))))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            self._send(*services.reply("POST", urlparse(self.path).path, _flat(form)))

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _flat(query: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in query.items()}


@contextmanager
def fake_services() -> Iterator[FakeServices]:
    services = FakeServices()
    httpd = _Server(("127.0.0.1", 0), _handler(services))
    host, port = httpd.server_address[:2]
    services.url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield services
    finally:
        httpd.shutdown()
        httpd.server_close()

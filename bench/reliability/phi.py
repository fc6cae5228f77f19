"""Questions full of patient identifiers, asked through the web app with an LLM writer behind
an HTTP proxy: does any identifier reach a store, a log, a page or an outgoing request?

Twice: with the endpoint on localhost but not trusted (every request scrubbed, and through the
proxy the environment names), and with it trusted (unscrubbed, so never through a proxy).
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.reliability.common import Tally, write_corpus
from fastapi.testclient import TestClient
from tests.llm_server import ScriptedServer, Step, scripted_server

from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings, load_settings
from medcite.web import create_app

NAMES = ("Thaddeus Quackenbush", "Philippa Grimsdottir", "Octavian Pellegrino")


def _identifiers(n: int) -> dict[str, str]:
    first, last = NAMES[n % len(NAMES)].split()
    return {
        "name": f"{first} {last}",
        "capitals": f"{first.upper()} {last.upper()}",
        "mrn": f"ZX{448100 + n}",
        "dob": f"0{1 + n % 9}/1{n % 10}/19{50 + n}",
        "phone": f"(555) 86{n % 10}-53{10 + n}",
        "email": f"{first.lower()}.{n}@example.org",
        "address": f"{40 + n} Larkspur Street",
        "ssn": f"123 45 {6700 + n}",
        "url": f"https://{last.lower()}{n}.example.net/notes",
        "ip": f"10.44.{n}.17",
    }


def _question(n: int, ids: dict[str, str]) -> str:
    return (
        f"What is condition {n}? The patient is Mrs. {ids['capitals']} (MRN {ids['mrn']}, "
        f"DOB {ids['dob']}, SSN: {ids['ssn']}), phone {ids['phone']}, email {ids['email']}, "
        f"lives at {ids['address']}; notes at {ids['url']} from {ids['ip']}. "
        f"Dr Who says {ids['name']} is worried."
    )


@contextmanager
def _captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@contextmanager
def _proxy_env(url: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")}
    os.environ.update({"HTTP_PROXY": url, "http_proxy": url})
    os.environ.pop("NO_PROXY", None)
    os.environ.pop("no_proxy", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _settings(home: Path, endpoint: ScriptedServer, trusted: bool) -> Settings:
    llm = {
        "backend": "openai",
        "base_url": endpoint.url,
        "model": "scripted",
        "timeout_s": 2.0,
        "max_retries": 0,
        "trusted_endpoint": trusted,
    }
    return load_settings(home=home, llm=llm, web={"recent_questions": 20})


def _ask_all(settings: Settings, questions: list[str]) -> list[str]:
    pages = []
    with TestClient(create_app(settings)) as client:
        for question in questions:
            api = client.post("/api/ask", json={"question": question})
            pages.append(api.text)
            url = api.json().get("url", "/").split("#")[0]
            pages.append(client.get(url, headers={"accept": "text/html"}).text)
            pages.append(client.get(f"/answers/{api.json().get('id')}").text)
        pages.append(client.get("/", headers={"accept": "text/html"}).text)
    return pages


def _leaks(texts: list[str], secrets: list[str]) -> int:
    joined = "\n".join(texts)
    return sum(joined.count(secret) for secret in secrets)


def _run(work: Path, trusted: bool, questions: list[str], secrets: list[str]) -> dict[str, int]:
    home = work / f"phi-{'trusted' if trusted else 'untrusted'}"
    library = Library(load_settings(home=home))
    ingest([write_corpus(work / "phi-corpus", "benign", records=60, texts=1)], library)
    library.close()
    with scripted_server() as endpoint, scripted_server() as proxy, _captured_logs() as logs:
        endpoint.script([Step(status=500)] * len(questions))  # the extractive writer answers
        with _proxy_env(proxy.url.removesuffix("/v1")):
            pages = _ask_all(_settings(home, endpoint, trusted), questions)
        stored = [p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()]
        return {
            "store": _leaks(stored, secrets),
            "logs": _leaks([logs.getvalue()], secrets),
            "pages and API": _leaks(pages, secrets),
            "proxy requests": len(proxy.requests),
            "proxy identifiers": _leaks([r.body for r in proxy.requests], secrets),
            "endpoint requests": len(endpoint.requests),
            "endpoint identifiers": _leaks([r.body for r in endpoint.requests], secrets),
        }


def patient_data(work: Path, questions: int) -> Tally:
    ids = [_identifiers(n) for n in range(questions)]
    asked = [_question(n, i) for n, i in enumerate(ids)]
    secrets = sorted({v for i in ids for v in i.values()})
    tally = Tally()
    for trusted in (False, True):
        label = "trusted endpoint" if trusted else "untrusted localhost endpoint"
        for where, count in _run(work, trusted, asked, secrets).items():
            tally.counts[f"{label}: {where}"] = count
    tally.counts["identifiers planted"] = len(secrets)
    return tally

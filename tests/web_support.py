"""A small CMV/ruxolitinib corpus (invented, not copied from any source) and a live server.

Used by the audience, conversation and web tests.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings
from medcite.types import DocKind

from .conftest import write_medquad

CASE_REPORT = """Cytomegalovirus reactivation during ruxolitinib therapy: a fictional case

We describe a case of cytomegalovirus (CMV) reactivation in a 61-year-old woman who was
treated with ruxolitinib for myelofibrosis, and whose CMV PCR was positive at a routine visit.

Ganciclovir was started intravenously at 5 mg/kg every 12 hours, and ruxolitinib was
continued at a reduced dose while the infection was treated with close monitoring of blood
counts in the ruxolitinib patient. Weekly CMV PCR testing guided the duration of the
antiviral treatment in this patient on ruxolitinib.

During treatment her serum creatinine rose to 2.1 mg/dL, and the ganciclovir dose was
reduced because of the renal impairment while ruxolitinib was continued. Creatinine
clearance should be checked before each ganciclovir dose adjustment in patients on
ruxolitinib with CMV infection.

The CMV PCR became undetectable after three weeks of treatment, and ruxolitinib was
continued without relapse at follow-up.
"""

PATIENT_PAGES: list[dict[str, str]] = [
    {
        "source": "MPlusHealthTopics",
        "qid": "W1-1",
        "qtype": "information",
        "focus": "Cytomegalovirus Infections",
        "url": "https://example.org/cmv",
        "question": "What is (are) Cytomegalovirus Infections ?",
        "answer": "Cytomegalovirus (CMV) is a common virus. Most healthy people with CMV "
        "infection have no symptoms. CMV infection can be serious in people whose immune "
        "system is weakened by medicines such as ruxolitinib.",
    },
    {
        "source": "MPlusHealthTopics",
        "qid": "W1-2",
        "qtype": "treatment",
        "focus": "Cytomegalovirus Infections",
        "url": "https://example.org/cmv",
        "question": "What are the treatments for Cytomegalovirus Infections ?",
        "answer": "Antiviral medicines treat CMV infection in people taking ruxolitinib or "
        "other medicines that weaken the immune system. Your doctor checks your blood and your "
        "kidneys during the treatment of CMV infection.",
    },
    {
        "source": "NIDDK",
        "qid": "W2-1",
        "qtype": "information",
        "focus": "Creatinine",
        "url": "https://example.org/creatinine",
        "question": "What is (are) Creatinine ?",
        "answer": "Creatinine is a waste product that healthy kidneys remove from the blood. "
        "A high creatinine level in the blood can mean that the kidneys are not working well.",
    },
    {
        "source": "GARD",
        "qid": "W3-1",
        "qtype": "symptoms",
        "focus": "Myelofibrosis",
        "url": "https://example.org/myelofibrosis",
        "question": "What are the symptoms of Myelofibrosis ?",
        "answer": "Symptoms of myelofibrosis may include tiredness, an enlarged spleen and "
        "night sweats. Some people with myelofibrosis take ruxolitinib to shrink the spleen.",
    },
]

FIRST_QUESTION = "How should CMV infection be treated in a patient on ruxolitinib?"
FOLLOW_UP = "What if her creatinine is 2.1?"


def write_cmv_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_medquad(folder / "patient-pages.jsonl", PATIENT_PAGES)
    (folder / "cmv-case.txt").write_text(CASE_REPORT, encoding="utf-8")
    return folder


def ingest_cmv_corpus(settings: Settings, folder: Path) -> None:
    write_cmv_corpus(folder)
    library = Library(settings)
    try:
        assert ingest([folder / "patient-pages.jsonl"], library).count("failed") == 0
        report = ingest([folder / "cmv-case.txt"], library, kind=DocKind.CASE_REPORT)
        assert report.count("failed") == 0
    finally:
        library.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Run the app with uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def form(client: Any, **fields: str) -> dict[str, str]:
    """Form fields with the browser's form token, as a page of the site would post them (the
    token's cookie is set by any page showing a form)."""
    from medcite.web.forms import FORM_COOKIE, FORM_FIELD

    if FORM_COOKIE not in client.cookies:
        client.get("/", headers={"accept": "text/html"})
    return {**fields, FORM_FIELD: client.cookies[FORM_COOKIE]}

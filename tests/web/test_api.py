"""The JSON API: shapes, follow-ups, errors as problem details, limits, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medcite.engine import MAX_QUESTION_CHARS
from medcite.settings import Settings
from medcite.web import create_app

from ..web_support import FIRST_QUESTION, FOLLOW_UP, live_server

PROBLEM = "application/problem+json"


def _ask(client: TestClient, question: str = FIRST_QUESTION, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/ask", json={"question": question, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_ask_returns_a_saved_cited_answer(client: TestClient) -> None:
    saved = _ask(client)
    answer = saved["answer"]
    assert saved["url"] == f"/c/{saved['conversation_id']}#answer-{saved['id']}"
    assert not answer["abstained"] and answer["bottom_line"]
    assert answer["review_status"] == "unreviewed"
    references = {r["number"]: r for r in answer["references"]}
    assert len({r["document_id"] for r in references.values()}) == len(references)
    for claim in answer["bottom_line"]:
        assert claim["citations"] and len(set(claim["citations"])) == len(claim["citations"])
        cited = {
            p["passage_id"]: references[n]
            for n in claim["citations"]
            for p in references[n]["passages"]
        }
        assert claim["passage_ids"] and set(claim["passage_ids"]) <= set(cited)
        for quote in claim["quotes"]:
            passage = client.get(f"/api/passages/{quote['passage_id']}").json()
            assert passage["text"][quote["start"] : quote["end"]] == quote["quote"]
            assert passage["document"]["kind"] == cited[quote["passage_id"]]["kind"]
    assert client.get(f"/api/answers/{saved['id']}").json() == saved


def test_follow_up_in_a_conversation_keeps_its_subject(client: TestClient) -> None:
    first = _ask(client)
    url = f"/api/conversations/{first['conversation_id']}/messages"
    response = client.post(url, json={"question": FOLLOW_UP})
    assert response.status_code == 201, response.text
    follow = response.json()
    assert follow["conversation_id"] == first["conversation_id"]
    assert any("ruxolitinib" in a for a in follow["answer"]["assumptions"])
    conversation = client.get(f"/api/conversations/{first['conversation_id']}").json()
    assert conversation["count"] == 2
    assert [m["id"] for m in conversation["messages"]] == [first["id"], follow["id"]]
    assert conversation["url"] == f"/c/{first['conversation_id']}"


def test_empty_conversation_then_patient_messages(client: TestClient) -> None:
    response = client.post("/api/conversations", json={"audience": "patient"})
    assert response.status_code == 201
    conversation = response.json()
    assert conversation["messages"] == [] and conversation["count"] == 0
    url = f"/api/conversations/{conversation['id']}/messages"
    message = client.post(url, json={"question": FIRST_QUESTION}).json()
    assert message["answer"]["audience"] == "patient"
    assert not any("follow-up" in a for a in message["answer"]["assumptions"])
    clinician = client.post(url, json={"question": FIRST_QUESTION, "audience": "clinician"})
    assert clinician.json()["answer"]["audience"] == "clinician"


def test_sources_and_health(client: TestClient) -> None:
    sources = client.get("/api/sources").json()
    assert sources["count"] == len(sources["data"]) >= 2
    kinds = {row["kind"] for row in sources["data"]}
    assert {"patient_education", "case_report"} <= kinds
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["passages"] > 0


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_unknown_ids_are_404_problems(client: TestClient) -> None:
    body = _problem(client.get("/api/answers/unknown"), 404)
    assert body["instance"] == "/api/answers/unknown" and "unknown" in body["detail"]
    _problem(client.get("/api/conversations/unknown"), 404)
    _problem(client.get("/api/passages/unknown"), 404)
    _problem(client.post("/api/conversations/unknown/messages", json={"question": "Why?"}), 404)
    _problem(client.get("/api/nothing-here"), 404)


def test_invalid_requests_are_422_problems(client: TestClient) -> None:
    too_long = client.post("/api/ask", json={"question": "a" * (MAX_QUESTION_CHARS + 1)})
    body = _problem(too_long, 422)
    assert body["errors"][0]["loc"] == ["body", "question"]
    assert "question" in body["detail"]
    _problem(client.post("/api/ask", json={"question": "   "}), 422)
    _problem(client.post("/api/ask", json={"question": "Why?", "audience": "robot"}), 422)
    _problem(client.post("/api/ask", json={"question": "Why?", "extra": 1}), 422)
    _problem(client.post("/api/ask", content=b"not json"), 422)
    _problem(client.get("/api/answers/bad id!"), 422)


def test_wrong_method_is_405_with_allow(client: TestClient) -> None:
    response = client.delete("/api/ask")
    _problem(response, 405)
    assert "POST" in response.headers["allow"]


def test_large_bodies_are_413_whether_declared_or_streamed(
    client: TestClient, app: FastAPI
) -> None:
    limit = app.state.settings.web.max_body_bytes
    big = b'{"question": "' + b"a" * limit + b'"}'
    body = _problem(client.post("/api/ask", content=big), 413)
    assert "web.max_body_bytes" in body["detail"]

    def chunks() -> Any:
        yield big[: limit // 2]
        yield big[limit // 2 :]

    _problem(client.post("/api/ask", content=chunks()), 413)


def test_empty_index_is_503_saying_what_to_run(empty_client: TestClient) -> None:
    body = _problem(empty_client.post("/api/ask", json={"question": FIRST_QUESTION}), 503)
    assert "medcite ingest" in body["detail"]
    assert empty_client.get("/healthz").json()["status"] == "empty"
    assert empty_client.get("/api/sources").json() == {"data": [], "count": 0}


def test_openapi_documents_the_api_and_not_the_pages(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths) == {
        "/api/ask",
        "/api/answers/{answer_id}",
        "/api/conversations",
        "/api/conversations/{conversation_id}",
        "/api/conversations/{conversation_id}/messages",
        "/api/passages/{passage_id}",
        "/api/sources",
        "/healthz",
        # editorial review (tests/web/test_review_api.py)
        "/api/me",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/articles/{article_id}/transitions",
        "/api/articles/{article_id}/comments",
        "/api/review/queue",
    }
    ask = paths["/api/ask"]["post"]
    assert ask["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AskRequest"
    )
    assert PROBLEM in ask["responses"]["422"]["content"]
    assert PROBLEM in ask["responses"]["503"]["content"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/healthz").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"


def test_twenty_concurrent_asks_on_loopback_all_succeed(web_settings: Settings) -> None:
    questions = [FIRST_QUESTION, FOLLOW_UP, "What is creatinine?", "What is myelofibrosis?"]
    app = create_app(web_settings)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=60) as http:

        def ask(i: int) -> int:
            question = questions[i % len(questions)]
            return http.post("/api/ask", json={"question": question}).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(ask, range(20)))
    assert statuses == [200] * 20

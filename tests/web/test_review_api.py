"""The review JSON API: bearer tokens only, roles on every endpoint, conflicts as 409."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ..web_support import FIRST_QUESTION
from .review_helpers import Member, add_team

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def team(app: FastAPI, client: TestClient) -> dict[str, Member]:
    return add_team(app.state.review)


def _auth(member: Member) -> dict[str, str]:
    return {"authorization": f"Bearer {member.token}"}


def _new_article(client: TestClient, author: Member) -> dict[str, Any]:
    saved = client.post("/api/ask", json={"question": FIRST_QUESTION}).json()
    response = client.post("/api/articles", json={"answer_id": saved["id"]}, headers=_auth(author))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _step(client: TestClient, member: Member, article_id: str, **body: Any) -> Any:
    return client.post(f"/api/articles/{article_id}/transitions", json=body, headers=_auth(member))


ENDPOINTS = [
    ("get", "/api/me", None),
    ("post", "/api/articles", {"answer_id": "x"}),
    ("post", "/api/articles/abc/transitions", {"action": "submit"}),
    ("post", "/api/articles/abc/comments", {"body": "hello"}),
    ("get", "/api/review/queue", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("header", [None, "Bearer mct_not-a-token", "Basic YWRhOnB3"])
def test_every_endpoint_needs_a_valid_token(
    client: TestClient,
    team: dict[str, Member],
    method: str,
    path: str,
    body: Any,
    header: str | None,
) -> None:
    headers = {"authorization": header} if header else {}
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_token_acts_only_as_its_own_user(client: TestClient, team: dict[str, Member]) -> None:
    for key, member in team.items():
        me = client.get("/api/me", headers=_auth(member)).json()
        assert me["username"] == member.user.username, key
    article = _new_article(client, team["author"])
    assert article["author"]["username"] == "alice"
    # Arthur's token cannot submit Alice's article; a session cookie is not a token.
    response = _step(client, team["author2"], article["id"], action="submit")
    assert response.status_code == 403 and "author or an editor" in response.json()["detail"]


def test_the_workflow_through_the_api(client: TestClient, team: dict[str, Member]) -> None:
    a = _new_article(client, team["author"])
    assert a["status"] == "draft" and a["answer"]["review_status"] == "draft"
    assert a["sources"] and a["history"][0]["action"] == "create"
    assert client.get(f"/api/articles/{a['id']}").json()["id"] == a["id"]  # reading is public

    assert _step(client, team["author"], a["id"], action="submit").status_code == 200
    assert client.get("/api/review/queue", headers=_auth(team["author"])).status_code == 403
    queue = client.get("/api/review/queue", headers=_auth(team["reviewer"])).json()
    assert a["id"] in [x["id"] for x in queue["data"]]

    response = _step(client, team["reviewer"], a["id"], action="approve")
    assert response.status_code == 403  # not assigned
    response = _step(client, team["editor"], a["id"], action="assign", reviewer="rita")
    assert response.status_code == 200 and response.json()["reviewer"]["username"] == "rita"
    revision = response.json()["revision"]
    response = _step(client, team["reviewer"], a["id"], action="request_changes")
    assert response.status_code == 422 and "needs a comment" in response.json()["detail"]
    response = _step(
        client, team["reviewer"], a["id"], action="approve", expected_revision=revision - 1
    )
    assert response.status_code == 409 and response.json()["type"].endswith("conflict")
    comment = client.post(
        f"/api/articles/{a['id']}/comments", json={"body": "Fine.", "claim_index": 0},
        headers=_auth(team["reviewer"]),
    )  # fmt: skip
    assert comment.status_code == 201 and comment.json()["section_key"] == "bottom_line"
    response = _step(
        client, team["reviewer"], a["id"], action="approve", expected_revision=revision + 1,
        comment="Checked.",
    )  # fmt: skip
    assert response.status_code == 200, response.text
    done = response.json()
    assert done["status"] == "approved" and done["approved_by"]["username"] == "rita"
    assert done["answer"]["review_status"] == "approved"
    assert done["status_line"].startswith("Approved by Dr Rita Reviewer on ")
    response = _step(client, team["reviewer"], a["id"], action="approve")
    assert response.status_code == 409 and "cannot approve" in response.json()["detail"]
    response = _step(client, team["reviewer"], a["id"], action="retire")
    assert response.status_code == 403
    response = _step(client, team["author"], a["id"], action="revise")
    assert response.status_code == 200 and response.json()["current_version"] == 2
    assert client.get("/api/articles/missing").status_code == 404
    missing = client.post(
        "/api/articles", json={"answer_id": "nope"}, headers=_auth(team["author"])
    )
    assert missing.status_code == 404

"""The review pages through the test client: sign-in, cookies, CSRF, roles on every form,
the article page's status (never an approved look unless approved and fresh), the audit
trail, claim comments, conflicts and the diff."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medcite.articles.service import Review

from ..web_support import FIRST_QUESTION, form
from .review_helpers import HTML, PASSWORD, Member, add_team, browser_client, hidden, sign_in


@pytest.fixture(scope="module")
def team(app: FastAPI, client: TestClient) -> dict[str, Member]:
    return add_team(app.state.review)


def _answer_url(client: TestClient) -> str:
    response = client.post("/ask", data=form(client, q=FIRST_QUESTION, audience="clinician"))
    assert response.status_code == 303
    return str(response.headers["location"]).split("#")[0]


def _save(app: FastAPI, client: TestClient, who: str = "alice") -> tuple[TestClient, str, str]:
    """`who` signs in, asks, and saves the answer as an article: (their client, csrf, url)."""
    visitor = browser_client(app)
    csrf = sign_in(visitor, who)
    page = visitor.get(_answer_url(visitor), headers=HTML)
    assert "Save as article" in page.text
    response = visitor.post(
        "/articles", data={"csrf": csrf, "answer_id": hidden(page.text, "answer_id")}
    )
    assert response.status_code == 303, response.text
    return visitor, csrf, str(response.headers["location"])


def _act(visitor: TestClient, csrf: str, url: str, action: str, **form: str) -> int:
    """Post an action with the article's current revision (so only role and status count)."""
    revision = visitor.get("/api" + url).json()["revision"]
    data = {"csrf": csrf, "revision": str(revision), **form}
    response = visitor.post(f"{url}/actions/{action}", data=data, headers=HTML)
    return response.status_code


def test_sign_in_sets_a_safe_session_cookie(app: FastAPI, team: dict[str, Member]) -> None:
    visitor = browser_client(app)
    form = visitor.get("/login", headers=HTML)
    data = {"username": "rita", "password": PASSWORD, "csrf": hidden(form.text, "csrf")}
    response = visitor.post("/login", data={**data, "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["location"] == "/review"
    cookie = next(c for c in response.headers.get_list("set-cookie") if "medcite_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert "Sign out Dr Rita Reviewer" in visitor.get("/", headers=HTML).text

    secure = browser_client(app, "https://testserver")
    form = secure.get("/login", headers=HTML)
    response = secure.post("/login", data={**data, "csrf": hidden(form.text, "csrf")})
    cookie = next(c for c in response.headers.get_list("set-cookie") if "medcite_session=" in c)
    assert "Secure" in cookie


def test_sign_in_refuses_bad_passwords_and_forged_forms(
    app: FastAPI, team: dict[str, Member]
) -> None:
    visitor = browser_client(app)
    form = visitor.get("/login", headers=HTML)
    token = hidden(form.text, "csrf")
    bad = visitor.post("/login", data={"username": "rita", "password": "nope", "csrf": token})
    assert bad.status_code == 401 and "wrong username or password" in bad.text
    forged = browser_client(app).post(
        "/login", data={"username": "rita", "password": PASSWORD, "csrf": token}
    )
    assert forged.status_code == 403 and "medcite_session" not in forged.headers.get(
        "set-cookie", ""
    )


def test_forms_need_the_sessions_csrf_token_and_sign_out_ends_it(
    app: FastAPI, team: dict[str, Member]
) -> None:
    visitor = browser_client(app)
    csrf = sign_in(visitor, "alice")
    other = browser_client(app)
    other_csrf = sign_in(other, "arthur")
    assert csrf != other_csrf
    for token in ("", "wrong", other_csrf):  # another session's token is no good either
        response = visitor.post("/articles", data={"csrf": token, "answer_id": "x"}, headers=HTML)
        assert response.status_code == 403, token
    assert visitor.post("/logout", data={"csrf": csrf}).status_code == 303
    assert visitor.get("/review").status_code == 303  # signed out: back to the sign-in page
    anonymous = browser_client(app).post("/articles", data={"csrf": csrf, "answer_id": "x"})
    assert anonymous.status_code == 401


def test_the_workflow_on_the_pages_with_roles_checked(
    app: FastAPI, client: TestClient, team: dict[str, Member]
) -> None:
    author, author_csrf, url = _save(app, client)
    public = client.get(url, headers=HTML).text
    assert "Draft — not submitted for review" in public and "review-approved" not in public
    assert 'Review status: <strong class="review review-draft">draft</strong>' in public
    assert 'action="' + url + "/actions" not in public  # no forms for visitors

    reviewer = browser_client(app)
    reviewer_csrf = sign_in(reviewer, "rita")
    other_author = browser_client(app)
    other_csrf = sign_in(other_author, "arthur")
    assert _act(other_author, other_csrf, url, "submit") == 403
    assert _act(reviewer, reviewer_csrf, url, "submit") == 403
    assert _act(author, author_csrf, url, "submit") == 303
    assert _act(author, author_csrf, url, "assign") == 403  # authors cannot review
    assert _act(reviewer, reviewer_csrf, url, "approve") == 403  # not their review (yet)
    editor = browser_client(app)
    assert _act(editor, sign_in(editor, "eve"), url, "approve") == 409  # not under review yet
    assert "Take this review" in reviewer.get(url, headers=HTML).text
    assert _act(reviewer, reviewer_csrf, url, "assign") == 303
    taken = reviewer.get(url, headers=HTML).text
    assert "Take this review" not in taken and "Approve this version" in taken  # theirs now
    assert _act(author, author_csrf, url, "approve") == 403
    assert _act(reviewer, reviewer_csrf, url, "retire") == 403
    assert (
        browser_client(app).post(f"{url}/actions/approve", data={"revision": "1"}).status_code
        == 401
    )
    assert _act(reviewer, reviewer_csrf, url, "approve", comment="Matches the label.") == 303

    page = client.get(url, headers=HTML).text
    today = datetime.now(UTC).date().isoformat()
    assert f"Approved by Dr Rita Reviewer on {today}" in page
    assert (
        "review-banner review-approved" in page
        and 'Review status: <strong class="review review-approved">approved</strong>' in page
    )
    audit = page.split("Status history and audit trail")[1]
    for row in ("create", "submit", "assign", "approve", "Matches the label.", "Dr Alice Author"):
        assert row in audit


def test_a_stale_revision_is_a_conflict_not_a_second_approval(
    app: FastAPI, client: TestClient, team: dict[str, Member]
) -> None:
    author, author_csrf, url = _save(app, client)
    assert _act(author, author_csrf, url, "submit") == 303
    editor = browser_client(app)
    editor_csrf = sign_in(editor, "eve")
    assert _act(editor, editor_csrf, url, "assign", reviewer="rita") == 303
    page = editor.get(url, headers=HTML).text
    revision = re.search(r'name="revision" value="(\d+)"', page)
    assert revision
    reviewer = browser_client(app)
    reviewer_csrf = sign_in(reviewer, "rita")
    first = reviewer.post(
        f"{url}/actions/approve", data={"csrf": reviewer_csrf, "revision": revision.group(1)}
    )
    second = editor.post(
        f"{url}/actions/approve",
        data={"csrf": editor_csrf, "revision": revision.group(1)},
        headers=HTML,
    )
    assert first.status_code == 303 and second.status_code == 409
    assert "someone changed this article" in second.text


def test_claim_comments_queue_and_diff(
    app: FastAPI, client: TestClient, team: dict[str, Member]
) -> None:
    author, author_csrf, url = _save(app, client)
    reviewer = browser_client(app)
    reviewer_csrf = sign_in(reviewer, "rob")
    page = reviewer.get(url, headers=HTML).text
    assert 'name="claim"' in page
    response = reviewer.post(
        f"{url}/comments",
        data={"csrf": reviewer_csrf, "version": "1", "claim": "1", "body": "Dose source?"},
    )
    assert response.status_code == 303
    page = client.get(url, headers=HTML).text
    assert "Dose source?" in page and "claim 1" in page
    stranger = browser_client(app)
    stranger_csrf = sign_in(stranger, "arthur")
    response = stranger.post(
        f"{url}/comments", data={"csrf": stranger_csrf, "version": "1", "body": "Drive-by"}
    )
    assert response.status_code == 403

    queue = reviewer.get("/review", headers=HTML).text
    assert "Waiting for review" in queue
    own = author.get("/review", headers=HTML).text
    assert "Waiting for review" not in own and "Your articles" in own and url in own

    assert _act(author, author_csrf, url, "revise") == 303
    page = client.get(url, headers=HTML).text
    assert "version 2 of 2" in page and f"{url}/diff?from=1&amp;to=2" in page
    diff = client.get(f"{url}/diff?from=1&to=2", headers=HTML)
    assert diff.status_code == 200 and "added" in diff.text and "removed" in diff.text
    old = client.get(f"{url}?version=1", headers=HTML).text
    assert (
        "an earlier version" in old
        and 'Review status: <strong class="review review-superseded">superseded</strong>' in old
    )


def test_unknown_articles_are_404(
    client: TestClient, app: FastAPI, team: dict[str, Member]
) -> None:
    review: Review = app.state.review
    assert review.accounts.count() >= 6
    assert client.get("/articles/nope", headers=HTML).status_code == 404

"""Signing in through the real forms, and a team of users for the review web tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.testclient import TestClient

from medcite.articles.records import User
from medcite.articles.service import Review
from medcite.articles.workflow import Role

PASSWORD = "a long enough password"
HTML = {"accept": "text/html"}


@dataclass(frozen=True)
class Member:
    user: User
    token: str


def add_team(review: Review) -> dict[str, Member]:
    """admin, author, author2, reviewer, reviewer2, editor: each with a password and a token."""
    admin = review.accounts.add_user(
        "ada", Role.ADMIN, display_name="Dr Ada Admin", password=PASSWORD
    )
    people = {"admin": admin}
    for key, name, role, display in (
        ("author", "alice", Role.AUTHOR, "Dr Alice Author"),
        ("author2", "arthur", Role.AUTHOR, "Dr Arthur Author"),
        ("reviewer", "rita", Role.REVIEWER, "Dr Rita Reviewer"),
        ("reviewer2", "rob", Role.REVIEWER, "Dr Rob Reviewer"),
        ("editor", "eve", Role.EDITOR, "Dr Eve Editor"),
    ):
        people[key] = review.accounts.add_user(
            name, role, display_name=display, password=PASSWORD, by=admin
        )
    return {
        key: Member(user, review.accounts.issue_token(user, "tests", by=user).secret)
        for key, user in people.items()
    }


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name} field"
    return match.group(1)


def browser_client(app: FastAPI, base_url: str = "http://testserver") -> TestClient:
    """Another visitor with their own cookies (the app's lifespan is the module client's)."""
    return TestClient(app, base_url=base_url, follow_redirects=False)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token (from a page's forms)."""
    form = client.get("/login", headers=HTML)
    assert form.status_code == 200
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": hidden(form.text, "csrf")},
    )
    assert response.status_code == 303, response.text
    page = client.get("/review", headers=HTML)
    assert page.status_code == 200
    return hidden(page.text, "csrf")

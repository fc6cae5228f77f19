"""The sign-in page under a flood of wrong passwords: 429 with Retry-After, then the API token
commands: list, revoke one, and a revoked token refused by the API."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from medcite.articles import open_review
from medcite.articles.throttle import ThrottlePolicy
from medcite.articles.workflow import Role
from medcite.cli import app as cli
from medcite.settings import load_settings
from medcite.web import create_app

from .review_helpers import HTML, PASSWORD, hidden


def test_a_flood_of_wrong_passwords_is_throttled_with_retry_after(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    review = open_review(settings)
    review.accounts.add_user("ada", Role.ADMIN, password=PASSWORD)
    review.close()
    with TestClient(create_app(settings), follow_redirects=False) as visitor:
        page = visitor.get("/login", headers=HTML).text
        statuses = []
        for password in ["wrong password!"] * (ThrottlePolicy().free_account + 1) + [PASSWORD]:
            data = {"username": "ada", "password": password, "csrf": hidden(page, "csrf")}
            response = visitor.post("/login", data=data, headers=HTML)
            statuses.append(response.status_code)
            page = response.text
        right = response
    assert statuses == [401] * (len(statuses) - 1) + [429]
    assert right.status_code == 429 and int(right.headers["retry-after"]) >= 1
    assert "too many failed sign-ins" in right.text
    assert "medcite_session" not in right.headers.get("set-cookie", "")


def test_an_admin_lists_and_revokes_one_token(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    review = open_review(settings)
    admin = review.accounts.add_user("ada", Role.ADMIN, password=PASSWORD)
    rita = review.accounts.add_user("rita", Role.REVIEWER, by=admin)
    admin_token = review.accounts.issue_token(admin, "cli", by=admin).secret
    laptop = review.accounts.issue_token(rita, "laptop", by=admin)
    ci = review.accounts.issue_token(rita, "ci", by=admin)
    review.close()
    runner = CliRunner()
    home = ["--home", str(settings.home)]
    listed = runner.invoke(cli, [*home, "users", "tokens", "rita", "--token", admin_token])
    assert (
        listed.exit_code == 0 and "laptop" in listed.output and laptop.secret not in listed.output
    )
    revoked = runner.invoke(
        cli,
        [*home, "users", "revoke-token", "rita", "--id", str(laptop.id), "--token", admin_token],
    )
    assert revoked.exit_code == 0 and "revoked 1 token" in revoked.output
    with TestClient(create_app(settings)) as api:
        gone = api.get("/api/me", headers={"authorization": f"Bearer {laptop.secret}"})
        kept = api.get("/api/me", headers={"authorization": f"Bearer {ci.secret}"})
    assert gone.status_code == 401 and kept.status_code == 200

"""`medcite review` and `medcite users`: tokens, roles, bootstrap, and freshness after ingest."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.articles import open_review
from medcite.articles.service import Review
from medcite.cli import app
from medcite.engine import Engine
from medcite.index import Library
from medcite.schema import to_public
from medcite.settings import load_settings

from .support import create_article

runner = CliRunner()
PASSWORD = "a long enough password"
TOKEN = re.compile(r"mct_[\w-]+")


def medcite(*args: str, token: str | None = None, input: str | None = None) -> tuple[int, str]:
    argv = [*args, "--token", token] if token else list(args)
    result = runner.invoke(app, argv, input=input)
    return result.exit_code, result.output


def add_user(name: str, role: str, admin_token: str | None) -> str:
    code, output = medcite(
        "users", "add", name, "--role", role, "--name", f"Dr {name.title()}", "--issue-token",
        token=admin_token, input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert code == 0, output
    match = TOKEN.search(output)
    assert match, output
    return match.group()


@pytest.fixture
def tokens() -> dict[str, str]:
    admin = add_user("ada", "admin", None)
    return {
        "admin": admin,
        "author": add_user("alice", "author", admin),
        "author2": add_user("arthur", "author", admin),
        "reviewer": add_user("rita", "reviewer", admin),
        "editor": add_user("eve", "editor", admin),
    }


@pytest.fixture
def review() -> Iterator[Review]:
    opened = open_review(load_settings())
    yield opened
    opened.close()


def test_bootstrap_needs_no_token_only_for_the_first_admin(review: Review) -> None:
    code, output = medcite("users", "add", "alice", "--role", "author", "--no-password")
    assert code == 1 and "first user must be an admin" in output
    admin = add_user("ada", "admin", None)
    code, output = medcite("users", "add", "bob", "--role", "admin", "--no-password")
    assert code == 1 and "needs an API token" in output
    code, output = medcite("users", "add", "bob", "--role", "admin", "--no-password", token="mct_x")
    assert code == 1 and "not valid" in output
    alice = add_user("alice", "author", admin)
    code, output = medcite("users", "add", "bob", "--role", "admin", "--no-password", token=alice)
    assert code == 1 and "only an admin" in output
    code, output = medcite("users", "list", token=alice)
    assert code == 0 and "ada" in output and "alice" in output
    assert [u.username for u in review.accounts.users()] == ["ada", "alice"]


def test_a_token_for_one_user_cannot_act_as_another(tokens: dict[str, str]) -> None:
    code, output = medcite("users", "token", "rita", token=tokens["author"])
    assert code == 1 and "only an admin" in output
    code, output = medcite("users", "token", "alice", token=tokens["author"])
    assert code == 0 and TOKEN.search(output)
    code, output = medcite("users", "token", "rita", token=tokens["admin"])
    assert code == 0 and TOKEN.search(output)
    # Without a token: the user's own password.
    code, output = medcite("users", "token", "rita", input=f"{PASSWORD}\n")
    assert code == 0 and TOKEN.search(output)
    code, output = medcite("users", "token", "rita", input="wrong password\n")
    assert code == 1 and "wrong username or password" in output


def test_the_workflow_from_the_command_line(
    tokens: dict[str, str], review: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = create_article(review, review.accounts.by_username("alice"))
    code, output = medcite("review", "list")
    assert code == 1 and "MEDCITE_TOKEN" in output
    code, output = medcite("review", "list", token=tokens["author2"])
    assert code == 0 and article.id not in output  # authors see their own articles
    code, output = medcite("review", "list", token=tokens["reviewer"])
    assert code == 0 and article.id in output and "draft" in output

    steps = [
        (("submit", article.id), "author2", "only the article's author"),
        (("submit", article.id), "author", "Submitted for review"),
        (("assign", article.id), "author", "needs the reviewer role"),
        (("assign", article.id, "--reviewer", "alice"), "editor", "assignee needs the reviewer"),
        (("assign", article.id), "reviewer", "Under review by Dr Rita"),
        (("approve", article.id), "author", "needs the reviewer role"),
        (("approve", article.id), "editor", "Approved by Dr Eve"),
        (("approve", article.id), "reviewer", "cannot approve an article that is approved"),
        (("request-changes", article.id, "--comment", "x"), "reviewer", "cannot request"),
        (("retire", article.id), "reviewer", "needs the editor role"),
    ]
    for args, who, expected in steps:
        code, output = medcite("review", *args, token=tokens[who])
        assert expected in " ".join(output.split()), (args, who, output)
        assert code == (0 if expected[0].isupper() else 1), (args, who, output)

    monkeypatch.setenv("MEDCITE_TOKEN", tokens["reviewer"])
    code, output = medcite("review", "show", article.id, "--json")
    assert code == 0 and json.loads(output)["review_status"] == "approved"
    code, output = medcite("review", "show", article.id)
    assert code == 0 and "Approved by Dr Eve on" in output
    for action in ("create", "submit", "assign", "approve"):
        assert action in output
    code, output = medcite("review", "show", "missing")
    assert code == 1 and "no article with id missing" in output


def test_ingest_flags_articles_whose_sources_changed(
    tokens: dict[str, str], review: Review, corpus: Path
) -> None:
    code, output = medcite("ingest", str(corpus))
    assert code == 0 and "needs re-review" not in output
    settings = load_settings()
    library = Library(settings)
    answer = to_public(Engine(settings).ask("What are the treatments for Brindle syndrome?"))
    article = review.save_answer(answer, library, by=review.accounts.by_username("alice"))
    library.close()
    for args, who in (
        (("submit",), "author"),
        (("assign",), "reviewer"),
        (("approve",), "reviewer"),
    ):
        assert medcite("review", *args, article.id, token=tokens[who])[0] == 0

    page = corpus / "medquad.jsonl"
    page.write_text(page.read_text().replace("every 12 months", "every 6 months"))
    code, output = medcite("ingest", str(corpus))
    assert code == 0 and f"needs re-review: article {article.id}" in output
    code, output = medcite("review", "list", "--stale", token=tokens["reviewer"])
    assert article.id in output and "needs_re_review" in output
    code, output = medcite("review", "check-freshness")
    assert code == 0 and "0 articles newly flagged" in output

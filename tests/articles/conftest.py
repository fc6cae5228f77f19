"""The review store's fixtures, parametrized over SQLite and a real PostgreSQL server.

PostgreSQL runs when MEDCITE_TEST_POSTGRES_URL names a server (`.ci/run` starts one); each
test gets its own schema there, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the review extra is not installed")

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from medcite.articles.accounts import Accounts
from medcite.articles.db import Database
from medcite.articles.records import User
from medcite.articles.service import Review
from medcite.articles.store import ArticleStore
from medcite.articles.workflow import Role

POSTGRES_URL = os.environ.get("MEDCITE_TEST_POSTGRES_URL")
NO_POSTGRES = (
    "MEDCITE_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against "
    "(.ci/run starts one; locally: source .ci/postgres.sh && start_test_postgres)"
)
PASSWORD = "correct horse battery"


def postgres_schema_url(schema: str) -> str:
    assert POSTGRES_URL
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the test server, as a URL whose connections use it."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield postgres_schema_url(schema)
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+pysqlite:///{tmp_path / 'articles.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def review(db_url: str) -> Iterator[Review]:
    db = Database(db_url)
    yield Review(db, Accounts(db), ArticleStore(db))
    db.close()


@dataclass(frozen=True)
class Team:
    admin: User
    author: User
    author2: User
    reviewer: User
    reviewer2: User
    editor: User


@pytest.fixture
def team(review: Review) -> Team:
    accounts = review.accounts
    admin = accounts.add_user("ada", Role.ADMIN, display_name="Dr Ada Admin", password=PASSWORD)

    def add(name: str, role: Role, display: str) -> User:
        return accounts.add_user(name, role, display_name=display, by=admin)

    return Team(
        admin=admin,
        author=add("alice", Role.AUTHOR, "Dr Alice Author"),
        author2=add("arthur", Role.AUTHOR, "Dr Arthur Author"),
        reviewer=add("rita", Role.REVIEWER, "Dr Rita Reviewer"),
        reviewer2=add("rob", Role.REVIEWER, "Dr Rob Reviewer"),
        editor=add("eve", Role.EDITOR, "Dr Eve Editor"),
    )

"""The review database: SQLite in the data directory by default, PostgreSQL by URL.

Opening it runs the Alembic migrations (built in code, no alembic.ini). Sessions come in two
kinds: `read()` and `write()`. On SQLite a write transaction starts with BEGIN IMMEDIATE, so
concurrent writers queue for the lock instead of failing when they upgrade a read snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from medcite.datadir import private_dir, private_file
from medcite.errors import ConfigError, MissingExtra, StoreError
from medcite.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
_WRITE = "medcite_write"
_MIGRATION_LOCK = 0x6D656463  # PostgreSQL advisory lock key: one migrating process at a time


def database_url(settings: Settings) -> URL:
    """`review.database_url`, else SQLite at <home>/articles.sqlite3."""
    configured = settings.review.database_url
    if configured is None:
        return URL.create("sqlite+pysqlite", database=str(sqlite_path(settings)))
    try:
        return make_url(configured.get_secret_value())
    except ArgumentError as exc:
        raise ConfigError(f"review.database_url is not a database URL: {exc}") from exc


def sqlite_path(settings: Settings) -> Path:
    return settings.data_dir / "articles.sqlite3"


class Database:
    """An engine over the review tables, migrated to the latest schema when opened."""

    def __init__(self, url: URL | str) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = self._create_engine()
        self._writer = self.engine.execution_options(**{_WRITE: True})
        try:
            self.migrate()
        except OperationalError as exc:
            self.engine.dispose()
            where = self.url.render_as_string(hide_password=True)
            raise StoreError(f"cannot open the review database {where}: {exc.orig}") from exc

    def _create_engine(self) -> Engine:
        if self.is_sqlite:
            if self.url.database and self.url.database != ":memory:":
                database = Path(self.url.database)  # password and session hashes live here
                private_file(private_dir(database.parent) / database.name)
            engine = create_engine(self.url, connect_args={"check_same_thread": False})
            _configure_sqlite(engine)
            return engine
        try:
            return create_engine(self.url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise MissingExtra("a PostgreSQL review database", "postgres") from exc

    def migrate(self) -> None:
        """Upgrade the schema to the latest migration (a no-op when it is current)."""
        with self._writer.begin() as connection:
            if not self.is_sqlite:
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            command.upgrade(alembic_config(connection), "head")

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that commits when the block ends, or rolls back on an error."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions begun by medcite, not pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not issue its own BEGIN
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=15000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

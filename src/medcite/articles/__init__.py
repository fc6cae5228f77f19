"""Editorial review: answers saved as articles with immutable versions, reviewers, an audit
trail and freshness checks (needs the optional extra `medcite[review]`).

`open_review(settings)` opens the review database (SQLite in the data directory, or the
PostgreSQL database `review.database_url` names) and migrates it.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from medcite.errors import MissingExtra
from medcite.settings import Settings

if TYPE_CHECKING:
    from medcite.articles.service import Review

__all__ = ["open_review", "review_available", "review_database_exists"]

_EXTRA_MODULES = ("sqlalchemy", "alembic", "argon2")


def review_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in _EXTRA_MODULES)


def open_review(settings: Settings) -> Review:
    """The review database, migrated to the latest schema."""
    if not review_available():
        raise MissingExtra("editorial review", "review")
    from medcite.articles.service import Review

    return Review.open(settings)


def review_database_exists(settings: Settings) -> bool:
    """Whether there may be articles to check: a database URL is set or the SQLite file exists."""
    if settings.review.database_url is not None:
        return True
    return (settings.data_dir / "articles.sqlite3").exists()

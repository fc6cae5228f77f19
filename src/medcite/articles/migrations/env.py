"""Alembic environment: migrations run on the connection `medcite.articles.db` hands over.

Offline (SQL script) mode is not used: medcite upgrades the database itself when it opens it.
"""

from __future__ import annotations

from alembic import context

from medcite.articles.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

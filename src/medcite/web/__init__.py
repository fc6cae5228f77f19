"""The web app and HTTP API (`medcite serve`); needs the optional extra `medcite[web]`."""

from __future__ import annotations

import importlib.util
import logging
from typing import TYPE_CHECKING

from medcite.errors import MissingExtra
from medcite.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app", "serve"]


_EXTRA_MODULES = ("fastapi", "jinja2", "multipart", "uvicorn", "sqlalchemy", "alembic", "argon2")


def _require_extra() -> None:
    if any(importlib.util.find_spec(name) is None for name in _EXTRA_MODULES):
        raise MissingExtra("the web app (medcite serve)", "web")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app (pages and JSON API) over the library the settings point at."""
    _require_extra()
    from medcite.web.app import create_app as build

    return build(settings)


class _DropQueryString(logging.Filter):
    """Access logs keep the path only: a query string may hold a question (patient data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def serve(settings: Settings, host: str, port: int) -> None:
    """Run the app with uvicorn until interrupted."""
    app = create_app(settings)
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="info")
    logging.getLogger("uvicorn.access").addFilter(_DropQueryString())
    uvicorn.Server(config).run()

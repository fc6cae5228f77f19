"""The web app and HTTP API (`medcite serve`); needs the optional extra `medcite[web]`."""

from __future__ import annotations

import copy
import importlib.util
import logging
from typing import TYPE_CHECKING, Any

from medcite.errors import MissingExtra
from medcite.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from medcite.llm.base import LLM

__all__ = ["create_app", "serve"]


_EXTRA_MODULES = ("fastapi", "jinja2", "multipart", "uvicorn", "sqlalchemy", "alembic", "argon2")


def _require_extra() -> None:
    if any(importlib.util.find_spec(name) is None for name in _EXTRA_MODULES):
        raise MissingExtra("the web app (medcite serve)", "web")


def create_app(settings: Settings | None = None, llm: LLM | None = None) -> FastAPI:
    """The FastAPI app (pages and JSON API) over the library the settings point at."""
    _require_extra()
    from medcite.web.app import create_app as build

    return build(settings, llm)


class _DropQueryString(logging.Filter):
    """Access logs keep the path only: a query string may hold a question (patient data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the query string dropped from access logs; each
    worker process applies it when it starts."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["drop_query_string"] = {"()": _DropQueryString}
    config["loggers"]["uvicorn.access"]["filters"] = ["drop_query_string"]
    return config


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Run the app with uvicorn until interrupted: in this process, or in `workers` worker
    processes (`medcite.web.workers`)."""
    _require_extra()
    if workers > 1:
        from medcite.web.workers import serve_workers

        serve_workers(settings, host, port, workers)
        return
    app = create_app(settings)
    app.state.service.warm()
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="info", log_config=log_config())
    uvicorn.Server(config).run()

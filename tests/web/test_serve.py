"""`medcite serve`: options, settings defaults, the missing-extra message, log scrubbing."""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

import pytest
from typer.testing import CliRunner

import medcite.web
from medcite.cli import app
from medcite.settings import Settings

runner = CliRunner()


def test_serve_uses_options_then_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Settings, str, int]] = []
    monkeypatch.setattr(medcite.web, "serve", lambda s, h, p, workers: calls.append((s, h, p)))
    assert runner.invoke(app, ["serve"]).exit_code == 0
    assert runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9001"]).exit_code == 0
    monkeypatch.setenv("MEDCITE_WEB__PORT", "8123")
    assert runner.invoke(app, ["serve"]).exit_code == 0
    assert [(h, p) for _, h, p in calls] == [
        ("127.0.0.1", 8000),
        ("0.0.0.0", 9001),
        ("127.0.0.1", 8123),
    ]


def test_serve_without_the_web_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def missing(name: str, *args: Any) -> Any:
        return None if name == "fastapi" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", missing)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "'medcite[web]'" in result.output and "pip install" in result.output


def test_access_log_drops_query_strings() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/ask?q=my+patient+is+52", "1.1", 303),
        None,
    )
    assert medcite.web._DropQueryString().filter(record)
    assert "52" not in record.getMessage() and "/ask" in record.getMessage()

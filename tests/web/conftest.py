"""Fixtures for the web tests: the CMV corpus ingested once per module, an app and a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'medcite[web]'")

from fastapi import FastAPI
from fastapi.testclient import TestClient

from medcite.settings import Settings, load_settings
from medcite.web import create_app

from ..web_support import ingest_cmv_corpus


@pytest.fixture(scope="module")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("web")
    settings = load_settings(home=root / "home")
    ingest_cmv_corpus(settings, root / "corpus")
    return settings


@pytest.fixture(scope="module")
def app(web_settings: Settings) -> FastAPI:
    return create_app(web_settings)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def empty_client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(load_settings(home=tmp_path / "empty-home"))
    with TestClient(app, follow_redirects=False) as client:
        yield client

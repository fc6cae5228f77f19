"""`medcite serve --workers N`: the option, the settings and the shared local model reaching
the worker processes through their environment, and state shared by two apps over one store.

No worker process is started here: uvicorn is replaced by a fake that builds the apps its
workers would, in this process, from the environment `serve_workers` prepared.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from uvicorn.importer import import_from_string

import medcite.web
from medcite.articles import open_review
from medcite.articles.throttle import ThrottlePolicy
from medcite.articles.workflow import Role
from medcite.cli import app as cli
from medcite.engine import Engine
from medcite.errors import ConfigError
from medcite.llm import local
from medcite.llm.base import Message
from medcite.llm.local import LocalEndpoint, SharedLocalModel
from medcite.settings import Settings, load_settings, private_json, settings_from_json
from medcite.web import create_app, log_config
from medcite.web import workers as web_workers

from ..llm_server import ScriptedServer, scripted_server
from .review_helpers import HTML, PASSWORD, hidden, sign_in

runner = CliRunner()
SECRET = "sk-never-on-a-command-line"


def _close(app: FastAPI) -> None:
    app.state.service.close()
    app.state.review.close()


# -- the option -----------------------------------------------------------------------------


def test_workers_come_from_the_option_then_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(medcite.web, "serve", lambda s, h, p, workers: calls.append(workers))
    assert runner.invoke(cli, ["serve"]).exit_code == 0
    assert runner.invoke(cli, ["serve", "--workers", "3"]).exit_code == 0
    monkeypatch.setenv("MEDCITE_WEB__WORKERS", "2")
    assert runner.invoke(cli, ["serve"]).exit_code == 0
    assert calls == [1, 3, 2]
    refused = runner.invoke(cli, ["serve", "--workers", "0"])
    assert refused.exit_code == 2 and "--workers" in refused.output
    monkeypatch.setenv("MEDCITE_WEB__WORKERS", "500")
    too_many = runner.invoke(cli, ["serve"])
    assert too_many.exit_code == 1 and "web.workers" in too_many.output


def test_the_help_teaches_what_workers_share() -> None:
    shown = " ".join(runner.invoke(cli, ["serve", "--help"]).output.split())
    assert "--workers" in shown and "CPU core" in shown and "loaded once" in shown


def test_one_worker_serves_the_app_in_this_process(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs: list[uvicorn.Config] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server: configs.append(server.config))
    asked: list[str] = []
    monkeypatch.setattr(Engine, "ask", lambda _engine, question, **_: asked.append(question))
    medcite.web.serve(settings, "127.0.0.1", 8001)
    (config,) = configs
    assert isinstance(config.app, FastAPI) and config.workers == 1
    assert asked == [settings.corpus.sample_question]  # warmed before the first request
    _close(config.app)


def test_warming_an_empty_library_does_not_stop_the_server(settings: Settings) -> None:
    app = medcite.web.create_app(settings)
    app.state.service.warm()  # nothing ingested: logged, not raised
    _close(app)


# -- settings and the model reach the workers privately ---------------------------------


def test_settings_pass_to_a_worker_with_their_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        home=tmp_path / "home",
        web={"port": 8123},
        llm={"api_key": SECRET},
        review={"database_url": f"sqlite:///{tmp_path}/articles.sqlite3"},
    )
    again = settings_from_json(private_json(settings))
    assert again == settings and again.fingerprint() == settings.fingerprint()
    assert again.llm.api_key is not None and again.llm.api_key.get_secret_value() == SECRET
    with pytest.raises(ConfigError, match=r"invalid settings: web\.workers"):
        settings_from_json(json.dumps({"web": {"workers": 0}}))


def test_several_workers_run_the_factory_by_import_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(home=tmp_path / "home", llm={"api_key": SECRET})
    runs: list[tuple[tuple[Any, ...], dict[str, Any], dict[str, str]]] = []

    def fake_run(*args: Any, **kwargs: Any) -> None:
        runs.append((args, kwargs, dict(os.environ)))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    medcite.web.serve(settings, "127.0.0.1", 8002, workers=3)
    ((args, kwargs, environment),) = runs
    assert args == (web_workers.FACTORY,) and kwargs["factory"] is True
    assert kwargs["workers"] == 3 and (kwargs["host"], kwargs["port"]) == ("127.0.0.1", 8002)
    assert SECRET not in repr((args, kwargs))  # a command line shows nothing secret
    assert settings_from_json(environment[web_workers.SETTINGS_ENV]) == settings
    assert web_workers.MODEL_ENV not in environment  # no local model: nothing to share
    assert web_workers.SETTINGS_ENV not in os.environ  # cleared when the server stops
    assert import_from_string(web_workers.FACTORY) is web_workers.app_from_environment


def test_the_factory_builds_the_app_from_the_environment(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(web_workers.SETTINGS_ENV, raising=False)
    with pytest.raises(ConfigError, match="--workers N"):
        web_workers.app_from_environment()
    chosen = settings.model_copy(update={"web": settings.web.model_copy(update={"port": 8124})})
    monkeypatch.setenv(web_workers.SETTINGS_ENV, private_json(chosen))
    app = web_workers.app_from_environment()
    assert app.state.settings == chosen and app.state.service.engine.llm is None
    with TestClient(app) as client:
        assert client.get("/healthz").json()["status"] == "empty"


def test_workers_log_access_without_query_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    config = uvicorn.Config("x:y", log_config=log_config())  # the parent configures first
    access = logging.getLogger("uvicorn.access")
    monkeypatch.setattr(access, "filters", [])
    pickle.loads(pickle.dumps(config)).configure_logging()  # what a spawned worker does
    (dropping,) = access.filters
    assert isinstance(dropping, medcite.web._DropQueryString)


# -- one local model for all workers ------------------------------------------------------


class _FakeLlamaServer:
    """Stands for xllamacpp.Server: 'loads' the model by pointing at a scripted server."""

    started: ClassVar[list[Any]] = []
    address = ""

    def __init__(self, params: Any) -> None:
        self.params = params
        self.listening_address = self.address
        _FakeLlamaServer.started.append(params)


def _fake_xllamacpp() -> Any:
    def params() -> Any:
        cpu = SimpleNamespace(n_threads=0)
        return SimpleNamespace(model=SimpleNamespace(path=""), cpuparams=cpu, cpuparams_batch=cpu)

    return SimpleNamespace(CommonParams=params, Server=_FakeLlamaServer)


@pytest.fixture
def llama(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        _FakeLlamaServer.started = []
        _FakeLlamaServer.address = server.url.removesuffix("/v1")
        monkeypatch.setattr(local, "_xllamacpp", _fake_xllamacpp)
        yield server


def test_the_parent_loads_the_local_model_once_for_all_workers(
    tmp_path: Path, llama: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF")
    settings = load_settings(home=tmp_path / "home", llm={"backend": "local", "model_path": gguf})
    llama.script(["first worker", "second worker"])
    replies: list[str] = []

    def two_workers(*args: Any, **kwargs: Any) -> None:
        for _ in range(2):
            app = web_workers.app_from_environment()
            writer = app.state.service.engine.llm
            assert isinstance(writer, SharedLocalModel) and writer.is_local
            replies.append(writer.complete([Message("user", "hi")]).text)
            assert app.state.service.engine.settings.fingerprint() == settings.fingerprint()
            _close(app)

    monkeypatch.setattr(uvicorn, "run", two_workers)
    medcite.web.serve(settings, "127.0.0.1", 8003, workers=2)
    (params,) = _FakeLlamaServer.started
    token = params.api_keys[0]
    assert replies == ["first worker", "second worker"] and params.hostnames == ["127.0.0.1"]
    assert [r.headers["authorization"] for r in llama.requests] == [f"Bearer {token}"] * 2
    assert web_workers.MODEL_ENV not in os.environ


def test_a_shared_model_must_be_on_this_machine(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="must listen on this machine"):
        SharedLocalModel(LocalEndpoint("http://example.org/v1", "t", "m"), settings.llm)
    assert "s3cret" not in repr(LocalEndpoint("http://127.0.0.1:1/v1", "s3cret", "m"))


# -- state shared by two workers over one store -------------------------------------------


@pytest.fixture
def two_workers(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    review = open_review(settings)
    review.accounts.add_user("ada", Role.ADMIN, password=PASSWORD)
    review.close()
    apps = create_app(settings), create_app(settings)
    with TestClient(apps[0], follow_redirects=False) as a, TestClient(apps[1]) as b:
        b.follow_redirects = False
        yield a, b


def test_a_session_made_in_one_worker_is_valid_in_another(
    two_workers: tuple[TestClient, TestClient],
) -> None:
    first, second = two_workers
    csrf = sign_in(first, "ada")
    second.cookies.set("medcite_session", first.cookies["medcite_session"])
    page = second.get("/review", headers=HTML)
    assert page.status_code == 200 and hidden(page.text, "csrf") == csrf
    signed_out = second.post("/logout", data={"csrf": csrf}, headers=HTML)
    assert signed_out.status_code == 303
    gone = first.get("/review", headers=HTML)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")


def test_failed_sign_ins_in_one_worker_throttle_another(
    two_workers: tuple[TestClient, TestClient],
) -> None:
    first, second = two_workers
    for _ in range(ThrottlePolicy().free_account + 1):
        form = first.get("/login", headers=HTML).text
        data = {"username": "ada", "password": "wrong password!", "csrf": hidden(form, "csrf")}
        assert first.post("/login", data=data, headers=HTML).status_code == 401
    form = second.get("/login", headers=HTML).text
    data = {"username": "ada", "password": PASSWORD, "csrf": hidden(form, "csrf")}
    assert second.post("/login", data=data, headers=HTML).status_code == 429

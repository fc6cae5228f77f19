"""`medcite serve --workers N`: N uvicorn worker processes over one library.

The parent process loads nothing but a local model (`llm.backend = "local"`), which it starts
once and shares; uvicorn spawns the workers, and each builds its app with
`app_from_environment`, uvicorn's factory. What a worker needs it finds in its environment,
never on its command line (which any user of the machine can list): the settings with their
secrets (`private_json`), and the shared model's loopback address and token.

Nothing a request depends on lives in one worker's memory: conversations are in the store,
sessions, their CSRF tokens and the sign-in throttle in the review database, and form tokens
in the browser's cookie. Writes take the store's locks (one writer at a time).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from medcite.errors import ConfigError
from medcite.llm.backends import open_llm
from medcite.llm.local import LocalEndpoint, LocalModel, SharedLocalModel
from medcite.settings import Settings, private_json, settings_from_json
from medcite.web import create_app, log_config

if TYPE_CHECKING:
    from fastapi import FastAPI

FACTORY = "medcite.web.workers:app_from_environment"
SETTINGS_ENV = "MEDCITE_SERVE_SETTINGS"
MODEL_ENV = "MEDCITE_SERVE_LOCAL_MODEL"


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run `workers` uvicorn worker processes until interrupted."""
    import uvicorn

    model = shared_model(settings)
    environment = worker_environment(settings, model.endpoint() if model else None)
    os.environ.update(environment)  # spawned workers inherit it
    try:
        uvicorn.run(
            FACTORY,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            log_config=log_config(),
        )
    finally:
        for name in environment:
            os.environ.pop(name, None)
        if model is not None:
            model.close()


def shared_model(settings: Settings) -> LocalModel | None:
    """The local model the workers will share, or None when each worker opens its own
    writer (an HTTP client, or none). A configuration error shows here, before any worker."""
    llm = open_llm(settings.llm, settings.models_dir)
    if isinstance(llm, LocalModel):
        return llm
    if llm is not None:
        llm.close()
    return None


def worker_environment(settings: Settings, model: LocalEndpoint | None) -> dict[str, str]:
    """The variables a worker reads in `app_from_environment`."""
    environment = {SETTINGS_ENV: private_json(settings)}
    if model is not None:
        endpoint = {"base_url": model.base_url, "token": model.token, "model": model.model}
        environment[MODEL_ENV] = json.dumps(endpoint)
    return environment


def app_from_environment() -> FastAPI:
    """The app one worker serves, from what `serve_workers` put in its environment."""
    blob = os.environ.get(SETTINGS_ENV)
    if not blob:
        raise ConfigError(
            f"{SETTINGS_ENV} is not set: start the workers with `medcite serve --workers N`"
        )
    settings = settings_from_json(blob)
    app = create_app(settings, _shared_writer(settings))
    app.state.service.warm()
    return app


def _shared_writer(settings: Settings) -> SharedLocalModel | None:
    blob = os.environ.get(MODEL_ENV)
    if not blob:
        return None
    try:
        endpoint = LocalEndpoint(**json.loads(blob))
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"{MODEL_ENV} does not describe a local model ({type(exc).__name__}); start the "
            "workers with `medcite serve --workers N`"
        ) from None
    return SharedLocalModel(endpoint, settings.llm)

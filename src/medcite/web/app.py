"""The web app: `create_app(settings)` builds the pages and the JSON API over one engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from medcite import __version__
from medcite.articles import open_review
from medcite.datadir import private_umask
from medcite.llm.base import LLM
from medcite.settings import Settings, load_settings
from medcite.web import api, pages, review, review_api
from medcite.web.auth import viewer_context
from medcite.web.middleware import BodyLimit, SameOriginWrites, SecurityHeaders
from medcite.web.problems import install_error_handlers
from medcite.web.service import AskService
from medcite.web.templating import STATIC, make_templates

DESCRIPTION = (
    "Clinical questions answered from the indexed sources, offline. Every statement of an "
    "answer is a sentence quoted from the passage it cites (`quotes`), checked before it is "
    "shown. Errors are RFC 9457 problem details (`application/problem+json`)."
)


def create_app(settings: Settings | None = None, llm: LLM | None = None) -> FastAPI:
    """The app, with the engine opened now and closed when the server stops; `llm`, when
    given, writes the answers instead of the backend `settings.llm` names."""
    settings = settings or load_settings()
    private_umask()  # stored questions and sessions: owner only
    service = AskService(settings, llm)
    articles = open_review(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close()
            articles.close()

    app = FastAPI(
        title="medcite",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI would load scripts from a CDN: medcite stays offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.review = articles
    app.state.templates = make_templates([viewer_context])
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(review_api.router)
    app.include_router(api.health_router)
    app.include_router(pages.router)
    app.include_router(review.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, max_bytes=settings.web.max_body_bytes)
    app.add_middleware(SameOriginWrites)
    app.add_middleware(SecurityHeaders)
    return app

"""Errors as RFC 9457 problem details for the API, and as an HTML page for the pages.

The library raises typed errors; this is the one place that turns them into HTTP statuses.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from medcite.errors import (
    AuthenticationRequired,
    EmptyIndex,
    MedciteError,
    NotFound,
    PermissionDenied,
    ReviewConflict,
    ServerBusy,
    SignInThrottled,
    StoreError,
)
from medcite.schema import Problem

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:medcite:problem:"
# First match wins: (error class, status, problem type).
_ERROR_STATUS: tuple[tuple[type[MedciteError], int, str], ...] = (
    (NotFound, 404, "not-found"),
    (SignInThrottled, 429, "too-many-sign-ins"),
    (AuthenticationRequired, 401, "unauthenticated"),
    (PermissionDenied, 403, "forbidden"),
    (ReviewConflict, 409, "conflict"),
    (EmptyIndex, 503, "empty-index"),
    (ServerBusy, 503, "busy"),
    (StoreError, 503, "store-unavailable"),
    (MedciteError, 422, "invalid-request"),
)


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    body = Problem(
        type=f"{_TYPE_PREFIX}{kind}" if kind else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
    )
    return ProblemResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the problem responses an operation may give."""
    schema = Problem.model_json_schema()
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
        }
        for status in statuses
    }


def status_of(exc: MedciteError) -> tuple[int, str]:
    for cls, status, kind in _ERROR_STATUS:
        if isinstance(exc, cls):
            return status, kind
    return 422, "invalid-request"  # pragma: no cover - MedciteError is the last entry


def wants_html(request: Request) -> bool:
    """Pages get an HTML error; the API and clients that do not ask for HTML get JSON."""
    path = request.url.path
    if path.startswith(("/api/", "/healthz", "/static/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MedciteError)
    async def medcite_error(request: Request, exc: MedciteError) -> Response:
        status, kind = status_of(exc)
        headers = (
            {"WWW-Authenticate": "Bearer"} if status == 401 and not wants_html(request) else None
        )
        if isinstance(exc, SignInThrottled):
            headers = {"Retry-After": str(exc.retry_after_s)}
        return _respond(request, status, str(exc), kind=kind, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors[:3])
        first = errors[0]["msg"] if errors else "invalid request"
        detail = f"the request is not valid ({where}): {first}"
        return _respond(request, 422, detail, kind="validation", errors=jsonable_encoder(errors))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}; the API is described at /api/openapi.json"
        return _respond(request, exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return _respond(request, 500, "medcite failed unexpectedly; the server log has details")


def _respond(
    request: Request,
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if wants_html(request):
        templates = request.app.state.templates
        page: Response = templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "title": HTTPStatus(status).phrase, "detail": detail},
            status_code=status,
            headers=headers,
        )
        return page
    return problem(
        status, detail, instance=request.url.path, kind=kind, errors=errors, headers=headers
    )

"""Who is asking: a browser session (pages, with a CSRF token per session) or an API token.

Pages sign in with a password and keep a session cookie (HttpOnly, SameSite=Lax, Secure over
https or as configured). Every form a signed-in page posts carries the session's CSRF token.
The JSON API takes only `Authorization: Bearer <token>`, never the cookie.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from medcite.articles import auth
from medcite.articles.records import User, WebSession
from medcite.articles.service import Review
from medcite.errors import AuthenticationRequired, PermissionDenied
from medcite.settings import Settings

SESSION_COOKIE = "medcite_session"
LOGIN_COOKIE = "medcite_login"  # the sign-in form's own CSRF token (double submit)
_CACHE = "medcite_web_session"


def get_review(request: Request) -> Review:
    review: Review = request.app.state.review
    return review


ReviewDep = Annotated[Review, Depends(get_review)]


def web_session(request: Request) -> WebSession | None:
    """The signed-in session the request's cookie names (looked up once per request)."""
    if not hasattr(request.state, _CACHE):
        review: Review = request.app.state.review
        found = review.accounts.session(request.cookies.get(SESSION_COOKIE))
        setattr(request.state, _CACHE, found)
    found_session: WebSession | None = getattr(request.state, _CACHE)
    return found_session


def viewer_context(request: Request) -> dict[str, Any]:
    """Every page knows who is signed in (for the navigation and the forms' CSRF token)."""
    return {"viewer": web_session(request)}


def signed_in(request: Request) -> WebSession:
    found = web_session(request)
    if found is None:
        raise AuthenticationRequired("sign in first: /login")
    return found


def checked_form(
    session: Annotated[WebSession, Depends(signed_in)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> WebSession:
    """A signed-in form post whose CSRF token matches its session's."""
    if not auth.same_secret(csrf, session.csrf_token):
        raise PermissionDenied("the form has expired or did not come from this site; reload it")
    return session


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token from `medcite users token NAME` (shown once when issued).",
)


def api_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user an API request's bearer token names."""
    if credentials is None or not credentials.credentials.strip():
        raise AuthenticationRequired(
            "send an API token: Authorization: Bearer <token> (`medcite users token NAME`)"
        )
    review: Review = request.app.state.review
    return review.accounts.user_for_token(credentials.credentials.strip())


SessionDep = Annotated[WebSession | None, Depends(web_session)]
SignedInDep = Annotated[WebSession, Depends(signed_in)]
FormSessionDep = Annotated[WebSession, Depends(checked_form)]
ApiUserDep = Annotated[User, Depends(api_user)]


def secure_cookies(request: Request, settings: Settings) -> bool:
    mode = settings.review.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def set_cookie(
    response: Response, request: Request, settings: Settings, name: str, value: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, settings),
    )


def safe_next(target: str | None) -> str:
    """Only a path on this site is a redirect target after signing in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/review"

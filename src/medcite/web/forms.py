"""Forms that create stored state (asking, following up, switching audience) only from this
site's own pages.

A page that shows such a form sets a random token in a cookie (HttpOnly, SameSite=Lax) and
in a hidden field; the post must carry both, equal (double submit). Another site can neither
read the cookie nor, SameSite, make the browser send it with a cross-site post. A plain link
(`GET /ask?q=…`) only fills in the question box: it stores nothing.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from medcite.articles.auth import new_csrf_token, same_secret
from medcite.errors import PermissionDenied
from medcite.web.auth import set_cookie
from medcite.web.deps import SettingsDep

FORM_COOKIE = "medcite_form"
FORM_FIELD = "form_token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_MAX_AGE_S = 7 * 24 * 3600


def form_token(request: Request) -> str:
    """The browser's form token: the one its cookie holds, else a new one."""
    held = request.cookies.get(FORM_COOKIE, "")
    return held if _TOKEN.fullmatch(held) else new_csrf_token()


def with_form_cookie(
    response: Response, request: Request, settings: SettingsDep, token: str
) -> Response:
    """The response, setting the form token's cookie when the browser lacks it."""
    if request.cookies.get(FORM_COOKIE) != token:
        set_cookie(response, request, settings, FORM_COOKIE, token, _MAX_AGE_S)
    return response


def checked_form_token(
    request: Request, form_token: Annotated[str, Form(max_length=100)] = ""
) -> None:
    """Refuse a post whose hidden token is missing or differs from its cookie's."""
    held = request.cookies.get(FORM_COOKIE) or "\0"
    if not same_secret(form_token, held):
        raise PermissionDenied(
            "the form did not come from this site, or it expired: reload the page and ask again"
        )


FormTokenDep = Annotated[None, Depends(checked_form_token)]

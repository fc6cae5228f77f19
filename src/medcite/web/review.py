"""The editorial review pages: sign in and out, the review queue, saving an answer as an
article, the article page (status, versions, actions, claim comments, audit trail) and the
diff between versions. Forms post and redirect (303); each carries the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from medcite.articles import auth
from medcite.articles.diff import diff_answers
from medcite.articles.records import Article, User
from medcite.articles.service import Review, shown_answer
from medcite.articles.workflow import QUEUE, Action, Role, allowed_actions, check_permission
from medcite.errors import AuthenticationRequired, PermissionDenied, SignInThrottled
from medcite.schema import AnswerPublic
from medcite.settings import Settings
from medcite.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    FormSessionDep,
    ReviewDep,
    SessionDep,
    safe_next,
    set_cookie,
)
from medcite.web.deps import ServiceDep, SettingsDep, TemplatesDep

router = APIRouter(include_in_schema=False)
LOGIN_MINUTES = 30

Text = Annotated[str, Form(max_length=4000)]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# -- signing in and out ------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    templates: TemplatesDep,
    settings: SettingsDep,
    next: Annotated[str, Query(max_length=500)] = "/review",
) -> Response:
    return _login_form(request, templates, settings, safe_next(next), None, 200)


def _login_form(
    request: Request,
    templates: Jinja2Templates,
    settings: Settings,
    next_url: str,
    error: str | None,
    status: int,
) -> Response:
    token = auth.new_csrf_token()
    context = {"next": next_url, "login_csrf": token, "error": error}
    response: Response = templates.TemplateResponse(
        request, "login.html", context, status_code=status
    )
    set_cookie(response, request, settings, LOGIN_COOKIE, token, LOGIN_MINUTES * 60)
    return response


@router.post("/login")
def login(
    request: Request,
    review: ReviewDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/review",
) -> Response:
    if not auth.same_secret(csrf, request.cookies.get(LOGIN_COOKIE) or "\0"):
        message = "the sign-in form expired; try again"
        return _login_form(request, templates, settings, safe_next(next), message, 403)
    address = request.client.host if request.client else None
    try:
        user = review.accounts.check_password(username, password, address=address)
    except SignInThrottled as exc:
        page = _login_form(request, templates, settings, safe_next(next), str(exc), 429)
        page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    except AuthenticationRequired as exc:
        return _login_form(request, templates, settings, safe_next(next), str(exc), 401)
    hours = settings.review.session_hours
    cookie, _ = review.accounts.start_session(user, hours)
    response = _redirect(safe_next(next))
    set_cookie(response, request, settings, SESSION_COOKIE, cookie, int(hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, review: ReviewDep, session: FormSessionDep) -> Response:
    review.accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
    response = _redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- the queue, and saving an answer -----------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def queue(
    request: Request, review: ReviewDep, session: SessionDep, templates: TemplatesDep
) -> Response:
    """Reviewers: submitted, under review, needs re-review. Everyone: their own articles."""
    if session is None:
        return _redirect("/login?" + urlencode({"next": "/review"}))
    user = session.user
    reviewer = user.role.includes(Role.REVIEWER)
    context = {
        "reviewer": reviewer,
        "queue": review.articles.articles(QUEUE, stale=False) if reviewer else [],
        "stale": review.articles.articles(stale=True) if reviewer else [],
        "mine": review.articles.articles(author_id=user.id),
    }
    return templates.TemplateResponse(request, "review_queue.html", context)


@router.post("/articles")
def save_as_article(
    review: ReviewDep,
    service: ServiceDep,
    session: FormSessionDep,
    answer_id: Annotated[str, Form(max_length=128)],
) -> Response:
    saved = service.conversations.answer(answer_id)
    answer = AnswerPublic.model_validate_json(saved.body)
    library = service.engine.library
    article = review.save_answer(answer, library, by=session.user, answer_id=saved.id)
    return _redirect(f"/articles/{article.id}")


# -- an article ----------------------------------------------------------------------------


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request,
    article_id: str,
    review: ReviewDep,
    session: SessionDep,
    templates: TemplatesDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    article = review.articles.article(article_id)
    shown = review.articles.version(article_id, version)
    answer = shown_answer(article, shown)
    user = session.user if session else None
    reviewers = _assignable(review, article) if user and _is_editor(user) else []
    current = shown.number == article.current_version
    context = {
        "article": article,
        "version": shown,
        "answer": answer,
        "claims": _claim_choices(answer),
        "history": review.articles.history(article_id),
        "comments": review.articles.comments(article_id),
        "actions": _actions_for(user, article, reviewers) if current else [],
        "reviewers": reviewers,
        "may_comment": user is not None and _may_comment(user, article),
    }
    return templates.TemplateResponse(request, "article.html", context)


@router.post("/articles/{article_id}/actions/{action}")
def act(
    article_id: str,
    action: Action,
    review: ReviewDep,
    service: ServiceDep,
    session: FormSessionDep,
    revision: Annotated[int, Form(ge=1)],
    comment: Text = "",
    reviewer: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """One workflow step, with the revision the page showed (a conflict if it moved on)."""
    user = session.user
    if action is Action.REVISE:
        article = review.articles.article(article_id)
        review.revise(article, service.engine, by=user, expected_revision=revision)
    else:
        assignee = review.accounts.by_username(reviewer) if reviewer else None
        review.articles.transition(
            article_id,
            action,
            by=user,
            expected_revision=revision,
            comment=comment or None,
            reviewer=assignee,
        )
    return _redirect(f"/articles/{article_id}")


@router.post("/articles/{article_id}/comments")
def comment(
    article_id: str,
    review: ReviewDep,
    session: FormSessionDep,
    body: Text,
    version: Annotated[int, Form(ge=1)],
    claim: Annotated[str, Form(max_length=10, pattern=r"^\d*$")] = "",
) -> Response:
    review.articles.comment(
        article_id,
        by=session.user,
        body=body,
        version=version,
        claim_index=int(claim) if claim else None,
    )
    return _redirect(f"/articles/{article_id}?version={version}#comments")


@router.get("/articles/{article_id}/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    article_id: str,
    review: ReviewDep,
    templates: TemplatesDep,
    old: Annotated[int, Query(alias="from", ge=1)],
    new: Annotated[int, Query(alias="to", ge=1)],
) -> Response:
    article = review.articles.article(article_id)
    before, after = (
        review.articles.version(article_id, old),
        review.articles.version(article_id, new),
    )
    diff = diff_answers(before.answer_json, after.answer_json, old, new)
    context = {"article": article, "diff": diff, "before": before, "after": after}
    return templates.TemplateResponse(request, "diff.html", context)


# -- helpers -------------------------------------------------------------------------------


def _is_editor(user: User) -> bool:
    return user.role.includes(Role.EDITOR)


def _actions_for(user: User | None, article: Article, reviewers: list[User]) -> list[Action]:
    """The steps this user may take now (the page offers only these).

    Assigning is not offered to the reviewer who already has the review, unless they are an
    editor with someone else to hand it to (`reviewers`).
    """
    if user is None:
        return []
    holds_review = article.reviewer is not None and article.reviewer.id == user.id
    others = [r for r in reviewers if r.id != user.id]
    allowed = []
    for action in allowed_actions(article.status):
        if action is Action.ASSIGN and holds_review and not others:
            continue
        try:
            check_permission(user.actor, action, article.parties)
        except PermissionDenied:
            if not (action is Action.ASSIGN and _is_editor(user)):
                continue
        allowed.append(action)
    return allowed


def _assignable(review: Review, article: Article) -> list[User]:
    excluded = {article.author.id, article.version_creator.id}
    return [
        u
        for u in review.accounts.users()
        if u.role.includes(Role.REVIEWER) and u.id not in excluded
    ]


def _may_comment(user: User, article: Article) -> bool:
    return user.role.includes(Role.REVIEWER) or user.id == article.author.id


def _claim_choices(answer: AnswerPublic) -> list[tuple[int, str, str]]:
    """(claim index, section title, text) for the comment form, bottom line first."""
    rows = [("Bottom line", c.text) for c in answer.bottom_line]
    rows += [(s.title, c.text) for s in answer.sections for c in s.claims]
    return [(i, title, text) for i, (title, text) in enumerate(rows)]

"""The HTML pages: ask, a conversation (answers, audience switch, follow-up), a passage in its
document, the indexed sources. Forms post and redirect (303) to the conversation's page; each
carries the browser's form token (`web/forms.py`), and a link never asks by itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from medcite.engine import MAX_QUESTION_CHARS
from medcite.errors import MedciteError
from medcite.schema import AnswerPublic
from medcite.settings import SAMPLE_QUESTION, Settings
from medcite.types import Audience, DocKind
from medcite.web.deps import EngineDep, ServiceDep, SettingsDep, TemplatesDep
from medcite.web.forms import FormTokenDep, form_token, with_form_cookie
from medcite.web.service import AskService, answer_url

router = APIRouter(include_in_schema=False)
PASSAGE_CONTEXT = 1500  # characters of the document shown each side of a passage

QuestionForm = Annotated[str, Form(max_length=MAX_QUESTION_CHARS * 2)]
AudienceForm = Annotated[Audience, Form()]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, service: ServiceDep, settings: SettingsDep, templates: TemplatesDep
) -> Response:
    return _ask_page(request, service, settings, templates)


@router.get("/ask", response_class=HTMLResponse)
def ask_link(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=MAX_QUESTION_CHARS * 2)] = "",
    audience: Audience = Audience.CLINICIAN,
) -> Response:
    """A link (a related question) fills in the question box; only the form's post asks, so
    a link from another site cannot make this server store anything."""
    if not q.strip():
        return _redirect("/")
    if len(" ".join(q.split())) > MAX_QUESTION_CHARS:
        raise MedciteError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
    return _ask_page(request, service, settings, templates, q, audience)


def _ask_page(
    request: Request,
    service: AskService,
    settings: Settings,
    templates: Jinja2Templates,
    prefill: str = "",
    audience: Audience = Audience.CLINICIAN,
) -> Response:
    recent = service.recent()
    related = AnswerPublic.model_validate_json(recent[0].body).related_questions if recent else []
    token = form_token(request)
    context = {
        "recent": recent,
        "related": related,
        "sample": SAMPLE_QUESTION,
        "indexed": service.engine.library.lexical.size(),
        "max_chars": MAX_QUESTION_CHARS,
        "prefill": prefill,
        "audience": audience.value,
        "form_token": token,
    }
    response = templates.TemplateResponse(request, "ask.html", context)
    return with_form_cookie(response, request, settings, token)


@router.post("/ask")
def ask_form(
    service: ServiceDep, q: QuestionForm, audience: AudienceForm, _: FormTokenDep
) -> Response:
    if not q.strip():
        return _redirect("/")
    return _redirect(answer_url(service.start(q, audience)))


@router.get("/c/{conversation_id}", response_class=HTMLResponse)
def conversation(
    request: Request,
    conversation_id: str,
    service: ServiceDep,
    settings: SettingsDep,
    templates: TemplatesDep,
) -> Response:
    found = service.conversations.conversation(conversation_id)
    turns = service.turns(found)
    share = (
        request.url_for("answer_page", answer_id=turns[-1].saved.id)
        if turns
        else request.url_for("conversation", conversation_id=found.id)
    )
    token = form_token(request)
    context = {
        "conversation": found,
        "turns": turns,
        "share_url": str(share),
        "max_chars": MAX_QUESTION_CHARS,
        "form_token": token,
    }
    response = templates.TemplateResponse(request, "conversation.html", context)
    return with_form_cookie(response, request, settings, token)


@router.get("/answers/{answer_id}", response_class=HTMLResponse)
def answer_page(
    request: Request, answer_id: str, service: ServiceDep, templates: TemplatesDep
) -> Response:
    """One stored answer by its id: the page a share link opens (it never holds the question)."""
    turn = service.turn(answer_id)
    context = {
        "turn": turn,
        "share_url": str(request.url_for("answer_page", answer_id=turn.saved.id)),
    }
    return templates.TemplateResponse(request, "answer.html", context)


@router.post("/c/{conversation_id}")
def follow_up(
    conversation_id: str,
    service: ServiceDep,
    q: QuestionForm,
    audience: AudienceForm,
    _: FormTokenDep,
) -> Response:
    if not q.strip():
        return _redirect(f"/c/{conversation_id}")
    return _redirect(answer_url(service.follow_up(conversation_id, q, audience)))


@router.post("/c/{conversation_id}/audience")
def switch_audience(
    conversation_id: str, service: ServiceDep, audience: AudienceForm, _: FormTokenDep
) -> Response:
    saved = service.switch_audience(conversation_id, audience)
    return _redirect(answer_url(saved) if saved else f"/c/{conversation_id}")


@router.get("/passages/{passage_id}", response_class=HTMLResponse)
def passage(
    request: Request,
    passage_id: str,
    engine: EngineDep,
    templates: TemplatesDep,
    start: Annotated[int | None, Query(ge=0)] = None,
    end: Annotated[int | None, Query(ge=0)] = None,
    full: bool = False,
) -> Response:
    """The passage highlighted in its cleaned document; the quote (start:end) within it."""
    store = engine.library.store
    found = store.passage(passage_id)
    text = store.document_text(found.document.id)
    lo = 0 if full else max(0, found.start - PASSAGE_CONTEXT)
    hi = len(text) if full else min(len(text), found.end + PASSAGE_CONTEXT)
    quote = (start, end) if start is not None and end is not None and start < end else None
    if quote and quote[1] > len(found.text):
        quote = None
    body = found.text
    context = {
        "passage": found,
        "document": found.document,
        "before": text[lo : found.start],
        "after": text[found.end : hi],
        "cut_before": lo > 0,
        "cut_after": hi < len(text),
        "pre_quote": body[: quote[0]] if quote else body,
        "quote": body[quote[0] : quote[1]] if quote else "",
        "post_quote": body[quote[1] :] if quote else "",
        "length": len(text),
    }
    return templates.TemplateResponse(request, "passage.html", context)


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, engine: EngineDep, templates: TemplatesDep) -> Response:
    rows = [
        {"kind": DocKind(k).label, "source": s, "documents": d, "passages": p}
        for k, s, d, p in engine.library.store.counts_by_kind()
    ]
    return templates.TemplateResponse(request, "sources.html", {"rows": rows})

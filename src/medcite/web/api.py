"""The JSON API. Endpoints are plain `def`: FastAPI runs them on its thread pool, since the
engine is synchronous. Lists come as `{data, count}`; errors as problem details."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from medcite import __version__
from medcite.schema import (
    AskRequest,
    ConversationCreate,
    ConversationPublic,
    HealthPublic,
    MessageCreate,
    PassagePublic,
    SavedAnswerPublic,
    SourceList,
    SourcePublic,
    passage_public,
)
from medcite.types import DocKind
from medcite.web.deps import EngineDep, ServiceDep
from medcite.web.problems import problem_responses
from medcite.web.service import conversation_public, saved_public

router = APIRouter(prefix="/api")
health_router = APIRouter()

Id = Annotated[
    str,
    Path(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="An id returned by the API.",
    ),
]


def _links(answer: str | None = None, conversation: str | None = None) -> dict[str, Any]:
    """OpenAPI links: where the ids in a response can be used next."""
    links: dict[str, Any] = {}
    if answer:
        links["GetAnswer"] = {"operationId": "get_answer", "parameters": {"answer_id": answer}}
    if conversation:
        links["GetConversation"] = {
            "operationId": "get_conversation",
            "parameters": {"conversation_id": conversation},
        }
        links["AddMessage"] = {
            "operationId": "add_message",
            "parameters": {"conversation_id": conversation},
        }
    return {"links": links}


@router.post(
    "/ask",
    operation_id="ask",
    tags=["answers"],
    summary="Answer a question (starts a conversation)",
    responses={
        200: _links(answer="$response.body#/id", conversation="$response.body#/conversation_id"),
        **problem_responses(400, 413, 422, 503),
    },
)
def ask(request: AskRequest, service: ServiceDep) -> SavedAnswerPublic:
    """Answer from the indexed sources; every statement cites the passage it quotes.

    The answer is saved as the first turn of a new conversation: follow up with
    `POST /api/conversations/{conversation_id}/messages`.
    """
    return saved_public(service.start(request.question, request.audience))


@router.get(
    "/answers/{answer_id}",
    operation_id="get_answer",
    tags=["answers"],
    summary="A saved answer",
    responses=problem_responses(404, 422),
)
def get_answer(answer_id: Id, service: ServiceDep) -> SavedAnswerPublic:
    return saved_public(service.conversations.answer(answer_id))


@router.post(
    "/conversations",
    operation_id="create_conversation",
    tags=["conversations"],
    summary="Start an empty conversation",
    status_code=status.HTTP_201_CREATED,
    responses={
        201: _links(conversation="$response.body#/id"),
        **problem_responses(400, 413, 422),
    },
)
def create_conversation(request: ConversationCreate, service: ServiceDep) -> ConversationPublic:
    return conversation_public(service.conversations.create(request.audience), [])


@router.get(
    "/conversations/{conversation_id}",
    operation_id="get_conversation",
    tags=["conversations"],
    summary="A conversation and its answers, oldest first",
    responses=problem_responses(404, 422),
)
def get_conversation(conversation_id: Id, service: ServiceDep) -> ConversationPublic:
    conversation = service.conversations.conversation(conversation_id)
    return conversation_public(conversation, service.conversations.answers(conversation.answer_ids))


@router.post(
    "/conversations/{conversation_id}/messages",
    operation_id="add_message",
    tags=["conversations"],
    summary="Ask a follow-up question in a conversation",
    status_code=status.HTTP_201_CREATED,
    responses={
        201: _links(answer="$response.body#/id"),
        **problem_responses(400, 404, 413, 422, 503),
    },
)
def add_message(
    conversation_id: Id, request: MessageCreate, service: ServiceDep
) -> SavedAnswerPublic:
    """Answered in the context of the conversation: the earlier questions' subjects are
    carried over (with less weight), and the answer says so in its assumptions."""
    return saved_public(service.follow_up(conversation_id, request.question, request.audience))


@router.get(
    "/passages/{passage_id}",
    operation_id="get_passage",
    tags=["sources"],
    summary="A stored passage and its document",
    responses=problem_responses(404, 422),
)
def get_passage(passage_id: Id, engine: EngineDep) -> PassagePublic:
    return passage_public(engine.library.store.passage(passage_id))


@router.get(
    "/sources",
    operation_id="list_sources",
    tags=["sources"],
    summary="What is indexed, by kind and publisher",
)
def list_sources(engine: EngineDep) -> SourceList:
    rows = [
        SourcePublic(
            kind=DocKind(kind),
            kind_label=DocKind(kind).label,
            source=source,
            documents=n_docs,
            passages=n_passages,
        )
        for kind, source, n_docs, n_passages in engine.library.store.counts_by_kind()
    ]
    return SourceList(data=rows, count=len(rows))


@health_router.get(
    "/healthz", operation_id="health", tags=["health"], summary="Liveness and index size"
)
def healthz(engine: EngineDep) -> HealthPublic:
    passages = engine.library.lexical.size()
    return HealthPublic(
        status="ok" if passages else "empty", passages=passages, version=__version__
    )

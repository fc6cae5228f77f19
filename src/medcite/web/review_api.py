"""The review JSON API. Reading an article is public (like its page); everything else takes
an API token (`Authorization: Bearer ...`) and acts as the token's user, with their role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from medcite.articles.records import Article
from medcite.articles.service import Review, shown_answer
from medcite.articles.workflow import QUEUE, Action, Role
from medcite.errors import PermissionDenied
from medcite.schema import AnswerPublic
from medcite.web.auth import ApiUserDep, ReviewDep
from medcite.web.deps import ServiceDep
from medcite.web.problems import problem_responses
from medcite.web.review_schema import (
    ArticleCreate,
    ArticleList,
    ArticlePublic,
    CommentCreate,
    CommentPublic,
    TransitionRequest,
    UserPublic,
    article_public,
    article_summary,
    comment_public,
)

router = APIRouter(prefix="/api", tags=["review"])

ArticleId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="An article id."),
]
AUTH_ERRORS = (401, 403)


def _public(review: Review, article: Article) -> ArticlePublic:
    version = review.articles.version(article.id)
    return article_public(
        article,
        version,
        shown_answer(article, version),
        review.articles.comments(article.id),
        review.articles.history(article.id),
    )


@router.get(
    "/me",
    operation_id="whoami",
    summary="The user your token belongs to",
    responses=problem_responses(*AUTH_ERRORS),
)
def whoami(user: ApiUserDep) -> UserPublic:
    return UserPublic(username=user.username, display_name=user.display_name, role=user.role)


@router.get(
    "/articles/{article_id}",
    operation_id="get_article",
    summary="An article: status, current version, sources, comments, audit trail",
    responses=problem_responses(404, 422),
)
def get_article(article_id: ArticleId, review: ReviewDep) -> ArticlePublic:
    return _public(review, review.articles.article(article_id))


@router.post(
    "/articles",
    operation_id="create_article",
    summary="Save an answer as a draft article",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*AUTH_ERRORS, 400, 404, 409, 413, 422),
)
def create_article(
    request: ArticleCreate, review: ReviewDep, service: ServiceDep, user: ApiUserDep
) -> ArticlePublic:
    """Version 1 is the saved answer; its cited passages must not have changed since."""
    saved = service.conversations.answer(request.answer_id)
    answer = AnswerPublic.model_validate_json(saved.body)
    article = review.save_answer(answer, service.engine.library, by=user, answer_id=saved.id)
    return _public(review, article)


@router.post(
    "/articles/{article_id}/transitions",
    operation_id="transition_article",
    summary="Take a workflow step (409 if the status or revision does not allow it)",
    responses=problem_responses(*AUTH_ERRORS, 400, 404, 409, 413, 422),
)
def transition(
    article_id: ArticleId,
    request: TransitionRequest,
    review: ReviewDep,
    service: ServiceDep,
    user: ApiUserDep,
) -> ArticlePublic:
    """submit (author) → assign (reviewer: themselves; editor: anyone) → approve or
    request_changes (the assigned reviewer or an editor, never the author) → revise (a new
    version answered from the current sources) …; retire (editor)."""
    if request.action is Action.REVISE:
        current = review.articles.article(article_id)
        article = review.revise(
            current, service.engine, by=user, expected_revision=request.expected_revision
        )
    else:
        assignee = review.accounts.by_username(request.reviewer) if request.reviewer else None
        article = review.articles.transition(
            article_id,
            request.action,
            by=user,
            expected_revision=request.expected_revision,
            comment=request.comment,
            reviewer=assignee,
        )
    return _public(review, article)


@router.post(
    "/articles/{article_id}/comments",
    operation_id="comment_article",
    summary="Comment on a version, or on one of its claims",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*AUTH_ERRORS, 400, 404, 413, 422),
)
def add_comment(
    article_id: ArticleId, request: CommentCreate, review: ReviewDep, user: ApiUserDep
) -> CommentPublic:
    created = review.articles.comment(
        article_id,
        by=user,
        body=request.body,
        version=request.version,
        claim_index=request.claim_index,
    )
    return comment_public(created)


@router.get(
    "/review/queue",
    operation_id="review_queue",
    summary="Reviewers' work: submitted, under review, and needing re-review",
    responses=problem_responses(*AUTH_ERRORS),
)
def review_queue(review: ReviewDep, user: ApiUserDep) -> ArticleList:
    if not user.role.includes(Role.REVIEWER):
        raise PermissionDenied("the review queue is for reviewers (your role: author)")
    queued = review.articles.articles(QUEUE, stale=False) + review.articles.articles(stale=True)
    return ArticleList(data=[article_summary(a) for a in queued], count=len(queued))

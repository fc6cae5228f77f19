"""The review workflow: statuses, roles, the transitions between statuses and who may take them.

    draft ──submit──▶ submitted ──assign──▶ under_review ──approve──▶ approved
      ▲                                        │
      │                                        └──request_changes──▶ changes_requested
      └────────revise (a new version) ◀── draft | changes_requested | approved
    any status but retired ──retire──▶ retired

Pure functions over the records: the store calls them inside its transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medcite.errors import IllegalTransition, PermissionDenied


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Role(StrEnum):
    """Each role may do everything the roles before it may."""

    AUTHOR = "author"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


class Action(StrEnum):
    SUBMIT = "submit"
    ASSIGN = "assign"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REVISE = "revise"
    RETIRE = "retire"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Step:
    """One kind of transition: the statuses it starts from, where it goes, the least role."""

    sources: frozenset[Status]
    target: Status
    role: Role


_ACTIVE = frozenset(Status) - {Status.RETIRED}
STEPS: dict[Action, Step] = {
    Action.SUBMIT: Step(frozenset({Status.DRAFT}), Status.SUBMITTED, Role.AUTHOR),
    Action.ASSIGN: Step(
        frozenset({Status.SUBMITTED, Status.UNDER_REVIEW}), Status.UNDER_REVIEW, Role.REVIEWER
    ),
    Action.APPROVE: Step(frozenset({Status.UNDER_REVIEW}), Status.APPROVED, Role.REVIEWER),
    Action.REQUEST_CHANGES: Step(
        frozenset({Status.UNDER_REVIEW}), Status.CHANGES_REQUESTED, Role.REVIEWER
    ),
    Action.REVISE: Step(
        frozenset({Status.DRAFT, Status.CHANGES_REQUESTED, Status.APPROVED}),
        Status.DRAFT,
        Role.AUTHOR,
    ),
    Action.RETIRE: Step(_ACTIVE, Status.RETIRED, Role.EDITOR),
}

# Statuses an article can be shown in to reviewers as work to do.
QUEUE = (Status.SUBMITTED, Status.UNDER_REVIEW)


def next_status(status: Status, action: Action) -> Status:
    """Where `action` takes an article in `status`, or IllegalTransition."""
    step = STEPS[action]
    if status not in step.sources:
        allowed = ", ".join(sorted(s.value for s in step.sources))
        raise IllegalTransition(
            f"cannot {action.label} an article that is {status.value} "
            f"(only from: {allowed}); reload the article to see its status"
        )
    return step.target


def allowed_actions(status: Status) -> list[Action]:
    return [a for a, step in STEPS.items() if status in step.sources]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks for a transition: the user's id and role."""

    user_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class Parties:
    """Who the article involves: its author, the current version's maker, the reviewer."""

    author_id: int
    version_creator_id: int
    reviewer_id: int | None


def check_permission(
    actor: Actor, action: Action, parties: Parties, assignee: Actor | None = None
) -> None:
    """PermissionDenied unless `actor` may take `action` on an article with these parties.

    `assignee` is the reviewer an `assign` names (the actor when None).
    """
    step = STEPS[action]
    if not actor.role.includes(step.role):
        raise PermissionDenied(
            f"{action.label} needs the {step.role.value} role (yours: {actor.role.value}); "
            "ask an admin"
        )
    editor = actor.role.includes(Role.EDITOR)
    own = actor.user_id == parties.author_id
    if action in (Action.SUBMIT, Action.REVISE) and not (editor or own):
        raise PermissionDenied(f"only the article's author or an editor may {action.label}")
    if action is Action.ASSIGN:
        _check_assign(actor, parties, assignee or actor, editor)
    if action in (Action.APPROVE, Action.REQUEST_CHANGES):
        if actor.user_id in (parties.author_id, parties.version_creator_id):
            raise PermissionDenied(
                "you wrote this article or its current version: another reviewer must review it"
            )
        if not editor and parties.reviewer_id is None:
            raise PermissionDenied("take the review first (assign it to yourself)")
        if not editor and parties.reviewer_id != actor.user_id:
            raise PermissionDenied(
                "this article is assigned to another reviewer; an editor may reassign it"
            )


def _check_assign(actor: Actor, parties: Parties, assignee: Actor, editor: bool) -> None:
    if not editor and assignee.user_id != actor.user_id:
        raise PermissionDenied("a reviewer may assign only themselves; editors assign others")
    if not editor and parties.reviewer_id not in (None, actor.user_id):
        raise PermissionDenied("this article is assigned to another reviewer")
    if not assignee.role.includes(Role.REVIEWER):
        raise PermissionDenied("the assignee needs the reviewer role")
    if assignee.user_id in (parties.author_id, parties.version_creator_id):
        raise PermissionDenied("an article's author cannot review it; assign someone else")


def may_comment(actor: Actor, parties: Parties) -> bool:
    """Reviewers comment on any article; an author on their own."""
    return actor.role.includes(Role.REVIEWER) or actor.user_id == parties.author_id

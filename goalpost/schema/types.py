"""Output types of the read API (docs/queries.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from goalpost import models
from goalpost.domain.goal_fields import (
    CATEGORY_FIELDS,
    GOAL_FIELDS,
    FieldKind,
    camel,
    category_title,
    for_every_kind,
)
from goalpost.resolvers import queries
from goalpost.resolvers.context import Info
from goalpost.schema.enums import (
    GoalCategory,
    GoalEventKind,
    GoalReviewDecision,
    GoalStatus,
    GoalType,
    PeriodStatus,
    Role,
)
from goalpost.services import goals as goal_service
from goalpost.services.auth import Caller
from goalpost.services.guard import PeriodRef
from goalpost.services.history import GoalEventRecord


@strawberry.type
class Competency:
    id: strawberry.ID
    name: str
    ideal_actions: list[str]

    @classmethod
    def from_model(cls, c: models.Competency) -> Competency:
        return cls(id=strawberry.ID(str(c.id)), name=c.name, ideal_actions=list(c.ideal_actions))


@strawberry.type
class WeightTotals:
    performance: float
    competency: float
    core_value: float

    @classmethod
    def from_service(cls, t: goal_service.WeightTotals) -> WeightTotals:
        return cls(
            performance=float(t.performance),
            competency=float(t.competency),
            core_value=float(t.core_value),
        )


@strawberry.type
class IdealActionSelection:
    competency_id: strawberry.ID
    actions: list[str]


@strawberry.type(description="A person, as others see them.")
class User:
    id: strawberry.ID
    name: str


@strawberry.type(description="One field of a goal before and after a change.")
class FieldChange:
    field: str = strawberry.field(description="The goal's field, as the Goal types spell it.")
    before: JSON | None = strawberry.field(description="Null: unset (or no goal yet).")
    after: JSON | None = strawberry.field(description="Null: unset (or the goal deleted).")


@strawberry.type(description="One change of a goal: who, when, in which request, what.")
class GoalEvent:
    id: strawberry.ID
    goal_id: strawberry.ID
    kind: GoalEventKind
    version: int = strawberry.field(
        description="The goal's version after the change (a deletion: the one after the last)."
    )
    at: datetime
    actor: User
    request_id: str | None = strawberry.field(description="The X-Request-ID of the change.")
    changes: list[FieldChange]
    comment: str | None = strawberry.field(description="A review's comment.")


# Fields whose stored JSON shape differs from the goal type's (a map shown as a list).
_IDEAL_ACTION_FIELDS = {f.name for f in GOAL_FIELDS if f.kind is FieldKind.IDEAL_ACTIONS}


def _change_value(field: str, value: Any) -> Any:
    if field in _IDEAL_ACTION_FIELDS and isinstance(value, dict):
        return [{"competencyId": cid, "actions": actions} for cid, actions in value.items()]
    return value


def goal_event_from(r: GoalEventRecord) -> GoalEvent:
    return GoalEvent(
        id=strawberry.ID(str(r.id)),
        goal_id=strawberry.ID(str(r.goal_id)),
        kind=r.kind,
        version=r.version,
        at=r.at,
        actor=User(id=strawberry.ID(str(r.actor_id)), name=r.actor_name),
        request_id=r.request_id,
        changes=[
            FieldChange(
                field=camel(c.field),
                before=_change_value(c.field, c.before),
                after=_change_value(c.field, c.after),
            )
            for c in r.changes
        ],
        comment=r.comment,
    )


@strawberry.type(description="A page of the change feed (docs/history.md).")
class GoalChanges:
    events: list[GoalEvent] = strawberry.field(
        description="In feed order: every event exactly once, whatever cursor a reader pages from."
    )
    cursor: str = strawberry.field(
        description="Opaque: pass it as `after` for the next page (the same one if no events)."
    )
    has_more: bool = strawberry.field(
        description="More events are readable now; false: poll later with `cursor`."
    )


@strawberry.type(description="A goal's owner.")
class GoalOwner:
    id: strawberry.ID
    name: str
    email: str


@strawberry.type(description="The supervisor's last decision on a goal (docs/review.md).")
class GoalReview:
    decision: GoalReviewDecision
    comment: str | None
    reviewed_at: datetime
    reviewer_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Null if the reviewer's account is gone.")
    async def reviewer(self, info: Info) -> User | None:
        if self.reviewer_id is None:
            return None
        user = await info.context.user_loader.load(self.reviewer_id)
        return User(id=strawberry.ID(str(user.id)), name=user.name) if user else None


@strawberry.interface
class Goal:
    id: strawberry.ID
    client_id: str
    category: GoalCategory
    status: GoalStatus
    weight: float
    version: int
    created_at: datetime
    updated_at: datetime
    owner_id: strawberry.Private[uuid.UUID]
    last_review: strawberry.Private[GoalReview | None]

    @strawberry.field(description="The supervisor's last review; null before the first.")
    def review(self) -> GoalReview | None:
        return self.last_review

    @strawberry.field(description="Who the goal belongs to; batched across goals.")
    async def owner(self, info: Info) -> GoalOwner:
        user = await info.context.user_loader.load(self.owner_id)
        assert user is not None  # a goal's owner is kept by a foreign key
        return GoalOwner(id=strawberry.ID(str(user.id)), name=user.name, email=user.email)

    @strawberry.field(
        description="Every change of the goal, oldest first (docs/history.md); batched across "
        "goals."
    )
    async def history(self, info: Info) -> list[GoalEvent]:
        records = await info.context.history_loader.load(uuid.UUID(str(self.id)))
        return [goal_event_from(r) for r in records]


# The GraphQL output type of each kind of field, and how a stored value is shown.
OUTPUT_TYPES: dict[FieldKind, Any] = for_every_kind(
    {
        FieldKind.TITLE: str | None,
        FieldKind.TEXT: str | None,
        FieldKind.GOAL_TYPE: GoalType | None,
        FieldKind.COMPETENCY_IDS: list[strawberry.ID],
        FieldKind.IDEAL_ACTIONS: list[IdealActionSelection],
    },
    "GraphQL goal types",
)


def _output_value(kind: FieldKind, value: Any) -> Any:
    if kind is FieldKind.COMPETENCY_IDS:
        return [strawberry.ID(c) for c in value or []]
    if kind is FieldKind.IDEAL_ACTIONS:
        return [
            IdealActionSelection(competency_id=strawberry.ID(cid), actions=list(actions))
            for cid, actions in (value or {}).items()
        ]
    return value


async def _competencies(root: Any, info: Info) -> list[Competency]:
    """The referenced competencies, batched across goals (one SELECT per page of goals)."""
    loaded = await info.context.competency_loader.load_many(
        [(root.org_id, uuid.UUID(cid)) for cid in root.competency_ids]
    )
    return [Competency.from_model(c) for c in loaded if c is not None]


def _goal_type(category: models.GoalCategory) -> type:
    """PerformanceGoal, CompetencyGoal, CoreValueGoal: the Goal interface and the declared
    fields of the category (domain/goal_fields)."""
    annotations: dict[str, Any] = {f.name: OUTPUT_TYPES[f.kind] for f in CATEGORY_FIELDS[category]}
    namespace: dict[str, Any] = {}
    if category is models.GoalCategory.COMPETENCY:
        annotations["org_id"] = strawberry.Private[uuid.UUID]
        namespace["competencies"] = strawberry.field(
            resolver=_competencies,
            description="The referenced competencies, batched across goals.",
        )
    namespace["__annotations__"] = annotations
    return strawberry.type(type(f"{category_title(category)}Goal", (Goal,), namespace))


GOAL_TYPES: dict[models.GoalCategory, type] = {c: _goal_type(c) for c in models.GoalCategory}
PerformanceGoal = GOAL_TYPES[models.GoalCategory.PERFORMANCE]
CompetencyGoal = GOAL_TYPES[models.GoalCategory.COMPETENCY]
CoreValueGoal = GOAL_TYPES[models.GoalCategory.CORE_VALUE]


def goal_from_record(r: goal_service.GoalRecord) -> Goal:
    values: dict[str, Any] = {
        "id": strawberry.ID(str(r.id)),
        "client_id": r.client_id,
        "category": r.category,
        "status": r.status,
        "weight": float(r.weight),
        "version": r.version,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "owner_id": r.owner_id,
        "last_review": GoalReview(
            decision=r.review_decision,
            comment=r.review_comment,
            reviewed_at=r.reviewed_at,
            reviewer_id=r.reviewer_id,
        )
        if r.review_decision is not None and r.reviewed_at is not None
        else None,
    }
    for f in CATEGORY_FIELDS[r.category]:
        values[f.name] = _output_value(f.kind, getattr(r, f.name))
    if r.category is models.GoalCategory.COMPETENCY:
        values["org_id"] = r.organization_id
    goal: Goal = GOAL_TYPES[r.category](**values)
    return goal


@strawberry.type
class EvaluationPeriod:
    id: strawberry.ID
    name: str
    status: PeriodStatus
    starts_on: date
    ends_on: date
    org_slug: strawberry.Private[str]

    @strawberry.field
    async def my_goals(self, info: Info, category: GoalCategory | None = None) -> list[Goal]:
        records = await queries.my_goals(info, self.org_slug, self.id, category)
        return [goal_from_record(r) for r in records]

    @strawberry.field(
        description="The goals of the caller's direct reports in this period (empty if none)."
    )
    async def team_goals(self, info: Info, status: GoalStatus | None = None) -> list[Goal]:
        records = await queries.team_goals(info, self.org_slug, self.id, status)
        return [goal_from_record(r) for r in records]

    @strawberry.field
    async def weight_totals(self, info: Info) -> WeightTotals:
        return WeightTotals.from_service(await queries.weight_totals(info, self.org_slug, self.id))

    @strawberry.field(
        description="The events of the goals the caller can see (own, and direct reports' for "
        "a supervisor; deleted goals' too), from `after` on: never one missed or repeated."
    )
    async def goal_changes(
        self, info: Info, after: str | None = None, first: int = 100
    ) -> GoalChanges:
        page = await queries.goal_changes(info, self.org_slug, self.id, after, first)
        return GoalChanges(
            events=[goal_event_from(r) for r in page.events],
            cursor=page.cursor,
            has_more=page.has_more,
        )


def period_from(slug: str, p: models.EvaluationPeriod | PeriodRef) -> EvaluationPeriod:
    return EvaluationPeriod(
        id=strawberry.ID(str(p.id)),
        name=p.name,
        status=p.status,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        org_slug=slug,
    )


@strawberry.type
class Organization:
    slug: str
    name: str

    @strawberry.field
    async def competencies(self, info: Info) -> list[Competency]:
        return [Competency.from_model(c) for c in await queries.competencies(info, self.slug)]

    @strawberry.field
    async def periods(self, info: Info) -> list[EvaluationPeriod]:
        return [period_from(self.slug, p) for p in await queries.periods(info, self.slug)]

    @strawberry.field
    async def period(self, info: Info, id: strawberry.ID) -> EvaluationPeriod:
        return period_from(self.slug, await queries.period(info, self.slug, id))


@strawberry.type
class Membership:
    role: Role
    organization: Organization


@strawberry.type
class Me:
    id: strawberry.ID
    email: str
    name: str
    caller: strawberry.Private[Caller]

    @strawberry.field
    async def memberships(self, info: Info) -> list[Membership]:
        rows = await queries.memberships(info, self.caller)
        return [
            Membership(role=role, organization=Organization(slug=org.slug, name=org.name))
            for role, org in rows
        ]

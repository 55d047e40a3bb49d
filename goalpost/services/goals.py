"""Reading goals: the GoalRecord value, the caller's goals and weight totals; the owner's lock."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.db import is_postgres
from goalpost.domain.goal_fields import CATEGORY_FIELDS, category_key
from goalpost.models import (
    Competency,
    Goal,
    GoalCategory,
    GoalReviewDecision,
    GoalStatus,
    GoalType,
    Membership,
    User,
)
from goalpost.services.bulk import any_of, keys_value
from goalpost.services.errors import OrgNotFound
from goalpost.services.guard import OrgContext, PeriodRef, owner_locked_by_guard

EDITABLE_STATUSES = frozenset({GoalStatus.DRAFT, GoalStatus.REJECTED})


@dataclass(frozen=True)
class GoalRecord:
    """A goal as the API shows it; a value, so it outlives the session that loaded it."""

    id: uuid.UUID
    organization_id: uuid.UUID
    owner_id: uuid.UUID
    period_id: uuid.UUID
    category: GoalCategory
    client_id: str
    weight: Decimal
    status: GoalStatus
    version: int
    created_at: datetime
    updated_at: datetime
    title: str | None = None
    goal_type: GoalType | None = None
    specific_goal: str | None = None
    achievement_criteria: str | None = None
    means_methods: str | None = None
    competency_ids: list[str] | None = None
    selected_ideal_actions: dict[str, list[str]] | None = None
    action_plan: str | None = None
    core_value_plan: str | None = None
    # The last supervisor review (docs/review.md), None before the first.
    review_decision: GoalReviewDecision | None = None
    review_comment: str | None = None
    reviewer_id: uuid.UUID | None = None
    reviewed_at: datetime | None = None

    @classmethod
    def new(cls, **values: Any) -> GoalRecord:
        """A record from some fields' values, the others at their defaults (a new goal), as
        cheaply as `from_row`: a batch makes one per goal it creates."""
        if not values.keys() <= _RECORD_FIELDS:
            raise TypeError(f"GoalRecord has no field {sorted(values.keys() - _RECORD_FIELDS)}")
        if missing := _REQUIRED_FIELDS - values.keys():
            raise TypeError(f"GoalRecord needs {sorted(missing)}")
        return cls._with_fields({**_DEFAULTS, **values})

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> GoalRecord:
        return cls._with_fields({name: row[name] for name in GOAL_COLUMNS})

    def values(self) -> dict[str, Any]:
        state = self.__dict__
        return {name: state[name] for name in GOAL_COLUMNS}

    def with_changes(self, **changes: Any) -> GoalRecord:
        """`dataclasses.replace`, without its cost: a batch makes one per goal it updates."""
        if not changes.keys() <= _RECORD_FIELDS:
            raise TypeError(f"GoalRecord has no field {sorted(changes.keys() - _RECORD_FIELDS)}")
        return self._with_fields({**self.__dict__, **changes})

    @classmethod
    def _with_fields(cls, values: dict[str, Any]) -> GoalRecord:
        """A record from every field's value, set directly: the generated __init__ of a frozen
        dataclass sets each of the 26 fields through object.__setattr__, which made building a
        record (one per goal a batch loads or changes) cost ~8 µs; this costs ~3 µs."""
        record = object.__new__(cls)
        record.__dict__.update(values)
        return record

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def complete(self) -> bool:
        if self.category is GoalCategory.COMPETENCY:
            return bool(self.competency_ids) and bool(self.action_plan)
        return all(
            getattr(self, f.name) not in (None, "", [], {}) for f in CATEGORY_FIELDS[self.category]
        )


GOAL_COLUMNS = tuple(c.name for c in Goal.__table__.columns)
_RECORD_FIELDS = frozenset(f.name for f in fields(GoalRecord))
_DEFAULTS = {f.name: f.default for f in fields(GoalRecord) if f.default is not MISSING}
_REQUIRED_FIELDS = _RECORD_FIELDS - _DEFAULTS.keys()
if set(GOAL_COLUMNS) != _RECORD_FIELDS:  # from_row and values rely on it
    raise RuntimeError("GoalRecord's fields and the goals table's columns differ")


@dataclass(frozen=True)
class WeightTotals:
    performance: Decimal = Decimal("0")
    competency: Decimal = Decimal("0")
    core_value: Decimal = Decimal("0")

    def plus(self, category: GoalCategory, amount: Decimal) -> WeightTotals:
        """These totals with `amount` added to one category (negative to take weight off)."""
        name = category_key(category)  # the totals are named like the categories' patches
        return replace(self, **{name: getattr(self, name) + amount})


@dataclass(frozen=True)
class OwnerTally:
    """What one person has in one period: weight per category and the number of goals."""

    totals: WeightTotals
    goal_count: int


def owner_goals_query(owner_id: uuid.UUID, period_id: uuid.UUID) -> Any:
    return select(Goal.__table__).where(Goal.owner_id == owner_id, Goal.period_id == period_id)


async def list_my_goals(
    session: AsyncSession,
    org: OrgContext,
    period: PeriodRef,
    category: GoalCategory | None = None,
) -> list[GoalRecord]:
    query = owner_goals_query(org.caller.id, period.id).where(Goal.organization_id == org.org_id)
    if category is not None:
        query = query.where(Goal.category == category)
    rows = (await session.execute(query.order_by(Goal.created_at, Goal.id))).mappings()
    return [GoalRecord.from_row(row) for row in rows]


async def list_team_goals(
    session: AsyncSession,
    org: OrgContext,
    period: PeriodRef,
    status: GoalStatus | None = None,
) -> list[GoalRecord]:
    """The goals of the caller's direct reports in this org and period (docs/review.md): one
    SELECT joining the owners' memberships; empty for someone who supervises nobody."""
    query = (
        select(Goal.__table__)
        .join(
            Membership,
            (Membership.user_id == Goal.owner_id)
            & (Membership.organization_id == Goal.organization_id),
        )
        .where(
            Goal.organization_id == org.org_id,
            Goal.period_id == period.id,
            Membership.supervisor_id == org.caller.id,
        )
    )
    if status is not None:
        query = query.where(Goal.status == status)
    rows = await session.execute(query.order_by(Goal.owner_id, Goal.created_at, Goal.id))
    return [GoalRecord.from_row(row) for row in rows.mappings()]


async def users_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, User]:
    """One SELECT for any number of people (goal owners, reviewers)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(User).where(User.id.in_(wanted)))
    return {u.id: u for u in rows.scalars()}


async def owner_tally(
    session: AsyncSession, owner_id: uuid.UUID, period_id: uuid.UUID
) -> OwnerTally:
    """Weight totals and goal count in one grouped SELECT."""
    rows = await session.execute(_OWNER_TALLY, {"owner_id": owner_id, "period_id": period_id})
    totals, count = WeightTotals(), 0
    for category, weight, goals in rows:
        totals = totals.plus(GoalCategory(category), Decimal(weight))
        count += goals
    return OwnerTally(totals, count)


# Built once: building a statement per request costs more than running it (~0.1 ms).
_OWNER_TALLY = (
    select(Goal.category, func.coalesce(func.sum(Goal.weight), 0), func.count())
    .where(Goal.owner_id == bindparam("owner_id"), Goal.period_id == bindparam("period_id"))
    .group_by(Goal.category)
)


async def weight_totals(
    session: AsyncSession, owner_id: uuid.UUID, period_id: uuid.UUID
) -> WeightTotals:
    return (await owner_tally(session, owner_id, period_id)).totals


async def lock_owner_goals(session: AsyncSession, org: OrgContext) -> None:
    """Serialize one person's goal writes in an org, before anything of theirs is read.

    On PostgreSQL every write transaction of the owner locks their membership row first, so
    their batches and submits run one after another: a goal count or weight total read next
    stays true until commit (the goal cap cannot be raced past), and the goal rows are never
    locked in two orders at once (no deadlock). FOR NO KEY UPDATE: the lightest row lock
    that excludes itself. SQLite needs nothing here: BEGIN IMMEDIATE already serializes
    every writer.

    Usually the guard took this very lock already, in its one SELECT in this same
    transaction (require_org_period(lock_owner=True)), and nothing is sent here. Not
    always: a guard answer from the request's cache (a second write in one request, a
    retry of the whole unit on a fresh transaction) or a transaction begun again since (the
    per-item fallback) holds no lock in the transaction now open, and the lock is taken here.
    """
    if not is_postgres(session) or owner_locked_by_guard(session, org):
        return
    locked = await session.execute(
        _LOCK_MEMBERSHIP, {"user_id": org.caller.id, "org_id": org.org_id}
    )
    if locked.scalar_one_or_none() is None:
        raise OrgNotFound()  # the membership went away since the guard looked


_LOCK_MEMBERSHIP = (
    select(Membership.id)
    .where(
        Membership.user_id == bindparam("user_id"),
        Membership.organization_id == bindparam("org_id"),
    )
    .with_for_update(key_share=True)
)


async def competencies_by_ids(
    session: AsyncSession, org_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Competency]:
    """One SELECT for any number of ids; ids of other orgs are simply absent."""
    wanted = set(ids)
    if not wanted:
        return {}
    params = {
        "org_id": org_id,
        "competency_ids": keys_value(session, Competency.id.type, wanted),
    }
    statement = _competencies_of_org(session.get_bind().dialect.name)
    rows = await session.execute(statement, params)
    return {c.id: c for c in rows.scalars()}


@cache
def _competencies_of_org(dialect: str) -> Select[Competency]:
    return select(Competency).where(
        Competency.organization_id == bindparam("org_id"),
        any_of(dialect, Competency.id.expression, param="competency_ids"),
    )

"""Read resolvers. They return service values; the schema types map them."""

from __future__ import annotations

from collections.abc import Sequence

from goalpost.models import (
    Competency,
    EvaluationPeriod,
    GoalCategory,
    GoalStatus,
    Organization,
    Role,
)
from goalpost.resolvers.context import Info
from goalpost.services import changes, goals, orgs
from goalpost.services.auth import Caller
from goalpost.services.goals import GoalRecord, WeightTotals
from goalpost.services.guard import OrgContext, PeriodRef


async def me(info: Info) -> Caller:
    async with info.context.db.use() as session:
        return await info.context.guard.require_caller(session)


async def memberships(info: Info, caller: Caller) -> Sequence[tuple[Role, Organization]]:
    async with info.context.db.use() as session:
        return await orgs.memberships_of(session, caller.id)


async def organization(info: Info, slug: str) -> OrgContext:
    async with info.context.db.use() as session:
        return await info.context.guard.require_org_member(session, slug)


async def periods(info: Info, slug: str) -> Sequence[EvaluationPeriod]:
    async with info.context.db.use() as session:
        org = await info.context.guard.require_org_member(session, slug)
        return await orgs.list_periods(session, org.org_id)


async def period(info: Info, slug: str, period_id: str) -> PeriodRef:
    async with info.context.db.use() as session:
        _, period_ = await info.context.guard.require_org_period(session, slug, period_id)
        return period_


async def competencies(info: Info, slug: str) -> Sequence[Competency]:
    async with info.context.db.use() as session:
        org = await info.context.guard.require_org_member(session, slug)
        return await orgs.list_competencies(session, org.org_id)


async def my_goals(
    info: Info, slug: str, period_id: str, category: GoalCategory | None
) -> list[GoalRecord]:
    async with info.context.db.use() as session:
        org, period_ = await info.context.guard.require_org_period(session, slug, period_id)
        return await goals.list_my_goals(session, org, period_, category)


async def weight_totals(info: Info, slug: str, period_id: str) -> WeightTotals:
    async with info.context.db.use() as session:
        org, period_ = await info.context.guard.require_org_period(session, slug, period_id)
        return await goals.weight_totals(session, org.caller.id, period_.id)


async def goal_changes(
    info: Info, slug: str, period_id: str, after: str | None, first: int
) -> changes.ChangesPage:
    """Read in the request's read-only transaction: queries never write, so it has no
    transaction id and holds back nothing (see services/changes); its one SELECT takes a
    fresh snapshot on PostgreSQL (READ COMMITTED)."""
    async with info.context.db.use() as session:
        org, period_ = await info.context.guard.require_org_period(session, slug, period_id)
        return await changes.goal_changes(
            session=session,
            cursors=changes.cursor_seal(info.context.scope.settings),
            org=org,
            period=period_,
            after=after,
            first=first,
        )


async def team_goals(
    info: Info, slug: str, period_id: str, status: GoalStatus | None
) -> list[GoalRecord]:
    async with info.context.db.use() as session:
        org, period_ = await info.context.guard.require_org_period(session, slug, period_id)
        return await goals.list_team_goals(session, org, period_, status)

"""Write resolvers: the guard resolves org and period, then the one batch service decides
(whether the period takes writes included)."""

from __future__ import annotations

from goalpost.config import Settings
from goalpost.db import SerialSession
from goalpost.metrics import Metrics
from goalpost.schema.context import Info
from goalpost.services import goal_batch, goal_submit
from goalpost.services.goal_batch import BatchOutcome, ErrorPolicy, GoalBatchItem
from goalpost.services.goal_submit import SubmitOutcome
from goalpost.services.guard import OrgGuard


async def save_batch(
    *,
    db: SerialSession,
    guard: OrgGuard,
    settings: Settings,
    metrics: Metrics,
    org_slug: str,
    period_id: str,
    items: list[GoalBatchItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
    request_items: int = 0,
) -> BatchOutcome:
    """The one way in for GraphQL and REST: guard, then the batch service, then metrics.

    `request_items` is what the whole request asks to write (all its batch fields): over
    the limit, every batch field of the request is refused, so nothing is written."""
    async with db.use(write=True) as session:
        org = await guard.require_org_member(session, org_slug)
        period = await guard.require_period(session, org, period_id)
        outcome = await goal_batch.batch_save_goals(
            session=session,
            org=org,
            period=period,
            items=items,
            error_policy=error_policy,
            max_items=settings.max_batch_items,
            request_items=request_items,
            max_goals=settings.max_goals_per_period,
        )
    metrics.observe_batch(outcome)
    return outcome


async def batch_save_goals(
    info: Info,
    org_slug: str,
    period_id: str,
    items: list[GoalBatchItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
) -> BatchOutcome:
    ctx = info.context
    return await save_batch(
        db=ctx.db,
        guard=ctx.guard,
        settings=ctx.settings,
        metrics=ctx.metrics,
        org_slug=org_slug,
        period_id=period_id,
        items=items,
        error_policy=error_policy,
        request_items=ctx.batch_items_requested,
    )


async def submit_goals(info: Info, org_slug: str, period_id: str) -> SubmitOutcome:
    ctx = info.context
    async with ctx.db.use(write=True) as session:
        org = await ctx.guard.require_org_member(session, org_slug)
        period = await ctx.guard.require_period(session, org, period_id)
        return await goal_submit.submit_goals(session=session, org=org, period=period)

"""Write resolvers: the GraphQL side of the core's use cases (services/requests)."""

from __future__ import annotations

from goalpost.resolvers.context import Info
from goalpost.services import requests
from goalpost.services.batch import (
    BatchOutcome,
    ErrorPolicy,
    GoalBatchItem,
    GoalReviewItem,
    ReviewOutcome,
)
from goalpost.services.goal_submit import SubmitOutcome


async def batch_save_goals(
    info: Info,
    org_slug: str,
    period_id: str,
    items: list[GoalBatchItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
) -> BatchOutcome:
    return await requests.save_goals(
        info.context.scope,
        org_slug=org_slug,
        period_id=period_id,
        items=items,
        error_policy=error_policy,
        request_items=info.context.batch_items_requested,
    )


async def submit_goals(info: Info, org_slug: str, period_id: str) -> SubmitOutcome:
    return await requests.submit_goals(info.context.scope, org_slug=org_slug, period_id=period_id)


async def review_goals(
    info: Info,
    org_slug: str,
    period_id: str,
    items: list[GoalReviewItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
) -> ReviewOutcome:
    return await requests.review_goals(
        info.context.scope,
        org_slug=org_slug,
        period_id=period_id,
        items=items,
        error_policy=error_policy,
        request_items=info.context.batch_items_requested,
    )

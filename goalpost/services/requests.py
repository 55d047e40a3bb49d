"""What a request asks of the core, the same for both adapters (GraphQL and REST).

RequestScope is what an adapter hands over: the request's session, its org guard, the
settings and the metrics. Each use case resolves org and period through the guard inside the
one write transaction, then runs the service.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from goalpost.config import Settings
from goalpost.db import SerialSession
from goalpost.metrics import Metrics
from goalpost.services import goal_submit
from goalpost.services.batch import BatchLimits, BatchOutcome, ErrorPolicy, GoalBatchItem
from goalpost.services.batch import batch_save_goals as run_batch
from goalpost.services.batch.results import ReviewOutcome, outcome_label
from goalpost.services.batch.review import GoalReviewItem
from goalpost.services.batch.review import review_goals as run_review
from goalpost.services.errors import InternalError
from goalpost.services.goal_submit import SubmitOutcome
from goalpost.services.guard import OrgGuard
from goalpost.services.live import GoalChangeNotice, LiveChanges, Viewer
from goalpost.services.transaction import WriteTransaction


@dataclass(frozen=True)
class RequestScope:
    db: SerialSession
    guard: OrgGuard
    settings: Settings
    metrics: Metrics
    # The request's id (the X-Request-ID the logs carry), kept on the history events it writes.
    request_id: str | None = None
    # The process's live-changes feed (None where the app was built without one).
    live: LiveChanges | None = None


async def save_goals(
    scope: RequestScope,
    *,
    org_slug: str,
    period_id: str,
    items: Sequence[GoalBatchItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
    request_items: int = 0,
) -> BatchOutcome:
    """`request_items`: what the whole request asks to write (all its batch fields); over
    the limit, every batch of the request is refused, so nothing is written."""
    async with scope.db.use() as session, WriteTransaction(session) as tx:
        org, period = await scope.guard.require_org_period(session, org_slug, period_id)
        outcome = await run_batch(
            tx=tx,
            org=org,
            period=period,
            items=items,
            error_policy=error_policy,
            limits=BatchLimits(
                max_items=scope.settings.max_batch_items,
                request_items=request_items,
                max_goals=scope.settings.max_goals_per_period,
            ),
            request_id=scope.request_id,
        )
    scope.metrics.observe_batch(outcome_label(r) for r in outcome.results)
    return outcome


async def submit_goals(scope: RequestScope, *, org_slug: str, period_id: str) -> SubmitOutcome:
    async with scope.db.use() as session, WriteTransaction(session) as tx:
        org, period = await scope.guard.require_org_period(session, org_slug, period_id)
        return await goal_submit.submit_goals(
            tx=tx, org=org, period=period, request_id=scope.request_id
        )


async def review_goals(
    scope: RequestScope,
    *,
    org_slug: str,
    period_id: str,
    items: Sequence[GoalReviewItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
    request_items: int = 0,
) -> ReviewOutcome:
    """A supervisor's decisions (SPEC §10): the same guard, transaction and budget as a save."""
    async with scope.db.use() as session, WriteTransaction(session) as tx:
        org, period = await scope.guard.require_org_period(session, org_slug, period_id)
        outcome = await run_review(
            tx=tx,
            org=org,
            period=period,
            items=items,
            error_policy=error_policy,
            limits=BatchLimits(
                max_items=scope.settings.max_batch_items, request_items=request_items
            ),
            request_id=scope.request_id,
        )
    scope.metrics.observe_batch(outcome_label(r) for r in outcome.results)
    return outcome


async def watch_goal_changes(
    scope: RequestScope, *, org_slug: str, period_id: str
) -> AsyncIterator[GoalChangeNotice]:
    """The notices of a period's goal changes that the caller may see (SPEC §12), from now
    on, until the caller stops listening. The guard runs first, as for a query; then the
    request's database connection is given back: a subscriber holds none while it waits."""
    async with scope.db.use() as session:
        org, period = await scope.guard.require_org_period(session, org_slug, period_id)
    await scope.db.close()
    if scope.live is None:
        raise InternalError()
    async with scope.live.subscribe(Viewer(org.org_id, period.id, org.caller.id)) as notices:
        async for notice in notices:
            yield notice

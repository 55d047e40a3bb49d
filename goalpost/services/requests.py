"""What a request asks of the core, the same for both adapters (GraphQL and REST).

RequestScope is what an adapter hands over: the request's session, its org guard, the
settings and the metrics. Each use case resolves org and period through the guard inside the
one write transaction (a save or a submit with `lock_owner=True`: on PostgreSQL the guard's
SELECT takes the owner's lock as well, goals.lock_owner_goals), then runs the service;
`run_write` runs that whole unit again on a fresh transaction when it hits a transient
conflict.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from goalpost.config import Settings
from goalpost.db import SerialSession, transient_fault_reason
from goalpost.logging import log
from goalpost.metrics import Metrics
from goalpost.models import PeriodStatus
from goalpost.services import goal_submit
from goalpost.services.batch import BatchLimits, BatchOutcome, ErrorPolicy, GoalBatchItem
from goalpost.services.batch import batch_save_goals as run_batch
from goalpost.services.batch.results import ReviewOutcome, outcome_label
from goalpost.services.batch.review import GoalReviewItem
from goalpost.services.batch.review import review_goals as run_review
from goalpost.services.errors import GoalpostError, InternalError, PeriodClosed, TransientFault
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
    # A subscription that joins the stream another subscription of its socket runs (the same
    # document and variables, schema/sends.py) is only let in: the guard is asked, then it
    # ends; the shared stream carries its notices.
    admission_only: bool = False


T = TypeVar("T")
Work = Callable[[AsyncSession, WriteTransaction], Awaitable[T]]


async def run_write(scope: RequestScope, work: Work[T]) -> T:
    """Run `work` (guard + engine) in one write transaction and commit. A transient conflict
    (TransientFault: serialization failure, deadlock, connection lost before commit) rolled
    it all back, so the whole unit runs again on a fresh transaction, at most
    `db_write_retries` more times, after a jittered, doubling backoff (full jitter: retries
    of concurrent requests spread out instead of colliding again). Each retry is counted in
    goalpost_write_retries. Then INTERNAL. A failed COMMIT is never retried: whether it took
    effect is unknown, and the client's resend (idempotent) is the safe way to find out."""
    settings = scope.settings
    backoff = settings.db_write_retry_backoff_ms / 1000

    def count_retry(state: RetryCallState) -> None:
        fault = state.outcome.exception() if state.outcome is not None else None
        reason = fault.reason if isinstance(fault, TransientFault) else "unknown"
        scope.metrics.write_retries.labels(reason).inc()
        log.warning("write_retried", attempt=state.attempt_number, reason=reason)

    async def once() -> T:
        try:
            async with scope.db.use() as session, WriteTransaction(session) as tx:
                return await work(session, tx)
        except DBAPIError as exc:  # outside the engine's handling (the guard's lookups, say)
            reason = transient_fault_reason(exc)
            if reason is None:
                raise
            raise TransientFault(reason) from None

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(TransientFault),
        stop=stop_after_attempt(settings.db_write_retries + 1),
        wait=wait_random_exponential(
            multiplier=backoff, max=backoff * 2**settings.db_write_retries
        ),
        before_sleep=count_retry,
        reraise=True,  # out of retries: the last TransientFault, which is INTERNAL
    )
    result: T = await retrying(once)
    return result


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

    async def work(session: AsyncSession, tx: WriteTransaction) -> BatchOutcome:
        org, period = await scope.guard.require_org_period(
            session, org_slug, period_id, lock_owner=True
        )
        return await run_batch(
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

    outcome = await run_write(scope, work)
    scope.metrics.observe_batch(outcome_label(r) for r in outcome.results)
    return outcome


async def submit_goals(scope: RequestScope, *, org_slug: str, period_id: str) -> SubmitOutcome:
    async def work(session: AsyncSession, tx: WriteTransaction) -> SubmitOutcome:
        org, period = await scope.guard.require_org_period(
            session, org_slug, period_id, lock_owner=True
        )
        return await goal_submit.submit_goals(
            tx=tx, org=org, period=period, request_id=scope.request_id
        )

    return await run_write(scope, work)


async def review_goals(
    scope: RequestScope,
    *,
    org_slug: str,
    period_id: str,
    items: Sequence[GoalReviewItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
    request_items: int = 0,
) -> ReviewOutcome:
    """A supervisor's decisions (docs/review.md): the same guard, transaction and budget as a
    save."""

    async def work(session: AsyncSession, tx: WriteTransaction) -> ReviewOutcome:
        org, period = await scope.guard.require_org_period(session, org_slug, period_id)
        return await run_review(
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

    outcome = await run_write(scope, work)
    scope.metrics.observe_batch(outcome_label(r) for r in outcome.results)
    return outcome


class SubscriptionEnded(GoalpostError):
    """A subscription the guard let in, ended because its answer changed since (the
    membership removed, the period deleted or closed): the guard's code, so a client tells
    it from a dropped socket and does not subscribe again (docs/live.md)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def watch_goal_changes(
    scope: RequestScope, *, org_slug: str, period_id: str
) -> AsyncIterator[GoalChangeNotice]:
    """The notices of a period's goal changes that the caller may see (docs/live.md), from now
    on, until the caller stops listening. The guard runs first, as for a query; then the
    request's database connection is given back: a subscriber holds none while it waits.
    Every `live_recheck_seconds` the guard is asked again, uncached; a caller who is no longer
    a member, or a period gone or closed meanwhile, ends the subscription (SubscriptionEnded)."""
    async with scope.db.use() as session:
        org, period = await scope.guard.require_org_period(session, org_slug, period_id)
    await scope.db.close()
    if scope.admission_only:
        return
    if scope.live is None:
        raise InternalError()
    every = scope.settings.live_recheck_seconds
    loop = asyncio.get_running_loop()
    async with scope.live.subscribe(Viewer(org.org_id, period.id, org.caller.id)) as notices:
        # The wait for the next notice is never cancelled by a check (cancelling it could end
        # the notices' iterator): it stays pending across checks.
        waiting: asyncio.Future[GoalChangeNotice] | None = None
        check_at = loop.time() + every
        try:
            while True:
                if waiting is None:
                    waiting = asyncio.ensure_future(anext(notices))
                    waiting.add_done_callback(retrieved)
                done, _ = await asyncio.wait((waiting,), timeout=max(0, check_at - loop.time()))
                if not done:
                    await still_allowed(scope, org_slug, period_id, was=period.status)
                    check_at = loop.time() + every
                    continue
                finished, waiting = waiting, None
                try:
                    notice = finished.result()
                except StopAsyncIteration:
                    return
                yield notice
                for notice in notices.take_waiting():
                    yield notice
        finally:
            if waiting is not None:
                waiting.cancel()


def retrieved(future: asyncio.Future[GoalChangeNotice]) -> None:
    """Its exception is read, if it has one: a wait the subscriber left while it failed (an
    overflow) must not be logged as "exception was never retrieved"."""
    if not future.cancelled():
        future.exception()


async def still_allowed(
    scope: RequestScope, org_slug: str, period_id: str, *, was: PeriodStatus
) -> None:
    """The guard's answer today, for a subscription it let in earlier. A period closed since
    then ends it too: no goal of a closed period can change, so nothing would ever come (one
    already closed when subscribing is let in, as a query of it is, and kept)."""
    try:
        async with scope.db.use() as session:
            _, period = await scope.guard.fresh().require_org_period(session, org_slug, period_id)
    except GoalpostError as refused:
        raise SubscriptionEnded(refused.code, refused.message) from None
    except Exception as error:  # the database is away: no answer is not a "no"; next time
        log.warning("live_recheck_failed", error=type(error).__name__)
        return
    finally:
        await scope.db.close()
    if period.status == PeriodStatus.CLOSED and was != PeriodStatus.CLOSED:
        raise SubscriptionEnded(
            PeriodClosed.code, "The evaluation period was closed; none of its goals can change."
        )

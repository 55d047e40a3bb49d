"""batch_save_goals: many goal edits, one transaction, one result per item.

The phases (after Saleor's bulk mutations), each its own module:
keys (pure) → load (owner and rows locked on PostgreSQL) → plan (pure) → error policy →
write (bulk SQL, stable order) → record (results, totals, logs). The statements a batch
issues do not grow with its size. The transaction belongs to the caller (WriteTransaction);
the engine only restarts it for its one fallback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

from sqlalchemy.exc import DBAPIError

from goalpost.db import is_transaction_fault
from goalpost.logging import log
from goalpost.models import GoalCategory, GoalEventKind, PeriodStatus, utcnow
from goalpost.services.batch.items import ErrorPolicy, GoalBatchItem
from goalpost.services.batch.keys import check_keys
from goalpost.services.batch.load import Loaded, load_targets
from goalpost.services.batch.plan import Owner, Write, WriteKind, plan_batch
from goalpost.services.batch.policy import apply_error_policy
from goalpost.services.batch.results import (
    BatchOutcome,
    GoalDeleted,
    GoalSaved,
    ItemResult,
    Problem,
    save_failed,
)
from goalpost.services.batch.write import WriteReport, write_plan
from goalpost.services.errors import BatchTooLarge, PeriodClosed
from goalpost.services.goals import (
    OwnerTally,
    WeightTotals,
    lock_owner_goals,
    owner_tally,
    weight_totals,
)
from goalpost.services.guard import OrgContext, PeriodRef
from goalpost.services.history import ChangeSource, event_for
from goalpost.services.transaction import WriteTransaction, db_error_fields, fault_error
from goalpost.tracing import span

T = TypeVar("T")

CHANGED_WHILE_SAVING = "The goal changed while saving; retry."
REFUSED_BY_DATABASE = "The database refused this goal; retry."


@dataclass(frozen=True)
class BatchLimits:
    max_items: int = 200  # items of one request (all its batches together)
    request_items: int = 0  # what the whole request asks for, counted by the adapter
    max_goals: int = 500  # goals per owner and period


async def batch_save_goals(
    *,
    tx: WriteTransaction,
    org: OrgContext,
    period: PeriodRef,
    items: Sequence[GoalBatchItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
    limits: BatchLimits = BatchLimits(),
    request_id: str | None = None,
) -> BatchOutcome:
    """Save every valid item; a failing item never blocks the others. Every item written
    with a change gets its history event (`request_id`: the request, for the events)."""
    check_batch(period, len(items), limits, action="saved")
    run = _BatchRun(tx, org, period, items, error_policy, limits.max_goals, request_id)
    outcome = await run_with_fallback(tx, run.execute, log_prefix="batch", where=run.log_fields)
    log_item_failures(outcome.results, "goal_save_failed", run.log_fields)
    return outcome


def check_batch(
    period: PeriodRef, size: int, limits: BatchLimits, *, action: Literal["saved", "reviewed"]
) -> None:
    """The batch-level checks every batch takes first; any failing writes nothing."""
    if period.status != PeriodStatus.ACTIVE:
        raise PeriodClosed(action)
    if size > limits.max_items:
        raise BatchTooLarge(size, limits.max_items)
    if limits.request_items > limits.max_items:
        raise BatchTooLarge(limits.request_items, limits.max_items, per="request")


async def run_with_fallback(
    tx: WriteTransaction,
    attempt: Callable[..., Awaitable[T]],
    *,
    log_prefix: str,
    where: dict[str, str],
) -> T:
    """Run a batch with bulk writes; if a bulk statement hits a database error, run it again
    with one SAVEPOINT per item, so the item that caused it fails alone and the rest still
    save. A fault of the whole transaction (or of the second run) is INTERNAL; a transient
    one (TransientFault) is run again whole by the use case (services/requests.py)."""
    try:
        return await attempt(bulk=True)
    except DBAPIError as exc:
        if is_transaction_fault(exc):
            log.error(f"{log_prefix}_transaction_fault", **where, **db_error_fields(exc))
            raise fault_error(exc) from None
        log.warning(f"{log_prefix}_bulk_write_failed", **where, **db_error_fields(exc))
    await tx.restart()
    try:
        return await attempt(bulk=False)
    except DBAPIError as exc:
        log.error(f"{log_prefix}_transaction_fault", **where, **db_error_fields(exc))
        raise fault_error(exc) from None


def log_item_failures(results: Sequence[object], event: str, where: dict[str, str]) -> None:
    """One line per failed item: who, where, which item and why; never its text."""
    for result in results:
        if isinstance(result, Problem):
            log.info(event, **where, client_id=result.client_id, code=result.code.value)


class _BatchRun:
    def __init__(
        self,
        tx: WriteTransaction,
        org: OrgContext,
        period: PeriodRef,
        items: Sequence[GoalBatchItem],
        policy: ErrorPolicy,
        max_goals: int,
        request_id: str | None,
    ) -> None:
        self.tx = tx
        self.session = tx.session
        self.org = org
        self.period = period
        self.items = items
        self.client_ids = [item.client_id for item in items]
        self.policy = policy
        self.max_goals = max_goals
        self.request_id = request_id

    @property
    def log_fields(self) -> dict[str, str]:
        """Who and where, for every log line of a batch; never the items' text."""
        return {
            "org": self.org.slug,
            "period": str(self.period.id),
            "user": str(self.org.caller.id),
        }

    async def execute(self, *, bulk: bool) -> BatchOutcome:
        # One span per phase (docs/tracing.md); a create that lost a race repeats them.
        with span("batch.keys"):
            results, targets = check_keys(self.items)
        with span("batch.load"):
            # The owner's lock comes first and the tally is read under it, so both stay true
            # until commit: the cap and the totals after the batch are computed from them.
            await lock_owner_goals(self.session, self.org)
            tally = await owner_tally(self.session, self.org.caller.id, self.period.id)
            loaded = await self._load(targets)
        written: list[Write] = []
        raced_ever = False
        # A create that lost an INSERT race to a concurrent request is planned again: the
        # second time round it finds the other request's goal and becomes an idempotent update.
        for attempt in range(2):
            if not targets:
                break
            if attempt:
                with span("batch.load"):
                    loaded = await self._load(targets)
            now = utcnow()
            with span("batch.plan"):
                plan = plan_batch(self.items, targets, loaded, self._owner(tally, written), now=now)
            results.update(plan.results)
            with span("batch.policy"):
                refused = apply_error_policy(self.policy, self.client_ids, self._in_order(results))
            if refused is not None:
                if written:  # a create planned again failed: undo the first round too
                    await self.tx.restart()
                return BatchOutcome(refused, tally.totals)
            with span("batch.write"):
                events = self._events(
                    plan.writes, ChangeSource(self.org.caller.id, self.request_id, now)
                )
                report = await write_plan(self.session, plan.writes, bulk=bulk, events=events)
                # What each write did, read from the report (the record phase's results).
                targets = self._record(plan.writes, report, results, written)
            raced_ever = raced_ever or bool(targets)
        for index in targets:
            results[index] = save_failed(self.items[index].client_id, CHANGED_WHILE_SAVING)
        ordered = self._in_order(results)
        refused = apply_error_policy(self.policy, self.client_ids, ordered)
        if refused is not None:
            # An item the database refused must not leave the others half-saved.
            await self.tx.restart()
            return BatchOutcome(refused, tally.totals)
        with span("batch.record"):
            if raced_ever:
                # Someone wrote the owner's goals outside the lock: the tally is stale, ask
                # again.
                totals = await weight_totals(self.session, self.org.caller.id, self.period.id)
            else:
                totals = totals_after(tally.totals, written)
        return BatchOutcome([r for r in ordered if r is not None], totals)

    async def _load(self, targets: list[int]) -> Loaded:
        """Phase 2, load: the goals the items name (no item to look up: nothing is asked)."""
        if not targets:
            return Loaded({}, {}, {})
        return await load_targets(self.session, self.org, self.period, self.items, targets)

    @staticmethod
    def _events(writes: dict[int, Write], source: ChangeSource) -> dict[int, dict[str, Any]]:
        """The history event of each planned write with a change, by index: the write phase
        appends those of the writes that took effect, in the batch's transaction (a rollback
        takes them along)."""
        return {
            index: event_for(EVENT_KINDS[w.kind], w.before, w.after, source)
            for index, w in writes.items()
            if w.kind in EVENT_KINDS
        }

    def _owner(self, tally: OwnerTally, written: list[Write]) -> Owner:
        created = sum(1 for w in written if w.created)
        return Owner(
            org_id=self.org.org_id,
            owner_id=self.org.caller.id,
            period_id=self.period.id,
            room=self.max_goals - tally.goal_count - created,
            max_goals=self.max_goals,
        )

    def _in_order(self, results: dict[int, ItemResult]) -> list[ItemResult | None]:
        return [results.get(i) for i in range(len(self.items))]

    def _record(
        self,
        writes: dict[int, Write],
        report: WriteReport,
        results: dict[int, ItemResult],
        written: list[Write],
    ) -> list[int]:
        """Phase 6, record: the result of each written item; returns the creates that lost
        an INSERT race (to plan again)."""
        raced: list[int] = []
        for index, write in writes.items():
            client_id = self.items[index].client_id
            if index in report.refused:
                results[index] = save_failed(client_id, REFUSED_BY_DATABASE)
            elif index not in report.written:
                if write.created:
                    raced.append(index)
                else:
                    results[index] = save_failed(client_id, CHANGED_WHILE_SAVING)
            elif write.after is None:
                assert write.before is not None
                results[index] = GoalDeleted(client_id, write.before.id)
                written.append(write)
            else:
                results[index] = GoalSaved(client_id, write.created, write.after)
                written.append(write)
        return raced


EVENT_KINDS = {
    WriteKind.INSERT: GoalEventKind.CREATED,
    WriteKind.UPDATE: GoalEventKind.UPDATED,
    WriteKind.DELETE: GoalEventKind.DELETED,
}


def totals_after(before: WeightTotals, written: list[Write]) -> WeightTotals:
    """The owner's weight totals after the batch, from the totals read under the owner's
    lock and what the batch wrote: nothing else changes the owner's weights meanwhile.
    Summed per category first (exact Decimal sums, so the same totals), then one new
    WeightTotals per category written, not two per item."""
    change: dict[GoalCategory, Decimal] = {}

    def add(category: GoalCategory, amount: Decimal) -> None:
        change[category] = change[category] + amount if category in change else amount

    for write in written:
        if write.before is not None:
            add(write.before.category, -write.before.weight)
        if write.after is not None:
            add(write.after.category, write.after.weight)
    totals = before
    for category, amount in change.items():
        totals = totals.plus(category, amount)
    return totals

"""review_goals: a supervisor decides on many submitted goals, one transaction, one result
per item (docs/review.md).

The batch engine's phases, with the review's rules: keys (the same as a save's) → load
(only goals of the caller's direct reports, locked in id order) → decide (pure) → error
policy → write (the engine's bulk UPDATE, version-checked) → record (one history INSERT).
Reviews take no membership lock: they lock goal rows only, in the same id order as every
other writer of goal rows, so a review and the owner's save never deadlock, and whoever
locks a goal second sees the first one's version (a conflict) or status (not editable).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.models import (
    GoalEventKind,
    GoalReviewDecision,
    GoalStatus,
    Membership,
    utcnow,
)
from goalpost.services.batch.engine import (
    BatchLimits,
    check_batch,
    log_item_failures,
    run_with_fallback,
)
from goalpost.services.batch.items import ErrorPolicy, GoalBatchItem
from goalpost.services.batch.keys import check_keys
from goalpost.services.batch.load import GOALS
from goalpost.services.batch.patches import text_problem
from goalpost.services.batch.plan import Write, WriteKind
from goalpost.services.batch.policy import apply_error_policy
from goalpost.services.batch.results import (
    GoalNotFound,
    GoalNotReviewable,
    GoalReviewed,
    GoalValidationFailed,
    GoalVersionConflict,
    ReviewOutcome,
    ReviewResult,
    invalid,
    save_failed,
)
from goalpost.services.batch.write import write_plan
from goalpost.services.bulk import any_of, keys_value
from goalpost.services.goals import GoalRecord
from goalpost.services.guard import OrgContext, PeriodRef, parse_uuid
from goalpost.services.history import ChangeSource, event_for
from goalpost.services.transaction import WriteTransaction
from goalpost.tracing import span

COMMENT_MAX = 2000
CHANGED_WHILE_REVIEWING = "The goal changed while reviewing; retry."
REFUSED_BY_DATABASE = "The database refused this review; retry."

OUTCOMES = {
    GoalReviewDecision.APPROVE: (GoalStatus.APPROVED, GoalEventKind.APPROVED),
    GoalReviewDecision.RETURN: (GoalStatus.REJECTED, GoalEventKind.RETURNED),
}


@dataclass(frozen=True)
class GoalReviewItem:
    """One decision on one goal. `goal_id` is as sent: a malformed id is not found."""

    client_id: str
    goal_id: str
    decision: GoalReviewDecision
    expected_version: int | None = None
    comment: str | None = None


async def review_goals(
    *,
    tx: WriteTransaction,
    org: OrgContext,
    period: PeriodRef,
    items: Sequence[GoalReviewItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
    limits: BatchLimits = BatchLimits(),
    request_id: str | None = None,
) -> ReviewOutcome:
    """Decide every item that may be decided; a failing item never blocks the others
    (SAVE_VALID), or nothing is written if one fails (ALL_OR_NOTHING)."""
    check_batch(period, len(items), limits, action="reviewed")
    where = {"org": org.slug, "period": str(period.id), "user": str(org.caller.id)}

    async def attempt(*, bulk: bool) -> ReviewOutcome:
        return await _run(tx, org, period, items, error_policy, request_id, bulk=bulk)

    outcome = await run_with_fallback(tx, attempt, log_prefix="review", where=where)
    log_item_failures(outcome.results, "goal_review_failed", where)
    return outcome


async def _run(
    tx: WriteTransaction,
    org: OrgContext,
    period: PeriodRef,
    items: Sequence[GoalReviewItem],
    policy: ErrorPolicy,
    request_id: str | None,
    *,
    bulk: bool,
) -> ReviewOutcome:
    session = tx.session
    # The engine's phases, one span each (docs/tracing.md).
    with span("review.keys"):
        keyed, targets = check_keys([GoalBatchItem(i.client_id, id=i.goal_id) for i in items])
        results: dict[int, ReviewResult] = {}
        for index, result in keyed.items():
            assert isinstance(
                result, GoalNotFound | GoalValidationFailed
            )  # keys: absent or invalid
            results[index] = result
        valid = []
        for index in targets:
            problem = comment_problem(items[index])
            if problem is not None:
                results[index] = invalid(items[index].client_id, ("comment",), problem)
            else:
                valid.append(index)
    with span("review.load"):
        ids = {parse_uuid(items[i].goal_id) for i in valid}
        loaded = await load_team_goals(session, org, period, {i for i in ids if i is not None})
    now = utcnow()
    writes: dict[int, Write] = {}
    with span("review.plan"):
        for index in valid:
            decided = decide(items[index], loaded, org.caller.id, now)
            if isinstance(decided, Write):
                writes[index] = decided
            else:
                results[index] = decided
    client_ids = [item.client_id for item in items]
    with span("review.policy"):
        refused = apply_error_policy(policy, client_ids, in_order(results, len(items)))
    if refused is not None:
        return ReviewOutcome(refused)
    source = ChangeSource(org.caller.id, request_id, now)
    events = {
        index: event_for(
            OUTCOMES[items[index].decision][1],
            w.before,
            w.after,
            source,
            comment=_comment(items[index]),
        )
        for index, w in writes.items()
    }
    with span("review.write"):
        report = await write_plan(session, writes, bulk=bulk, events=events)
        for index, write in writes.items():
            client_id = items[index].client_id
            if index in report.refused:
                results[index] = save_failed(client_id, REFUSED_BY_DATABASE)
            elif index not in report.written:
                results[index] = save_failed(client_id, CHANGED_WHILE_REVIEWING)
            else:
                assert write.after is not None
                results[index] = GoalReviewed(client_id, write.after)
    ordered = in_order(results, len(items))
    refused = apply_error_policy(policy, client_ids, ordered)
    if refused is not None:
        await tx.restart()  # a decision the database refused must not leave others written
        return ReviewOutcome(refused)
    return ReviewOutcome([r for r in ordered if r is not None])


def comment_problem(item: GoalReviewItem) -> str | None:
    """A RETURN says why; any comment fits the column and can be stored."""
    comment = item.comment or ""
    if item.decision is GoalReviewDecision.RETURN and not comment.strip():
        return "a returned goal needs a comment saying why"
    if len(comment) > COMMENT_MAX:
        return f"must be at most {COMMENT_MAX} characters"
    return text_problem(comment)


def decide(
    item: GoalReviewItem,
    loaded: dict[uuid.UUID, GoalRecord],
    reviewer_id: uuid.UUID,
    now: datetime,
) -> Write | ReviewResult:
    """Pure: the item's outcome on the goal as loaded (under its lock on PostgreSQL). The
    version goes first: a goal the owner changed is a conflict, whatever its status now."""
    goal_id = parse_uuid(item.goal_id)
    goal = loaded.get(goal_id) if goal_id is not None else None
    if goal is None:
        return GoalNotFound(item.client_id)
    if item.expected_version is not None and item.expected_version != goal.version:
        return GoalVersionConflict(item.client_id, goal, item.expected_version)
    if goal.status is not GoalStatus.SUBMITTED:
        return GoalNotReviewable(item.client_id, goal.status)
    after = goal.with_changes(
        status=OUTCOMES[item.decision][0],
        version=goal.version + 1,
        updated_at=now,
        review_decision=item.decision,
        review_comment=_comment(item),
        reviewer_id=reviewer_id,
        reviewed_at=now,
    )
    return Write(WriteKind.UPDATE, goal, after)


def _comment(item: GoalReviewItem) -> str | None:
    return item.comment if item.comment and item.comment.strip() else None


async def load_team_goals(
    session: AsyncSession, org: OrgContext, period: PeriodRef, ids: set[uuid.UUID]
) -> dict[uuid.UUID, GoalRecord]:
    """The named goals of the caller's direct reports in this org and period, in one SELECT
    joining the owner's membership; anything else is simply absent (not found). On
    PostgreSQL the goal rows (not the memberships) are locked, in id order."""
    if not ids:
        return {}
    params = {
        "ids": keys_value(session, GOALS.c.id.type, ids),
        "org_id": org.org_id,
        "period_id": period.id,
        "supervisor_id": org.caller.id,
    }
    query = _team_goals_named(session.get_bind().dialect.name)
    rows = (await session.execute(query, params)).mappings()
    return {r.id: r for r in (GoalRecord.from_row(row) for row in rows)}


@cache
def _team_goals_named(dialect: str) -> Select[Any]:
    """Built once per database, as the batch's own load (services/batch/load.py)."""
    query = (
        select(GOALS)
        .join(
            Membership,
            and_(
                Membership.user_id == GOALS.c.owner_id,
                Membership.organization_id == GOALS.c.organization_id,
            ),
        )
        .where(
            any_of(dialect, GOALS.c.id, param="ids"),
            GOALS.c.organization_id == bindparam("org_id"),
            GOALS.c.period_id == bindparam("period_id"),
            Membership.supervisor_id == bindparam("supervisor_id"),
        )
        .order_by(GOALS.c.id)
    )
    if dialect == "postgresql":
        query = query.with_for_update(of=GOALS)
    return query


def in_order(results: dict[int, ReviewResult], size: int) -> list[ReviewResult | None]:
    """The results by item index; None for an item planned but not written yet."""
    return [results.get(index) for index in range(size)]

"""submit_goals: hand in all of the caller's goals of a period, or say item by item why not."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from goalpost.db import is_postgres
from goalpost.models import Goal, GoalCategory, GoalEventKind, GoalStatus, PeriodStatus, utcnow
from goalpost.services.errors import PeriodClosed
from goalpost.services.goals import (
    EDITABLE_STATUSES,
    GoalRecord,
    lock_owner_goals,
    owner_goals_query,
)
from goalpost.services.guard import OrgContext, PeriodRef
from goalpost.services.history import ChangeSource, append_events, event_for
from goalpost.services.transaction import WriteTransaction, fault_error

REQUIRED_PERFORMANCE_TOTAL = Decimal("100")


class SubmitProblemCode(StrEnum):
    NO_GOALS = "NO_GOALS"
    INCOMPLETE = "INCOMPLETE"
    WEIGHTS_NOT_100 = "WEIGHTS_NOT_100"


@dataclass(frozen=True)
class SubmitProblem:
    code: SubmitProblemCode
    message: str
    goal: GoalRecord | None = None


@dataclass(frozen=True)
class SubmitOutcome:
    submitted: bool
    goals: list[GoalRecord]
    problems: list[SubmitProblem]


def submit_problems(goals: list[GoalRecord]) -> list[SubmitProblem]:
    """docs/domain.md: every goal complete, PERFORMANCE weights summing to exactly 100."""
    if not goals:
        return [SubmitProblem(SubmitProblemCode.NO_GOALS, "There are no goals to submit.")]
    problems = [
        SubmitProblem(
            SubmitProblemCode.INCOMPLETE,
            f"Goal {g.client_id} is incomplete: fill every field of its category.",
            g,
        )
        for g in goals
        if not g.complete
    ]
    total = sum((g.weight for g in goals if g.category is GoalCategory.PERFORMANCE), Decimal(0))
    if total != REQUIRED_PERFORMANCE_TOTAL:
        problems.append(
            SubmitProblem(
                SubmitProblemCode.WEIGHTS_NOT_100,
                f"Performance goal weights sum to {total}, they must sum to exactly 100.",
            )
        )
    return problems


async def submit_goals(
    *, tx: WriteTransaction, org: OrgContext, period: PeriodRef, request_id: str | None = None
) -> SubmitOutcome:
    """Submit every goal of the caller in the period, or none. The caller's transaction
    (`tx`) commits; refused submits write nothing. Each goal submitted gets a SUBMITTED
    event, all in one INSERT."""
    if period.status != PeriodStatus.ACTIVE:
        raise PeriodClosed("submitted")
    session = tx.session
    # The owner's lock first, then the goal rows in id order: the same locks in the same
    # order as batch_save_goals takes, so the two never deadlock, and no goal can be created
    # or edited between the checks below and the UPDATE that submits.
    await lock_owner_goals(session, org)
    query = owner_goals_query(org.caller.id, period.id).order_by(Goal.id)
    if is_postgres(session):
        query = query.with_for_update()
    rows = (await session.execute(query)).mappings()
    goals = sorted((GoalRecord.from_row(r) for r in rows), key=lambda g: (g.created_at, g.id))
    problems = submit_problems(goals)
    if problems:
        return SubmitOutcome(False, goals, problems)
    now = utcnow()
    changed = {
        g.id: g.with_changes(status=GoalStatus.SUBMITTED, version=g.version + 1, updated_at=now)
        for g in goals
        if g.editable
    }
    source = ChangeSource(org.caller.id, request_id, now)
    try:
        await session.execute(
            update(Goal)
            .where(
                Goal.owner_id == org.caller.id,
                Goal.period_id == period.id,
                Goal.status.in_(EDITABLE_STATUSES),
            )
            .values(status=GoalStatus.SUBMITTED, version=Goal.version + 1, updated_at=now)
        )
        await append_events(
            session,
            [
                event_for(GoalEventKind.SUBMITTED, g, changed[g.id], source)
                for g in goals
                if g.id in changed
            ],
        )
    except DBAPIError as exc:
        raise fault_error(exc) from None
    return SubmitOutcome(True, [changed.get(g.id, g) for g in goals], [])

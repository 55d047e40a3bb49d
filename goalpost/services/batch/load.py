"""Phase 2, load: everything the plan needs, in a few set-based SELECTs whatever the size.

On PostgreSQL the owner is locked first (lock_owner_goals) and the goal rows the batch may
change are locked in id order, so the version checks of the plan run under the lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.models import Competency, Goal
from goalpost.services.batch.items import GoalBatchItem
from goalpost.services.batch.patches import referenced_competencies
from goalpost.services.bulk import any_of, keys_value
from goalpost.services.goals import GoalRecord, competencies_by_ids
from goalpost.services.guard import OrgContext, PeriodRef, parse_uuid

# The Core table: bulk statements, rows read as plain values.
GOALS: Table = Goal.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Loaded:
    """The caller's goals that the items name (by id, and by clientId for creates) and the
    org's competencies that the items or those goals reference."""

    by_id: dict[uuid.UUID, GoalRecord]
    by_client_id: dict[str, GoalRecord]
    competencies: dict[uuid.UUID, Competency]


async def load_targets(
    session: AsyncSession,
    org: OrgContext,
    period: PeriodRef,
    items: Sequence[GoalBatchItem],
    targets: Sequence[int],
) -> Loaded:
    by_id, by_client_id = await _load_goals(session, org, period, items, targets)
    wanted: set[uuid.UUID] = set()
    for index in targets:
        for patch in items[index].patches:
            wanted |= referenced_competencies(patch)
    for record in by_id.values():
        wanted |= {uuid.UUID(c) for c in record.competency_ids or []}
    competencies = await competencies_by_ids(session, org.org_id, wanted)
    return Loaded(by_id, by_client_id, competencies)


async def _load_goals(
    session: AsyncSession,
    org: OrgContext,
    period: PeriodRef,
    items: Sequence[GoalBatchItem],
    targets: Sequence[int],
) -> tuple[dict[uuid.UUID, GoalRecord], dict[str, GoalRecord]]:
    ids = {parse_uuid(items[i].id) for i in targets if items[i].id is not None}
    client_ids = {items[i].client_id for i in targets if items[i].id is None}
    if not ids and not client_ids:
        return {}, {}
    params = {
        "owner_id": org.caller.id,
        "period_id": period.id,
        "org_id": org.org_id,
        "ids": keys_value(session, GOALS.c.id.type, ids),
        "client_ids": keys_value(session, GOALS.c.client_id.type, client_ids),
    }
    query = _named_goals(session.get_bind().dialect.name)
    records = [GoalRecord.from_row(r) for r in (await session.execute(query, params)).mappings()]
    return {r.id: r for r in records}, {r.client_id: r for r in records}


@cache
def _named_goals(dialect: str) -> Select[Any]:
    """The owner's goals in the period named by id or by clientId (built once per database)."""
    query = select(GOALS).where(
        GOALS.c.owner_id == bindparam("owner_id"),
        GOALS.c.period_id == bindparam("period_id"),
        GOALS.c.organization_id == bindparam("org_id"),
        any_of(dialect, GOALS.c.id, param="ids")
        | any_of(dialect, GOALS.c.client_id, param="client_ids"),
    )
    if dialect == "postgresql":
        # Lock the rows this batch may change: the version check runs under the lock, so
        # two batches with the same expectedVersion cannot both win. In id order, as every
        # writer of goal rows does, so that no two wait on each other.
        query = query.with_for_update().order_by(GOALS.c.id)
    return query

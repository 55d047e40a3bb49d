"""The goal history (docs/history.md): one event per change, appended in the writer's transaction.

Writers build events from the goal before and after (`event_for`) and append a whole
batch's events with `append_events`: one INSERT statement however many there are, so the
history costs a batch one statement (on PostgreSQL a batch's write phase sends that INSERT
inside its one write statement, `append_statement(goal_ids=…)`). Readers get a goal's events
oldest first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import Insert, Integer, RowMapping, Select, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from goalpost.domain.goal_fields import CATEGORY_FIELDS
from goalpost.models import GoalEvent, GoalEventKind, User
from goalpost.services.bulk import RowSpec, execute_with_rows, rows_document, rows_table
from goalpost.services.goals import GoalRecord

EVENTS: Table = GoalEvent.__table__  # type: ignore[assignment]
# Everything but xact_id, which is for the change feed's reader (and is xid8 on PostgreSQL).
READ_COLUMNS = [c for c in EVENTS.c if c.name != "xact_id"]


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after, as JSON values (domain names, stored shapes)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ChangeSource:
    """Who made a change, in which request, when: the same for every event of a write."""

    actor_id: uuid.UUID
    request_id: str | None
    at: datetime


@dataclass(frozen=True)
class GoalEventRecord:
    """One event as the API shows it (its actor's name read with it)."""

    id: uuid.UUID
    seq: int
    goal_id: uuid.UUID
    kind: GoalEventKind
    version: int
    at: datetime
    actor_id: uuid.UUID
    actor_name: str
    request_id: str | None
    changes: tuple[FieldChange, ...]
    comment: str | None


# The fields the history follows: weight, status and the category's fields.
TRACKED_FIELDS = {
    category: ("weight", "status", *(f.name for f in fields))
    for category, fields in CATEGORY_FIELDS.items()
}
# A goal's tracked values as one tuple (every category tracks more than one field).
_TRACKED_VALUES = {category: attrgetter(*names) for category, names in TRACKED_FIELDS.items()}


def json_value(value: Any) -> Any:
    """A goal field as JSON: weights as numbers (2 decimals), enums as their names."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _differences(before: GoalRecord | None, after: GoalRecord | None) -> list[tuple[str, Any, Any]]:
    """What differs between two states of a goal, as (field, before, after) JSON values; a
    missing state has every field unset (None), so a creation lists every set field and a
    deletion clears every one. Values are compared as they are (equal exactly when their
    JSON is) and only those that differ are converted: it runs for every item of a batch."""
    goal = after if after is not None else before
    assert goal is not None
    names = TRACKED_FIELDS[goal.category]
    read = _TRACKED_VALUES[goal.category]
    if before is None:  # a creation: every set field
        values = zip(names, read(after), strict=True)
        return [(name, None, json_value(v)) for name, v in values if v is not None]
    if after is None:  # a deletion: every set field cleared
        values = zip(names, read(before), strict=True)
        return [(name, json_value(v), None) for name, v in values if v is not None]
    return [
        (name, json_value(old), json_value(new))
        for name, old, new in zip(names, read(before), read(after), strict=True)
        if old != new
    ]


def event_for(
    kind: GoalEventKind,
    before: GoalRecord | None,
    after: GoalRecord | None,
    source: ChangeSource,
    comment: str | None = None,
) -> dict[str, Any]:
    """The row of one event. A deletion's version is the one after the goal's last (the
    goal has none any more), so a goal's events count up one by one."""
    goal = after if after is not None else before
    assert goal is not None
    version = after.version if after is not None else goal.version + 1
    return {
        "id": uuid.uuid4(),
        "goal_id": goal.id,
        "organization_id": goal.organization_id,
        "owner_id": goal.owner_id,
        "period_id": goal.period_id,
        "kind": kind,
        "version": version,
        "at": source.at,
        "actor_id": source.actor_id,
        "request_id": source.request_id,
        "changes": [
            {"field": name, "before": old, "after": new}
            for name, old, new in _differences(before, after)
        ],
        "comment": comment,
    }


# What event_for fills in: every column but seq (numbered by the database, in the order
# `n` gives) and xact_id (a server default).
WRITTEN_COLUMNS = tuple(c.name for c in EVENTS.c if c.name not in ("seq", "xact_id"))
_EVENT_ROW: RowSpec = (*((n, EVENTS.c[n].type) for n in WRITTEN_COLUMNS), ("n", Integer()))


async def append_events(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """One INSERT … SELECT for all of a write's events, numbered (seq) in the given order."""
    if rows:
        await execute_with_rows(session, _append_statement, _EVENT_ROW, numbered(rows))


def numbered(rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Events as an append statement reads them: `n` gives their order (their seq's)."""
    return (r | {"n": i} for i, r in enumerate(rows))


def events_document(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> str:
    """The value of append_statement's parameter for these events, in their order."""
    return rows_document(session, _EVENT_ROW, numbered(rows))


def append_statement(
    dialect: str, *, param: str = "rows", goal_ids: Select[Any] | None = None
) -> Insert:
    """The INSERT of the events bound to `param` (events_document), numbered in their
    order; with `goal_ids`, only the events of those goals (the writes that took effect,
    when the events travel in the same statement as the writes)."""
    new = rows_table(dialect, _EVENT_ROW, param=param)
    rows = select(*(new.c[n] for n in WRITTEN_COLUMNS)).order_by(new.c.n)
    if goal_ids is not None:
        rows = rows.where(new.c.goal_id.in_(goal_ids))
    return insert(EVENTS).from_select(list(WRITTEN_COLUMNS), rows)


@cache
def _append_statement(dialect: str) -> Executable:
    return append_statement(dialect)


async def events_of_goals(
    session: AsyncSession, goal_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[GoalEventRecord]]:
    """The events of many goals, oldest first, in one SELECT (with their actors' names).
    The caller decides who may see which goal; this only reads."""
    wanted = set(goal_ids)
    found: dict[uuid.UUID, list[GoalEventRecord]] = {g: [] for g in wanted}
    if not wanted:
        return found
    rows = await session.execute(
        select(*READ_COLUMNS, User.name.label("actor_name"))
        .join(User, User.id == EVENTS.c.actor_id)
        .where(EVENTS.c.goal_id.in_(wanted))
        .order_by(EVENTS.c.seq)
    )
    for row in rows.mappings():
        found[row["goal_id"]].append(event_record(row))
    return found


def event_record(row: RowMapping) -> GoalEventRecord:
    """An event read with READ_COLUMNS and its actor's name (`actor_name`)."""
    return GoalEventRecord(
        id=row["id"],
        seq=row["seq"],
        goal_id=row["goal_id"],
        kind=GoalEventKind(row["kind"]),
        version=row["version"],
        at=row["at"],
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        request_id=row["request_id"],
        changes=tuple(FieldChange(c["field"], c["before"], c["after"]) for c in row["changes"]),
        comment=row["comment"],
    )

"""Phase 5, write: one bulk statement per kind of write, each in a stable order, then the
history events of the writes that took effect; on PostgreSQL all of it in one statement.

Creates go in (owner, period, client_id) order, updates and deletes in id order (the order
their rows were locked in), so two batches never each wait for a row the other holds. The
version is part of every UPDATE and DELETE: a row that changed meanwhile matches nothing and
is never reported saved. When a bulk statement hits a database error, the engine redoes the
batch with `bulk=False`: one SAVEPOINT per item, so the item at fault fails alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import (
    delete,
    select,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import ReturningDelete, ReturningInsert, ReturningUpdate

from goalpost.db import is_postgres, is_transaction_fault
from goalpost.services.batch.load import GOALS
from goalpost.services.batch.plan import Write, WriteKind
from goalpost.services.bulk import RowSpec, execute_with_rows, rows_document, rows_table
from goalpost.services.goals import GOAL_COLUMNS
from goalpost.services.history import append_events, append_statement, events_document

# Columns an UPDATE sets: all but the goal's identity and birth.
UPDATED_COLUMNS = [
    c
    for c in GOAL_COLUMNS
    if c
    not in {"id", "organization_id", "owner_id", "period_id", "category", "client_id", "created_at"}
]


# A bulk write's statement: it returns the ids of the goals it wrote.
Returning = ReturningInsert[tuple[Any]] | ReturningUpdate[tuple[Any]] | ReturningDelete[tuple[Any]]


@dataclass
class WriteReport:
    """Per planned item (by index): written, or refused by the database (fallback only).
    Items in neither matched no row: a create that lost an INSERT race, or a row that changed."""

    written: set[int] = field(default_factory=set)
    refused: set[int] = field(default_factory=set)


async def write_plan(
    session: AsyncSession,
    writes: dict[int, Write],
    *,
    bulk: bool,
    events: Mapping[int, dict[str, Any]],
) -> WriteReport:
    """Write the plan and the history event (`events`, by index; history.event_for) of each
    write that took effect, in input order. A write without a change has no event."""
    if bulk and is_postgres(session):
        return await _write_at_once(session, writes, events)
    report = WriteReport(written={i for i, w in writes.items() if w.kind is WriteKind.NOOP})
    for kind, bulk_write in BULK_WRITES.items():
        indexes = _in_order(writes, kind)
        if bulk:
            report.written |= await _matched(session, bulk_write, writes, indexes)
            continue
        for index in indexes:
            try:
                async with session.begin_nested():
                    report.written |= await _matched(session, bulk_write, writes, [index])
            except DBAPIError as exc:
                if is_transaction_fault(exc):
                    raise
                report.refused.add(index)
    await append_events(session, [events[i] for i in sorted(report.written) if i in events])
    return report


async def _write_at_once(
    session: AsyncSession, writes: dict[int, Write], events: Mapping[int, dict[str, Any]]
) -> WriteReport:
    """PostgreSQL: the creates, updates, deletes and their events in ONE statement (data-
    modifying CTEs), one round trip instead of four. The same statements as one by one, and
    an event is kept only if its goal's write returned the goal (a lost INSERT race or a row
    that changed meanwhile returns nothing, and has no event)."""
    params = {
        _param(kind): rows_document(
            session, bulk_write.spec, bulk_write.rows([writes[i] for i in _in_order(writes, kind)])
        )
        for kind, bulk_write in BULK_WRITES.items()
    }
    # Every planned event, in input order: the statement keeps those whose goal it wrote.
    params[EVENTS_PARAM] = events_document(session, [events[i] for i in sorted(events)])
    ids = set((await session.execute(_at_once_statement(), params)).scalars())
    return WriteReport(
        written={i for i, w in writes.items() if w.kind is WriteKind.NOOP or _goal_id(w) in ids}
    )


def _in_order(writes: dict[int, Write], kind: WriteKind) -> list[int]:
    return sorted((i for i, w in writes.items() if w.kind is kind), key=_order(writes))


def _order(writes: dict[int, Write]) -> Callable[[int], Any]:
    def key(index: int) -> Any:
        w = writes[index]
        return w.after.client_id if w.before is None else w.before.id  # type: ignore[union-attr]

    return key


async def _matched(
    session: AsyncSession, bulk_write: BulkWrite, writes: dict[int, Write], indexes: list[int]
) -> set[int]:
    """The indexes whose row the statement wrote (matched by goal id)."""
    if not indexes:
        return set()
    chosen = [writes[i] for i in indexes]
    result = await execute_with_rows(
        session, bulk_write.statement, bulk_write.spec, bulk_write.rows(chosen)
    )
    ids = set(result.scalars())
    return {i for i, w in zip(indexes, chosen, strict=True) if _goal_id(w) in ids}


def _goal_id(write: Write) -> Any:
    return write.after.id if write.before is None else write.before.id  # type: ignore[union-attr]


def _insert_rows(writes: list[Write]) -> list[dict[str, Any]]:
    return [w.after.values() for w in writes]  # type: ignore[union-attr]


def _update_rows(writes: list[Write]) -> list[dict[str, Any]]:
    rows = []
    for w in writes:
        before, after = w.before, w.after
        assert before is not None and after is not None
        rows.append(
            {"id": after.id, "old_version": before.version}
            | {n: getattr(after, n) for n in UPDATED_COLUMNS}
        )
    return rows


def _delete_rows(writes: list[Write]) -> list[dict[str, Any]]:
    return [{"id": w.before.id, "version": w.before.version} for w in writes]  # type: ignore[union-attr]


# The batch's rows travel as one JSON document bound to one parameter, read back as a table
# (json_to_recordset on PostgreSQL, json_each on SQLite): the statement's text is the same for
# 1 row or 200, so it is compiled once, cached, and prepared once by the database.
_UPDATE_ROW: RowSpec = (
    ("id", GOALS.c.id.type),
    ("old_version", GOALS.c.version.type),
    *((n, GOALS.c[n].type) for n in UPDATED_COLUMNS),
)
_INSERT_ROW: RowSpec = tuple((n, GOALS.c[n].type) for n in GOAL_COLUMNS)
_DELETE_ROW: RowSpec = (("id", GOALS.c.id.type), ("version", GOALS.c.version.type))


@cache
def _insert_statement(dialect: str, param: str = "rows") -> ReturningInsert[tuple[Any]]:
    """A create whose (owner, period, client_id) exists already (a concurrent resend)
    inserts nothing and is not returned."""
    new = rows_table(dialect, _INSERT_ROW, param=param)
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # SQLite needs a WHERE in an INSERT … SELECT … ON CONFLICT (else ON reads as a join's).
    rows = select(*(new.c[n] for n in GOAL_COLUMNS)).where(true()).order_by(new.c.client_id)
    return (
        dialect_insert(GOALS)
        .from_select(list(GOAL_COLUMNS), rows)
        .on_conflict_do_nothing(index_elements=["owner_id", "period_id", "client_id"])
        .returning(GOALS.c.id)
    )


@cache
def _update_statement(dialect: str, param: str = "rows") -> ReturningUpdate[tuple[Any]]:
    """The version in the join makes a row that changed meanwhile match nothing instead of
    being overwritten."""
    new = rows_table(dialect, _UPDATE_ROW, param=param)
    return (
        update(GOALS)
        .where(GOALS.c.id == new.c.id, GOALS.c.version == new.c.old_version)
        .values({n: new.c[n] for n in UPDATED_COLUMNS})
        .returning(GOALS.c.id)
    )


@cache
def _delete_statement(dialect: str, param: str = "rows") -> ReturningDelete[tuple[Any]]:
    keys = rows_table(dialect, _DELETE_ROW, param=param)
    return (
        delete(GOALS)
        .where(tuple_(GOALS.c.id, GOALS.c.version).in_(select(keys.c.id, keys.c.version)))
        .returning(GOALS.c.id)
    )


@dataclass(frozen=True)
class BulkWrite:
    """One kind of write: its rows' columns, its rows from the writes, its statement (per
    dialect and rows parameter) returning the ids it wrote."""

    spec: RowSpec
    rows: Callable[[list[Write]], list[dict[str, Any]]]
    statement: Callable[..., Returning]


BULK_WRITES: dict[WriteKind, BulkWrite] = {
    WriteKind.INSERT: BulkWrite(_INSERT_ROW, _insert_rows, _insert_statement),
    WriteKind.UPDATE: BulkWrite(_UPDATE_ROW, _update_rows, _update_statement),
    WriteKind.DELETE: BulkWrite(_DELETE_ROW, _delete_rows, _delete_statement),
}
EVENTS_PARAM = "events"


def _param(kind: WriteKind) -> str:
    return f"{kind.value}_rows"


@cache
def _at_once_statement() -> Executable:
    """WITH insert, update, delete (each RETURNING the ids it wrote), written (their union),
    recorded (the events of the written goals) SELECT the written ids."""
    parts = [
        bulk_write.statement("postgresql", _param(kind)).cte(f"{kind.value}_done")
        for kind, bulk_write in BULK_WRITES.items()
    ]
    written = union_all(*(select(part.c.id) for part in parts)).cte("written")
    recorded = append_statement(
        "postgresql", param=EVENTS_PARAM, goal_ids=select(written.c.id)
    ).cte("recorded")
    return select(written.c.id).add_cte(recorded)

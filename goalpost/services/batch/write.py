"""Phase 5, write: one bulk statement per kind of write, each in a stable order.

Creates go in (owner, period, client_id) order, updates and deletes in id order (the order
their rows were locked in), so two batches never each wait for a row the other holds. The
version is part of every UPDATE and DELETE: a row that changed meanwhile matches nothing and
is never reported saved. When a bulk statement hits a database error, the engine redoes the
batch with `bulk=False`: one SAVEPOINT per item, so the item at fault fails alone.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import (
    delete,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from goalpost.db import is_transaction_fault
from goalpost.services.batch.load import GOALS
from goalpost.services.batch.plan import Write, WriteKind
from goalpost.services.bulk import RowSpec, execute_with_rows, rows_table
from goalpost.services.goals import GOAL_COLUMNS

# Columns an UPDATE sets: all but the goal's identity and birth.
UPDATED_COLUMNS = [
    c
    for c in GOAL_COLUMNS
    if c
    not in {"id", "organization_id", "owner_id", "period_id", "category", "client_id", "created_at"}
]

WriteStatement = Callable[[AsyncSession, list[Write]], Coroutine[Any, Any, set[int]]]


@dataclass
class WriteReport:
    """Per planned item (by index): written, or refused by the database (fallback only).
    Items in neither matched no row: a create that lost an INSERT race, or a row that changed."""

    written: set[int] = field(default_factory=set)
    refused: set[int] = field(default_factory=set)


async def write_plan(session: AsyncSession, writes: dict[int, Write], *, bulk: bool) -> WriteReport:
    report = WriteReport(written={i for i, w in writes.items() if w.kind is WriteKind.NOOP})
    for kind, statement in STATEMENTS.items():
        indexes = sorted((i for i, w in writes.items() if w.kind is kind), key=_order(writes))
        if bulk:
            report.written |= await _matched(session, statement, writes, indexes)
            continue
        for index in indexes:
            try:
                async with session.begin_nested():
                    report.written |= await _matched(session, statement, writes, [index])
            except DBAPIError as exc:
                if is_transaction_fault(exc):
                    raise
                report.refused.add(index)
    return report


def _order(writes: dict[int, Write]) -> Callable[[int], Any]:
    def key(index: int) -> Any:
        w = writes[index]
        return w.after.client_id if w.before is None else w.before.id  # type: ignore[union-attr]

    return key


async def _matched(
    session: AsyncSession, statement: WriteStatement, writes: dict[int, Write], indexes: list[int]
) -> set[int]:
    """The indexes whose row the statement wrote (matched by goal id)."""
    if not indexes:
        return set()
    chosen = [writes[i] for i in indexes]
    ids = await statement(session, chosen)
    return {i for i, w in zip(indexes, chosen, strict=True) if _goal_id(w) in ids}


def _goal_id(write: Write) -> Any:
    return write.after.id if write.before is None else write.before.id  # type: ignore[union-attr]


async def _insert(session: AsyncSession, writes: list[Write]) -> set[int]:
    """One INSERT … SELECT of the batch's rows; a create whose (owner, period, client_id)
    exists already (a concurrent resend) inserts nothing and is not returned."""
    rows = [w.after.values() for w in writes]  # type: ignore[union-attr]
    return set((await execute_with_rows(session, _insert_statement, _INSERT_ROW, rows)).scalars())


async def _update(session: AsyncSession, writes: list[Write]) -> set[int]:
    """One UPDATE joined to the batch's rows; the version in the join makes a row that
    changed meanwhile match nothing instead of being overwritten."""
    rows = []
    for w in writes:
        before, after = w.before, w.after
        assert before is not None and after is not None
        rows.append(
            {"id": after.id, "old_version": before.version}
            | {n: getattr(after, n) for n in UPDATED_COLUMNS}
        )
    return set((await execute_with_rows(session, _update_statement, _UPDATE_ROW, rows)).scalars())


async def _delete(session: AsyncSession, writes: list[Write]) -> set[int]:
    rows = [{"id": w.before.id, "version": w.before.version} for w in writes]  # type: ignore[union-attr]
    return set((await execute_with_rows(session, _delete_statement, _DELETE_ROW, rows)).scalars())


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
def _insert_statement(dialect: str) -> Executable:
    new = rows_table(dialect, _INSERT_ROW)
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
def _update_statement(dialect: str) -> Executable:
    new = rows_table(dialect, _UPDATE_ROW)
    return (
        update(GOALS)
        .where(GOALS.c.id == new.c.id, GOALS.c.version == new.c.old_version)
        .values({n: new.c[n] for n in UPDATED_COLUMNS})
        .returning(GOALS.c.id)
    )


@cache
def _delete_statement(dialect: str) -> Executable:
    keys = rows_table(dialect, _DELETE_ROW)
    return (
        delete(GOALS)
        .where(tuple_(GOALS.c.id, GOALS.c.version).in_(select(keys.c.id, keys.c.version)))
        .returning(GOALS.c.id)
    )


STATEMENTS: dict[WriteKind, WriteStatement] = {
    WriteKind.INSERT: _insert,
    WriteKind.UPDATE: _update,
    WriteKind.DELETE: _delete,
}

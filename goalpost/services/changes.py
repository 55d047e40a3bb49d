"""The change feed (SPEC §11): a period's goal events that the caller may see, read in pages
from an opaque cursor, so that a reader never misses an event and never sees one twice.

The order is (writing transaction, seq), not seq alone. On PostgreSQL `seq` is taken at
insert and a transaction's id when it first writes, and neither is commit order: a
transaction that began first may insert last and commit last. Only events of transactions
older than every transaction still in progress are readable (`xact_id <
pg_snapshot_xmin(pg_current_snapshot())`); whatever commits later has a transaction id at
least that xmin, so it sorts after every event already read, whatever its seq. (Ordering by
seq with the same filter is not enough: a younger transaction can take a smaller seq, stay
open, and commit after an older one's larger seq was read.) On SQLite writers are serialized
(BEGIN IMMEDIATE), so seq order is commit order and `xact_id` is NULL.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.db import is_postgres
from goalpost.models import Membership, User
from goalpost.models.history import Xid8
from goalpost.services.errors import GoalpostError
from goalpost.services.guard import OrgContext, PeriodRef
from goalpost.services.history import EVENTS, READ_COLUMNS, GoalEventRecord, event_record

MAX_PAGE = 500
_CURSOR = re.compile(r"c1:(0|[1-9][0-9]{0,19}):(0|[1-9][0-9]{0,19})")


class BadCursor(GoalpostError):
    code = "BAD_CURSOR"
    http_status = 400

    def __init__(self) -> None:
        super().__init__("The cursor is not one this API returned; pass a `cursor` back as is.")


class BadPageSize(GoalpostError):
    code = "BAD_PAGE_SIZE"
    http_status = 400

    def __init__(self, first: int) -> None:
        super().__init__(f"`first` must be between 1 and {MAX_PAGE}; it was {first}.")


@dataclass(frozen=True, order=True)
class Position:
    """Where a reader is: the last event read, as (writing transaction, seq); (0, 0) is the start.
    The transaction is 0 on SQLite."""

    xact: int = 0
    seq: int = 0


def encode_cursor(position: Position) -> str:
    """Opaque on the wire: clients pass it back, they do not build it."""
    raw = f"c1:{position.xact}:{position.seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; anything this API did not produce is BAD_CURSOR."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor() from None
    match = _CURSOR.fullmatch(raw)
    if match is None or len(cursor) > 64:
        raise BadCursor()
    position = Position(int(match[1]), int(match[2]))
    if position.xact >= 2**64 or position.seq >= 2**63:  # xid8, BIGINT: out of range is a 500
        raise BadCursor()
    return position


@dataclass(frozen=True)
class ChangesPage:
    events: list[GoalEventRecord]
    cursor: str  # after the last event returned; the one given when nothing new is readable
    has_more: bool  # more events are readable right now: ask again with `cursor`


def _visible_to(org: OrgContext, period: PeriodRef) -> ColumnElement[bool]:
    """The caller's own events and, for a supervisor, their direct reports' (by the owner's
    membership in this org), deleted goals included: events are kept by owner, not goal."""
    caller = org.caller.id
    return and_(
        EVENTS.c.organization_id == org.org_id,
        EVENTS.c.period_id == period.id,
        or_(EVENTS.c.owner_id == caller, Membership.supervisor_id == caller),
    )


def settled_after(query: Select[Any], start: Position, xmin: ColumnElement[Any]) -> Select[Any]:
    """PostgreSQL: the events after `start` in feed order, (transaction, seq), of transactions
    below `xmin` only: those have all ended, so nothing that commits later sorts before them.
    Adds the transaction id as the `xact` column (text: xid8 has no Python type)."""
    xact = EVENTS.c.xact_id
    return (
        query.add_columns(cast(xact, Text).label("xact"))
        .where(
            tuple_(xact, EVENTS.c.seq)
            > tuple_(cast(literal(str(start.xact)), Xid8()), literal(start.seq)),
            xact < xmin,
        )
        .order_by(xact, EVENTS.c.seq)
    )


async def goal_changes(
    *,
    session: AsyncSession,
    org: OrgContext,
    period: PeriodRef,
    after: str | None,
    first: int,
) -> ChangesPage:
    """One page of the feed, in one SELECT (events, their actors and the owners' memberships).

    Read it in a transaction that has not written: one that has holds back its own and
    every younger transaction's events until it ends.
    """
    if not 1 <= first <= MAX_PAGE:
        raise BadPageSize(first)
    start = decode_cursor(after) if after is not None else Position()
    postgres = is_postgres(session)
    query = (
        select(*READ_COLUMNS, User.name.label("actor_name"))
        .join(User, User.id == EVENTS.c.actor_id)
        .join(
            Membership,
            and_(
                Membership.user_id == EVENTS.c.owner_id,
                Membership.organization_id == EVENTS.c.organization_id,
            ),
        )
        .where(_visible_to(org, period))
        .limit(first + 1)
    )
    if postgres:
        query = settled_after(query, start, func.pg_snapshot_xmin(func.pg_current_snapshot()))
    else:
        query = query.where(EVENTS.c.seq > start.seq).order_by(EVENTS.c.seq)
    rows = list((await session.execute(query)).mappings())
    page = rows[:first]
    last = start
    if page:
        row = page[-1]
        last = Position(int(row["xact"]) if postgres else 0, row["seq"])
    return ChangesPage(
        events=[event_record(r) for r in page],
        cursor=encode_cursor(last),
        has_more=len(rows) > first,
    )

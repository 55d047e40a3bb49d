"""The change feed (docs/history.md): a period's goal events that the caller may see, read in pages
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
import struct
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.config import Settings
from goalpost.db import is_postgres
from goalpost.models import Membership, User
from goalpost.models.history import Xid8
from goalpost.services.errors import GoalpostError
from goalpost.services.guard import OrgContext, PeriodRef
from goalpost.services.history import EVENTS, READ_COLUMNS, GoalEventRecord, event_record

MAX_PAGE = 500
# What a cursor seals: the position's transaction id (xid8) and seq, unsigned 64-bit each.
_POSITION = struct.Struct(">QQ")
# A sealed position: AES-SIV's 16-byte tag, then the 16 encrypted bytes; in base64url, 43.
_CURSOR_CHARS = 43
# Binds the key and every cursor to this use: a key derived for anything else opens none.
_CURSOR_LABEL = b"goalpost feed cursor v1"


class BadCursor(GoalpostError):
    code = "BAD_CURSOR"
    http_status = 400

    def __init__(self) -> None:
        super().__init__(
            "The cursor is not one this API returned for this organization and period; "
            "pass a `cursor` back as is."
        )


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


class CursorSeal:
    """Turns a feed position into a cursor of one org and period, and back.

    AES-SIV (RFC 5297): authenticated encryption without a nonce to keep unique across every
    process and instance, and deterministic, so a position has one cursor per org and period.
    The org and period are associated data: a cursor opens only where it was issued; a
    foreign, tampered, truncated or made-up one does not open at all.
    """

    def __init__(self, secret: bytes) -> None:
        key = HKDF(algorithm=SHA256(), length=64, salt=None, info=_CURSOR_LABEL).derive(secret)
        self._siv = AESSIV(key)

    def seal(self, position: Position, org_id: uuid.UUID, period_id: uuid.UUID) -> str:
        raw = _POSITION.pack(position.xact, position.seq)
        return _text(self._siv.encrypt(raw, _scope(org_id, period_id)))

    def open(self, cursor: str, org_id: uuid.UUID, period_id: uuid.UUID) -> Position:
        """The position a cursor of this org and period names; anything else is BAD_CURSOR."""
        if len(cursor) != _CURSOR_CHARS:
            raise BadCursor()
        try:
            sealed = base64.b64decode(cursor.encode("ascii") + b"=", altchars=b"-_", validate=True)
            # One spelling per cursor: the last character's spare bits must be zero.
            if _text(sealed) != cursor:
                raise BadCursor()
            raw = self._siv.decrypt(sealed, _scope(org_id, period_id))
        except (binascii.Error, UnicodeEncodeError, ValueError, InvalidTag):
            raise BadCursor() from None
        if len(raw) != _POSITION.size:
            raise BadCursor()
        return Position(*_POSITION.unpack(raw))


def _text(sealed: bytes) -> str:
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _scope(org_id: uuid.UUID, period_id: uuid.UUID) -> list[bytes]:
    return [_CURSOR_LABEL, org_id.bytes, period_id.bytes]


def cursor_seal(settings: Settings) -> CursorSeal:
    """The seal of the server's cursor secret: the same in every process given the same
    settings, so a cursor from one worker or instance opens on any other."""
    return _seal_of(settings.cursor_secret_value)


@lru_cache(maxsize=4)
def _seal_of(secret: bytes) -> CursorSeal:
    return CursorSeal(secret)


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
    cursors: CursorSeal,
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
    start = cursors.open(after, org.org_id, period.id) if after is not None else Position()
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
        cursor=cursors.seal(last, org.org_id, period.id),
        has_more=len(rows) > first,
    )

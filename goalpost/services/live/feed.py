"""The process's one reader of committed goal events, and its subscribers.

Why read the table rather than trust a message: the events are already there, committed and
in the change feed's total order (services/changes.py). Reading them from the feed's last
position, with the feed's own rule (only events of transactions older than every one still
in flight), means notices go out in cursor order, none twice, and a wake-up that was lost
(a dropped LISTEN connection) loses nothing: the next read starts where the last one ended.
So each notice's `cursor` is a true goalChanges cursor: `goalChanges(after: cursor)` returns
exactly the events after that one.

The reader runs only while the process has subscribers; with none it keeps no position.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from sqlalchemy import BigInteger, Text, and_, cast, event, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from goalpost.db import is_postgres
from goalpost.logging import log
from goalpost.models import GoalEventKind, Membership
from goalpost.models.history import Xid8
from goalpost.services.changes import CursorSeal, Position, settled_after
from goalpost.services.errors import GoalpostError
from goalpost.services.history import EVENTS

PAGE = 500
RETRY_FIRST = 0.005  # an announced transaction not readable yet: an older one is in flight
RETRY_MAX = 0.5


class LiveOverflow(GoalpostError):
    code = "LIVE_OVERFLOW"
    retryable = True

    def __init__(self) -> None:
        super().__init__(
            "Too many changes waited for this subscriber; subscribe again and catch up "
            "with goalChanges from the last cursor received."
        )


@dataclass(frozen=True)
class Viewer:
    """Whom a subscription is for: a member of an org, watching one of its periods."""

    org_id: uuid.UUID
    period_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class GoalChangeNotice:
    """One committed event, as a poke: the client refetches or catches up from `cursor`."""

    goal_id: uuid.UUID
    kind: GoalEventKind
    version: int
    actor_id: uuid.UUID
    cursor: str
    # Who may see it (not shown): the goal's owner and the owner's supervisor in the org.
    org_id: uuid.UUID
    period_id: uuid.UUID
    owner_id: uuid.UUID
    supervisor_id: uuid.UUID | None

    def visible_to(self, viewer: Viewer) -> bool:
        return (
            viewer.org_id == self.org_id
            and viewer.period_id == self.period_id
            and viewer.user_id in (self.owner_id, self.supervisor_id)
        )


class Subscription:
    """A subscriber's notices, waiting to be sent. Bounded: a subscriber that stops reading
    is ended with LIVE_OVERFLOW (after what it was owed) rather than let grow without end."""

    def __init__(self, viewer: Viewer, capacity: int) -> None:
        self.viewer = viewer
        self._capacity = capacity
        self._pending: deque[GoalChangeNotice] = deque()
        self._ready = asyncio.Event()
        self.overflowed = False

    def offer(self, notice: GoalChangeNotice) -> None:
        if self.overflowed:
            return
        if len(self._pending) >= self._capacity:
            self.overflowed = True
        else:
            self._pending.append(notice)
        self._ready.set()

    def take_waiting(self) -> list[GoalChangeNotice]:
        """Every notice waiting now, without waiting for more: a burst goes out as a burst,
        so the socket's outbound bound sees it whole (schema/outbound.py)."""
        taken = list(self._pending)
        self._pending.clear()
        return taken

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> GoalChangeNotice:
        while not self._pending:
            if self.overflowed:
                raise LiveOverflow()
            self._ready.clear()
            await self._ready.wait()
        return self._pending.popleft()


class LiveChanges:
    """`async with live.subscribe(viewer) as notices: async for notice in notices: ...`

    `wake()` says "events may have been committed": after a commit (SQLite) or on NOTIFY
    (PostgreSQL, with the announcing transaction's id, so the reader knows to look again
    until that transaction's events are readable)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        queue_size: int = 1000,
        *,
        cursors: CursorSeal,
    ) -> None:
        self._sessions = sessions
        self._cursors = cursors
        self._queue_size = queue_size
        self._subscribers: dict[tuple[uuid.UUID, uuid.UUID], set[Subscription]] = {}
        self._position: Position | None = None
        self._lock = asyncio.Lock()
        self._wakeup = asyncio.Event()
        self._announced = 0  # the newest transaction id NOTIFY announced (PostgreSQL)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        # Set by the LISTEN side while it is not connected: read every so often meanwhile.
        self.poll_seconds: float | None = None

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="goalpost-live-feed")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    def wake(self, announced: int | None = None) -> None:
        """Safe from any thread (SQLAlchemy's commit hook, asyncpg's listener)."""
        if announced is not None:
            self._announced = max(self._announced, announced)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wakeup.set)

    @asynccontextmanager
    async def subscribe(self, viewer: Viewer) -> AsyncIterator[Subscription]:
        subscription = Subscription(viewer, self._queue_size)
        key = (viewer.org_id, viewer.period_id)
        async with self._lock:
            if self._position is None:
                # From the feed's head: what commits from now on is read after this.
                self._position = await self._head()
            self._subscribers.setdefault(key, set()).add(subscription)
        try:
            yield subscription
        finally:
            group = self._subscribers.get(key, set())
            group.discard(subscription)
            if not group:
                self._subscribers.pop(key, None)
            if not self._subscribers:
                # No one listens: forget the position, the next subscriber reads the head.
                self._position = None

    async def _run(self) -> None:
        delay = RETRY_FIRST
        behind = False
        while True:
            timeout = delay if behind else self.poll_seconds
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            self._wakeup.clear()
            try:
                behind = await self._catch_up()
            except Exception as error:  # the database is away: try again, notices wait
                log.warning("live_feed_read_failed", error=type(error).__name__)
                behind = True
            delay = min(delay * 2, RETRY_MAX) if behind else RETRY_FIRST

    async def _catch_up(self) -> bool:
        """Read and hand out every readable event after the position; True if an announced
        transaction's events are not readable yet (read again soon)."""
        async with self._lock:
            if not self._subscribers:
                self._position = None  # no one listens: keep no position, read nothing
                return False
            if self._position is None:  # pragma: no cover - set by subscribe()
                return False
            async with self._sessions() as session:
                while True:
                    readable_below, notices = await self._read(session, self._position)
                    for notice in notices:
                        for subscription in self._subscribers.get(
                            (notice.org_id, notice.period_id), ()
                        ):
                            if notice.visible_to(subscription.viewer):
                                subscription.offer(notice)
                    if len(notices) < PAGE:
                        break
            if not self._subscribers:
                # The last one left while this read: the position it moved is no one's.
                self._position = None
            return readable_below is not None and self._announced >= readable_below

    async def _read(
        self, session: AsyncSession, start: Position
    ) -> tuple[int | None, list[GoalChangeNotice]]:
        """One page of events after `start`, with the owners' supervisors; on PostgreSQL
        also the xmin it read under (every transaction below it has ended)."""
        query = (
            select(
                EVENTS.c.seq,
                EVENTS.c.goal_id,
                EVENTS.c.kind,
                EVENTS.c.version,
                EVENTS.c.actor_id,
                EVENTS.c.organization_id,
                EVENTS.c.period_id,
                EVENTS.c.owner_id,
                Membership.supervisor_id,
            )
            .outerjoin(
                Membership,
                and_(
                    Membership.user_id == EVENTS.c.owner_id,
                    Membership.organization_id == EVENTS.c.organization_id,
                ),
            )
            .limit(PAGE)
        )
        xmin: int | None = None
        if is_postgres(session):
            # xmin first: every transaction below it has ended, so the SELECT after it sees
            # all of their events, and nothing that commits later can sort before them.
            xmin = await self._xmin(session)
            query = settled_after(query, start, cast(literal(str(xmin)), Xid8()))
        else:
            query = query.where(EVENTS.c.seq > start.seq).order_by(EVENTS.c.seq)
        rows = list((await session.execute(query)).mappings())
        notices = []
        for row in rows:
            position = Position(int(row["xact"]) if xmin is not None else 0, row["seq"])
            self._position = position
            notices.append(
                GoalChangeNotice(
                    goal_id=row["goal_id"],
                    kind=GoalEventKind(row["kind"]),
                    version=row["version"],
                    actor_id=row["actor_id"],
                    cursor=self._cursors.seal(position, row["organization_id"], row["period_id"]),
                    org_id=row["organization_id"],
                    period_id=row["period_id"],
                    owner_id=row["owner_id"],
                    supervisor_id=row["supervisor_id"],
                )
            )
        return xmin, notices

    async def _head(self) -> Position:
        """The position of the newest readable event (the start if there is none)."""
        async with self._sessions() as session:
            if not is_postgres(session):
                last = await session.scalar(select(func.max(EVENTS.c.seq)))
                return Position(0, last or 0)
            xmin = await self._xmin(session)
            row = (
                await session.execute(
                    select(cast(EVENTS.c.xact_id, Text), EVENTS.c.seq)
                    .where(EVENTS.c.xact_id < cast(literal(str(xmin)), Xid8()))
                    .order_by(EVENTS.c.xact_id.desc(), EVENTS.c.seq.desc())
                    .limit(1)
                )
            ).first()
            return Position(int(row[0]), row[1]) if row is not None else Position()

    @staticmethod
    async def _xmin(session: AsyncSession) -> int:
        snapshot_xmin = func.pg_snapshot_xmin(func.pg_current_snapshot())
        value = await session.scalar(select(cast(cast(snapshot_xmin, Text), BigInteger)))
        assert value is not None  # a snapshot always has an xmin
        return int(value)


def wake_after_commits(sessions: async_sessionmaker[AsyncSession], live: LiveChanges) -> None:
    """SQLite (one process): the process's own commits are all the commits there are, so
    every commit of this factory's sessions wakes the reader. Rollbacks do not."""

    class AnnouncingSession(Session):
        pass

    event.listen(AnnouncingSession, "after_commit", lambda _session: live.wake())
    sessions.configure(sync_session_class=AnnouncingSession)


async def cancel_and_wait(task: asyncio.Task[None] | None) -> None:
    """Stop a background task and wait until it has ended (its finally blocks have run)."""
    if task is not None:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

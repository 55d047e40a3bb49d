"""Live mode of the AutoSaver (`live=True`, docs/live.md): tracked goals follow changes made
elsewhere, and edits waiting meet such a change at once, as a version conflict.

One background task holds the `goalChanged` subscription (`GoalpostClient.goal_changed`). A
notice for a tracked goal at a version the saver has already (its own save) costs nothing.
Otherwise the task waits for a request in flight to come back (its answer may bring that
version), then reads the period's goals once for all the notices that came meanwhile and hands
each newer goal to the state machine (`TrackedGoals.changed_elsewhere`). A socket that drops is
opened again after a backoff; the changes made meanwhile are read with `goal_changes(after=…)`
from the last notice's cursor (or, with no cursor yet, every tracked goal is read again). A
socket the server closed with LIVE_OVERFLOW (it fell behind) is opened again at once, and
caught up the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from goalpost.client.autosave.pump import SavePump, Sleep, backoff_delay
from goalpost.client.autosave.state import TrackedGoal, TrackedGoals
from goalpost.client.client import GoalpostClient
from goalpost.client.errors import (
    GoalpostError,
    LiveOverflow,
    OrgNotFound,
    PeriodNotFound,
    Unauthenticated,
)
from goalpost.client.history import GoalChangeNotice

log = logging.getLogger(__name__)

# Refusals that another try cannot change: the follower stops (and says why in `error`).
FINAL = (OrgNotFound, PeriodNotFound, Unauthenticated)

Item = GoalChangeNotice | BaseException


class LiveSettings(Protocol):
    """The AutoSaver's settings the follower reads."""

    client: GoalpostClient
    org_slug: str
    period_id: str
    backoff_base: float
    backoff_max: float


class LiveFollower:
    """The subscription task of one AutoSaver in live mode."""

    def __init__(
        self,
        goals: TrackedGoals,
        pump: SavePump,
        settings: LiveSettings,
        *,
        sleep: Sleep,
        random: Callable[[], float],
    ) -> None:
        self._goals = goals
        self._pump = pump
        self._settings = settings
        self._sleep = sleep
        self._random = random
        self._task: asyncio.Task[None] | None = None
        self.cursor: str | None = None  # the last change seen: catch-up starts after it
        self.connections = 0  # subscriptions opened; more than one means reconnections
        self.error: GoalpostError | None = None  # why it stopped for good, if it did
        self.overflows = 0  # sockets the server closed with LIVE_OVERFLOW (each caught up)
        self._progressed = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Close the subscription (and its socket)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    # -- the connection -------------------------------------------------------------------------

    async def _run(self) -> None:
        attempts = 0
        while True:
            self._progressed = False
            try:
                await self._connection()
            except FINAL as exc:
                log.error("live changes refused: %s", exc)
                self.error = exc
                return
            except LiveOverflow as exc:  # the server is fine; this socket fell behind
                log.info("live changes fell behind, catching up from the cursor: %s", exc)
                self.overflows += 1
                continue  # at once: the catch-up reads what the closed socket did not send
            except Exception as exc:  # a dropped socket, a failed catch-up, a bug
                log.warning("live changes interrupted, reconnecting: %s", exc)
            # A connection that brought something starts the backoff again from the first step.
            attempts = 1 if self._progressed else attempts + 1
            settings = self._settings
            await self._sleep(
                backoff_delay(attempts, settings.backoff_base, settings.backoff_max, self._random())
            )

    async def _connection(self) -> None:
        """One subscription until it fails (it raises why): after a reconnection, the changes
        missed are read first, then the notices that came meanwhile, all at once."""
        queue: asyncio.Queue[Item] = asyncio.Queue()
        reader = asyncio.get_running_loop().create_task(self._read(queue))
        reconnected = self.connections > 0
        self.connections += 1
        try:
            if reconnected:
                await self._catch_up()
                self._progressed = True
            while True:
                batch = [await queue.get()]
                while not queue.empty():
                    batch.append(queue.get_nowait())
                notices = [n for n in batch if isinstance(n, GoalChangeNotice)]
                if notices:
                    self._progressed = True
                    self.cursor = notices[-1].cursor
                    await self._apply(notices)
                failure = next((n for n in batch if isinstance(n, BaseException)), None)
                if failure is not None:
                    raise failure
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _read(self, queue: asyncio.Queue[Item]) -> None:
        settings = self._settings
        try:
            async for notice in settings.client.goal_changed(settings.org_slug, settings.period_id):
                queue.put_nowait(notice)
            queue.put_nowait(GoalpostError("the server ended the subscription", retryable=True))
        except Exception as exc:
            queue.put_nowait(exc)

    async def _catch_up(self) -> None:
        """The changes made while the socket was down, from the last cursor."""
        settings = self._settings
        if self.cursor is None:
            await self._refresh([e for e in self._goals if e.id is not None])
            return
        while True:
            try:
                page = await settings.client.goal_changes(
                    settings.org_slug, settings.period_id, after=self.cursor
                )
            except GoalpostError as exc:
                if exc.code != "BAD_CURSOR":
                    raise
                # The server opens this cursor no more (its cursor secret changed, or it is
                # another deployment): catching up from it can never work, so every tracked
                # goal is read again, as after a drop with no cursor.
                log.info("live cursor refused, reading every goal again: %s", exc)
                self.cursor = None
                await self._refresh([e for e in self._goals if e.id is not None])
                return
            notices = [
                GoalChangeNotice(e.goal_id, e.kind, e.version, e.actor_id, page.cursor)
                for e in page.events
            ]
            await self._apply(notices)
            self.cursor = page.cursor
            if not page.has_more:
                return

    # -- applying -------------------------------------------------------------------------------

    def _stale(self, notices: list[GoalChangeNotice]) -> dict[str, int]:
        """Tracked goals these notices say changed past the version the saver has."""
        newest: dict[str, int] = {}
        for notice in notices:
            entry = self._goals.by_id(notice.goal_id)
            if entry is not None and (entry.version is None or entry.version < notice.version):
                newest[notice.goal_id] = max(notice.version, newest.get(notice.goal_id, 0))
        return newest

    async def _apply(self, notices: list[GoalChangeNotice]) -> None:
        stale = self._stale(notices)
        if not stale:
            return
        # A save in flight may be what these notices announce: let its answer say so first.
        await self._pump.wait_until(lambda: not self._pump.sending)
        stale = self._stale([n for n in notices if n.goal_id in stale])
        entries = [e for goal_id in stale if (e := self._goals.by_id(goal_id)) is not None]
        await self._refresh(entries)

    async def _refresh(self, entries: list[TrackedGoal]) -> None:
        """Read the period's goals once; each of `entries` meets its goal as it is now."""
        if not entries:
            return
        settings = self._settings
        goals = await settings.client.my_goals(settings.org_slug, settings.period_id)
        by_id = {goal.id: goal for goal in goals}
        for entry in entries:
            if entry.id is not None and entry.key in self._goals:
                self._goals.changed_elsewhere(entry, by_id.get(entry.id))
        self._pump.wake()  # a goal a change unblocked, or left with edits to send, is due

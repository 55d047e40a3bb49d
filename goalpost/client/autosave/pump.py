"""The pump of the AutoSaver: *when* a save cycle starts, and that only one runs at a time.

It owns the timing and nothing else: the edit window (a cycle starts after `debounce` seconds
without edits, or `max_wait` seconds after the first unsent edit, whichever comes first), the
retry times of failed goals (exponential backoff with jitter), one background task that sends
one request at a time, and the waits the app can make (`flush`, `settle`, `idle`). It is apart
from the state machine and the transport so that the timing can be read, and run on a virtual
clock, without any of the per-goal rules or the GraphQL requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from goalpost.client.autosave.state import TrackedGoal, TrackedGoals

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]
SendCycle = Callable[[list[TrackedGoal], float], Awaitable[None]]


class PumpSettings(Protocol):
    """The AutoSaver's settings the pump reads (at each use, as the saver holds them)."""

    debounce: float
    max_wait: float
    max_batch: int


class BackoffSettings(Protocol):
    max_attempts: int
    backoff_base: float
    backoff_max: float


def backoff_delay(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff, capped, scaled by a jitter in [0.5, 1) so clients spread out."""
    return min(cap, base * 2.0 ** max(0, attempt - 1)) * (0.5 + jitter / 2)


class Backoff:
    """When a goal whose request failed may be sent again, or that it is time to give up."""

    def __init__(self, settings: BackoffSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def at_once(self) -> float:
        """Due now: for goals whose request failed because of another goal, not their own."""
        return self._clock()

    def retry_at(self, attempt: int, jitter: float) -> float | None:
        """The time of the next attempt after `attempt` failed ones; None after the last one."""
        settings = self._settings
        if attempt >= settings.max_attempts:
            return None
        delay = backoff_delay(attempt, settings.backoff_base, settings.backoff_max, jitter)
        return self._clock() + delay


class SavePump:
    """One background task that starts each save cycle when it is due and sends it via `send`."""

    def __init__(
        self,
        goals: TrackedGoals,
        settings: PumpSettings,
        send: SendCycle,
        *,
        clock: Clock,
        sleep: Sleep,
        random: Callable[[], float],
    ) -> None:
        self._goals = goals
        self._settings = settings
        self._send = send
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._window_start: float | None = None
        self._last_edit = 0.0
        self._flush_requested = False
        self._sending = False
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._changed = asyncio.Condition()

    # -- what the saver calls -------------------------------------------------------------------

    def note_edit(self) -> None:
        """An edit (re)starts the debounce window; the first unsent one starts `max_wait`."""
        now = self._clock()
        if self._window_start is None:
            self._window_start = now
        self._last_edit = now

    def wake(self) -> None:
        """Start the task if needed and let it look at what is due now."""
        self._start()
        self._wake.set()

    async def flush(self) -> None:
        """Make everything due now and wait until it is saved or has failed for good."""
        self._flush_requested = True
        self.wake()
        await self._wait_for(self._settled)

    async def settle(self) -> None:
        """Wait until nothing is due at the clock's current time and no request is in flight."""
        if self._task is None:
            return
        await self._wait_for(lambda: not self._sending and not self._due(self._clock())[0])

    async def idle(self) -> None:
        """Wait, through debounce and backoff, until nothing is left to send."""
        if self._task is None:
            return
        await self._wait_for(self._settled)

    @property
    def sending(self) -> bool:
        """A request is in flight."""
        return self._sending

    async def wait_until(self, predicate: Callable[[], bool]) -> None:
        """Wait until `predicate()` holds after a cycle (or the pump is not running)."""
        await self._wait_for(predicate)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    # -- when -----------------------------------------------------------------------------------

    def _window_due_at(self) -> float | None:
        if self._window_start is None:
            return None
        settings = self._settings
        return min(self._last_edit + settings.debounce, self._window_start + settings.max_wait)

    def _due(self, now: float) -> tuple[list[TrackedGoal], bool]:
        """The goals a cycle starting now would send, and whether the edit window is due."""
        window_at = self._window_due_at()
        window_due = self._flush_requested or (window_at is not None and window_at <= now)
        due = [
            e
            for e in self._goals
            if e.eligible
            and (
                self._flush_requested
                or (e.retry_at <= now if e.retry_at is not None else window_due)
            )
        ]
        return due, window_due

    def _next_wake(self) -> float | None:
        """When something becomes due, if nothing edits meanwhile."""
        times = [e.retry_at for e in self._goals if e.eligible and e.retry_at]
        waiting_edits = any(e.eligible and e.retry_at is None for e in self._goals)
        window_at = self._window_due_at()
        if waiting_edits:
            times.append(window_at if window_at is not None else self._clock())
        return min(times) if times else None

    def _settled(self) -> bool:
        return not self._sending and not any(e.eligible for e in self._goals)

    # -- the task -------------------------------------------------------------------------------

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _wait_for(self, predicate: Callable[[], bool]) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: predicate() or self._stopped())
        if self._task is not None and self._task.done() and not self._task.cancelled():
            error = self._task.exception()
            if error is not None:
                raise error

    def _stopped(self) -> bool:
        return self._task is None or self._task.done()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _run(self) -> None:
        try:
            while True:
                self._wake.clear()
                now = self._clock()
                due, window_due = self._due(now)
                if due:
                    await self._cycle(due, window_due)
                    await self._notify()
                    continue
                self._flush_requested = False
                await self._notify()
                next_at = self._next_wake()
                await self._wait(None if next_at is None else max(0.0, next_at - now))
        finally:
            self._sending = False
            await asyncio.shield(self._notify())

    async def _wait(self, delay: float | None) -> None:
        """Sleep until `delay` passes or an edit/flush wakes the pump, whichever is first."""
        waiters: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._wake.wait())}
        if delay is not None:
            waiters.add(asyncio.ensure_future(self._sleep(delay)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _cycle(self, due: list[TrackedGoal], window_due: bool) -> None:
        """One request's worth of due goals (at most `max_batch`); the rest go next cycle."""
        batch = due[: self._settings.max_batch]
        if window_due and len(batch) == len(due):
            self._window_start = None
        if len(batch) == len(due):
            self._flush_requested = False
        for entry in batch:
            self._goals.take(entry)
        jitter = self._random()
        self._sending = True
        try:
            await self._send(batch, jitter)
        finally:
            self._sending = False

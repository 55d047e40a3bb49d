"""`AutoSaver`, the public face of auto-save: the app's calls, wired to state, pump and transport.

It owns no rule of its own: each call records into the state machine (`state.TrackedGoals`),
then tells the pump (`pump.SavePump`) that something changed; the pump runs save cycles through
the transport (`transport.SaveTransport`). The settings stay plain attributes of the saver, and
the pump and the transport read them from it, so the saver is configured in one place.
"""

from __future__ import annotations

import asyncio
import random as random_module
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Literal

from goalpost.client.autosave.live import LiveFollower
from goalpost.client.autosave.pump import Backoff, Clock, SavePump, Sleep
from goalpost.client.autosave.state import GoalSaveState, Listener, TrackedGoal, TrackedGoals
from goalpost.client.autosave.transport import Mode, SaveTransport
from goalpost.client.client import GoalpostClient
from goalpost.client.errors import SaverClosed
from goalpost.client.models import Category, Goal, Patch


class AutoSaver:
    """Auto-saves the caller's goals of one org and period. Use inside a running event loop."""

    def __init__(
        self,
        client: GoalpostClient,
        org_slug: str,
        period_id: str,
        *,
        debounce: float = 0.8,
        max_wait: float = 5.0,
        mode: Mode = "batch",
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_batch: int = 200,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = random_module.random,
        on_event: Listener | None = None,
        live: bool = False,
    ) -> None:
        if mode not in ("batch", "per_goal"):
            raise ValueError(f"unknown mode {mode!r}")
        self.client = client
        self.org_slug = org_slug
        self.period_id = period_id
        self.debounce = debounce
        self.max_wait = max_wait
        self.mode: Mode = mode
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_batch = max_batch
        self._closed = False
        self._goals = TrackedGoals(on_event)
        self._transport = SaveTransport(self._goals, self, Backoff(self, clock))
        self._pump = SavePump(
            self._goals, self, self._transport.send_cycle, clock=clock, sleep=sleep, random=random
        )
        # Live mode (opt-in): follow changes made elsewhere (autosave/live.py).
        self._live = (
            LiveFollower(self._goals, self._pump, self, sleep=sleep, random=random)
            if live
            else None
        )
        client.attach(self)

    async def __aenter__(self) -> AutoSaver:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- what the app calls ---------------------------------------------------------------------

    async def load(self) -> list[str]:
        """Track the caller's goals of the period (keyed by goal id); returns their keys.
        In live mode the subscription starts first, so changes made meanwhile are heard."""
        self._start_live()
        goals = await self.client.my_goals(self.org_slug, self.period_id)
        return [self.track(goal) for goal in goals]

    def track(self, goal: Goal, key: str | None = None) -> str:
        """Make an existing goal editable through the saver (its id and version are known).
        In live mode, the first one tracked starts the subscription."""
        key = key or goal.id
        self._goals.track(goal, key)
        self._start_live()
        return key

    def changed_elsewhere(self, key: str, goal: Goal | None) -> str:
        """A change made elsewhere, for an app that follows live changes itself: the server's
        goal now, or None when it was deleted; the rules of `live=True` (docs/autosave.md,
        "Live mode"). Returns `known`, `later` (also: an unknown key, a closed saver),
        `followed`, `conflict` or `kept`."""
        if self._closed or key not in self._goals:
            return "later"
        outcome = self._goals.changed_elsewhere(self._goals.get(key), goal)
        self._pump.wake()  # a goal it unblocked, or left with edits to send, is due
        return outcome

    def add(
        self, category: Category | str, patch: Patch | None = None, key: str | None = None
    ) -> str:
        """A new goal; its key is also its clientId (the server's idempotency key)."""
        self._check_open()
        key = key or f"tmp-{uuid.uuid4().hex[:16]}"
        self._touch(self._goals.add(key, category, patch))
        self._start_live()
        return key

    def edit(self, key: str, category: Category | str, patch: Patch) -> None:
        """Record a change; later values of a field win over earlier ones not yet sent."""
        self._check_open()
        self._touch(self._goals.edit(key, category, patch))

    def delete(self, key: str) -> None:
        """Delete a goal; one never sent to the server is simply forgotten."""
        self._check_open()
        entry = self._goals.delete(key)
        if entry is not None:
            self._touch(entry)

    def retry(self, key: str | None = None) -> None:
        """Send goals in `error` again (a toast's Retry): one goal, or all of them."""
        self._check_open()
        for entry in [self._goals.get(key)] if key else list(self._goals):
            if entry.blocked:
                self._goals.unblock(entry, clear_conflict=False)
                self._touch(entry)

    def resolve_conflict(self, key: str, keep: Literal["mine", "theirs"]) -> None:
        """After a version conflict: resend my edits over the server's version, or drop them."""
        self._check_open()
        entry = self._goals.resolve_conflict(key, keep)
        if entry is not None:
            self._touch(entry)

    async def flush(self) -> None:
        """Send everything pending now and wait until it is saved or has failed for good."""
        if self._closed:
            return
        await self._pump.flush()

    async def settle(self) -> None:
        """Wait until nothing is due at the clock's current time and no request is in flight.

        With a virtual clock: advance it, then `settle()` to let the cycles that became due finish.
        """
        await self._pump.settle()

    async def idle(self) -> None:
        """Wait, through debounce and backoff, until nothing is left to send."""
        await self._pump.idle()

    async def aclose(self) -> None:
        """Flush, then stop: later edits raise SaverClosed instead of reaching this org."""
        if self._closed:
            return
        try:
            await self.flush()
        finally:
            self._closed = True
            self.client.detach(self)
            if self._live is not None:
                await self._live.stop()
            await self._pump.stop()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._goals.subscribe(listener)

    def state(self, key: str) -> GoalSaveState:
        return self._goals.get(key).snapshot()

    def states(self) -> dict[str, GoalSaveState]:
        return {entry.key: entry.snapshot() for entry in self._goals}

    def keys(self) -> list[str]:
        return self._goals.keys()

    def __contains__(self, key: object) -> bool:
        return key in self._goals

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def live(self) -> LiveFollower | None:
        """The live subscription (its `cursor`, `connections`, and `error` if refused), or None."""
        return self._live

    def _start_live(self) -> None:
        if self._live is not None and not self._closed:
            self._live.start()

    @property
    def requests_sent(self) -> int:
        """GraphQL requests sent so far (one per cycle, or one per goal in `per_goal` mode)."""
        return self._transport.requests_sent

    @requests_sent.setter
    def requests_sent(self, value: int) -> None:
        self._transport.requests_sent = value

    # -- bookkeeping ----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise SaverClosed(f"this AutoSaver for org {self.org_slug!r} is closed")

    def _touch(self, entry: TrackedGoal) -> None:
        """An edit: (re)start the debounce window, show `pending` and wake the pump."""
        self._pump.note_edit()
        self._goals.mark_edited(entry)
        self._pump.wake()

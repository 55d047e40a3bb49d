"""AutoSaver: SPEC §7's auto-save algorithm, one batched request per save cycle.

How it works, in one place:
- `edit`/`add`/`delete` only record: edits to one goal coalesce into one pending patch.
- One background task (the pump) decides when a cycle starts: after `debounce` seconds without
  edits, or `max_wait` seconds after the first unsent edit, whichever comes first. A cycle sends
  every due goal in one `batchSaveGoals` (or, in `per_goal` mode, one `saveGoal` per goal, the
  baseline). The pump sends one request at a time, so at most one is ever in flight.
- Each result updates only its own goal: saved goals record the server id and version (later
  edits become updates with `expectedVersion`), retryable failures come back after an
  exponential backoff with jitter, other failures wait in `error` for the app (next edit,
  `retry()`, or `resolve_conflict()`).
- The clock, the sleep and the jitter source are parameters, so tests run on virtual time.
"""

from __future__ import annotations

import asyncio
import logging
import random as random_module
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from goalpost.client.client import GoalpostClient
from goalpost.client.errors import GoalpostError, SaverClosed
from goalpost.client.models import (
    PATCH_FIELD,
    Category,
    Goal,
    GoalDeleted,
    GoalProblem,
    GoalSaved,
    Patch,
    SaveResult,
    category_of,
    normalize_patch,
)

log = logging.getLogger(__name__)

SaveState = Literal["idle", "pending", "saving", "saved", "error"]
Mode = Literal["batch", "per_goal"]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class GoalSaveState:
    """What the UI shows for one goal."""

    key: str
    state: SaveState
    message: str | None
    id: str | None
    version: int | None
    goal: Goal | None
    problem: GoalProblem | None
    attempts: int
    unsaved: Mapping[str, Any]

    @property
    def conflict(self) -> Goal | None:
        """The server's current goal after a version conflict."""
        if self.problem is not None and self.problem.code == "VERSION_CONFLICT":
            return self.problem.current
        return None


@dataclass(frozen=True)
class AutoSaveEvent:
    """Sent to subscribers whenever a goal's state or message changes (a toast per failure)."""

    key: str
    state: SaveState
    previous: SaveState
    message: str | None = None
    problem: GoalProblem | None = None
    goal: Goal | None = None
    deleted: bool = False


Listener = Callable[[AutoSaveEvent], None]


@dataclass
class _Entry:
    key: str
    category: Category
    client_id: str
    id: str | None = None
    version: int | None = None
    goal: Goal | None = None
    pending: dict[str, Any] = field(default_factory=dict)
    delete: bool = False
    # What the request in flight carries for this goal (None: nothing in flight).
    sent: dict[str, Any] | None = None
    sent_delete: bool = False
    ever_sent: bool = False
    state: SaveState = "idle"
    message: str | None = None
    problem: GoalProblem | None = None
    blocked: bool = False
    attempts: int = 0
    retry_at: float | None = None

    @property
    def sending(self) -> bool:
        return self.sent is not None

    @property
    def needs_send(self) -> bool:
        return self.delete or bool(self.pending) or self.id is None

    @property
    def eligible(self) -> bool:
        """Has something to send and nothing stops it (but it may not be due yet)."""
        return self.needs_send and not self.sending and not self.blocked

    def item(self) -> dict[str, Any]:
        """The GoalBatchItemInput for what is in flight: create, delete or update."""
        item: dict[str, Any] = {"clientId": self.client_id}
        if self.id is None:
            item[PATCH_FIELD[self.category]] = self.sent
            return item
        item["id"] = self.id
        if self.version is not None:
            item["expectedVersion"] = self.version
        if self.sent_delete:
            item["delete"] = True
        else:
            item[PATCH_FIELD[self.category]] = self.sent
        return item

    def snapshot(self) -> GoalSaveState:
        unsaved = {**(self.sent or {}), **self.pending}
        return GoalSaveState(
            key=self.key,
            state=self.state,
            message=self.message,
            id=self.id,
            version=self.version,
            goal=self.goal,
            problem=self.problem,
            attempts=self.attempts,
            unsaved=unsaved,
        )


def backoff_delay(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff, capped, scaled by a jitter in [0.5, 1) so clients spread out."""
    return min(cap, base * 2.0 ** max(0, attempt - 1)) * (0.5 + jitter / 2)


def _same(field_name: str, sent: Any, have: Any) -> bool:
    if field_name == "selectedIdealActions":

        def norm(value: Any) -> dict[str, list[str]]:
            return {str(s["competencyId"]): sorted(s["actions"]) for s in value or ()}

        return norm(sent) == norm(have)
    if field_name == "weight":
        return sent is not None and float(sent) == float(have)
    if isinstance(sent, list | tuple):
        return list(sent) == list(have or ())
    return bool(sent == have)


def patch_applied(patch: Mapping[str, Any], goal: Goal) -> bool:
    """True when the goal already holds every value of the patch.

    After a lost response the resend of an update conflicts with our own write; this tells that
    case apart from a real conflict with someone else's change.
    """
    for name, value in patch.items():
        have = goal.weight if name == "weight" else goal.fields.get(name)
        if not _same(name, value, have):
            return False
    return True


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
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._listeners: list[Listener] = [on_event] if on_event else []
        self._entries: dict[str, _Entry] = {}
        self._window_start: float | None = None
        self._last_edit = 0.0
        self._flush_requested = False
        self._sending = False
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._changed = asyncio.Condition()
        self.requests_sent = 0
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
        """Track the caller's goals of the period (keyed by goal id); returns their keys."""
        goals = await self.client.my_goals(self.org_slug, self.period_id)
        return [self.track(goal) for goal in goals]

    def track(self, goal: Goal, key: str | None = None) -> str:
        """Make an existing goal editable through the saver (its id and version are known)."""
        key = key or goal.id
        entry = self._entries.get(key)
        if entry is not None and (entry.needs_send or entry.sending):
            return key  # local edits win; the server answer will bring the version
        self._entries[key] = _Entry(
            key=key,
            category=goal.category,
            client_id=goal.client_id,
            id=goal.id,
            version=goal.version,
            goal=goal,
        )
        return key

    def add(
        self, category: Category | str, patch: Patch | None = None, key: str | None = None
    ) -> str:
        """A new goal; its key is also its clientId (the server's idempotency key)."""
        self._check_open()
        key = key or f"tmp-{uuid.uuid4().hex[:16]}"
        if key in self._entries:
            raise ValueError(f"goal key {key!r} is already in use")
        entry = _Entry(key=key, category=category_of(category), client_id=key)
        entry.pending.update(normalize_patch(patch or {}))
        self._entries[key] = entry
        self._touch(entry)
        return key

    def edit(self, key: str, category: Category | str, patch: Patch) -> None:
        """Record a change; later values of a field win over earlier ones not yet sent."""
        self._check_open()
        entry = self._entry(key)
        if category_of(category) != entry.category:
            raise ValueError(f"goal {key!r} is a {entry.category} goal, not {category}")
        if entry.delete:
            raise ValueError(f"goal {key!r} is being deleted")
        entry.pending.update(normalize_patch(patch))
        if entry.problem is None or entry.problem.code != "VERSION_CONFLICT":
            self._unblock(entry)
        self._touch(entry)

    def delete(self, key: str) -> None:
        """Delete a goal; one never sent to the server is simply forgotten."""
        self._check_open()
        entry = self._entry(key)
        if entry.id is None and not entry.ever_sent and not entry.sending:
            del self._entries[key]
            self._emit(entry, entry.state, deleted=True)
            return
        entry.delete = True
        self._unblock(entry)
        self._touch(entry)

    def retry(self, key: str | None = None) -> None:
        """Send goals in `error` again (a toast's Retry): one goal, or all of them."""
        self._check_open()
        for entry in [self._entry(key)] if key else list(self._entries.values()):
            if entry.blocked:
                self._unblock(entry, clear_conflict=False)
                self._touch(entry)

    def resolve_conflict(self, key: str, keep: Literal["mine", "theirs"]) -> None:
        """After a version conflict: resend my edits over the server's version, or drop them."""
        self._check_open()
        entry = self._entry(key)
        current = entry.problem.current if entry.problem else None
        if current is None:
            raise ValueError(f"goal {key!r} has no version conflict")
        entry.goal, entry.version = current, current.version
        self._unblock(entry)
        if keep == "theirs":
            entry.pending.clear()
            entry.delete = False
            self._set_state(entry, "saved")
            return
        self._touch(entry)

    async def flush(self) -> None:
        """Send everything pending now and wait until it is saved or has failed for good."""
        if self._closed:
            return
        self._flush_requested = True
        self._start()
        self._wake.set()
        await self._wait_for(self._settled)

    async def settle(self) -> None:
        """Wait until nothing is due at the clock's current time and no request is in flight.

        With a virtual clock: advance it, then `settle()` to let the cycles that became due finish.
        """
        if self._task is None:
            return
        await self._wait_for(lambda: not self._sending and not self._due(self._clock())[0])

    async def idle(self) -> None:
        """Wait, through debounce and backoff, until nothing is left to send."""
        if self._task is None:
            return
        await self._wait_for(self._settled)

    async def aclose(self) -> None:
        """Flush, then stop: later edits raise SaverClosed instead of reaching this org."""
        if self._closed:
            return
        try:
            await self.flush()
        finally:
            self._closed = True
            self.client.detach(self)
            if self._task is not None:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def state(self, key: str) -> GoalSaveState:
        return self._entry(key).snapshot()

    def states(self) -> dict[str, GoalSaveState]:
        return {key: entry.snapshot() for key, entry in self._entries.items()}

    def keys(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    @property
    def closed(self) -> bool:
        return self._closed

    # -- bookkeeping ----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise SaverClosed(f"this AutoSaver for org {self.org_slug!r} is closed")

    def _entry(self, key: str) -> _Entry:
        try:
            return self._entries[key]
        except KeyError:
            raise KeyError(f"unknown goal key {key!r}; use add() or track() first") from None

    def _touch(self, entry: _Entry) -> None:
        """An edit: (re)start the debounce window and wake the pump."""
        now = self._clock()
        if self._window_start is None:
            self._window_start = now
        self._last_edit = now
        if not entry.sending and entry.state != "error":
            self._set_state(entry, "pending")
        self._start()
        self._wake.set()

    def _unblock(self, entry: _Entry, *, clear_conflict: bool = True) -> None:
        if not entry.blocked:
            return
        if not clear_conflict and entry.problem and entry.problem.code == "VERSION_CONFLICT":
            return
        entry.blocked = False
        entry.attempts = 0
        entry.retry_at = None
        entry.problem = None
        if not entry.sending:
            self._set_state(entry, "pending")

    def _set_state(
        self,
        entry: _Entry,
        state: SaveState,
        message: str | None = None,
        problem: GoalProblem | None = None,
    ) -> None:
        previous = entry.state
        changed = (previous, entry.message) != (state, message)
        entry.state, entry.message, entry.problem = state, message, problem
        if changed:
            self._emit(entry, previous)

    def _emit(self, entry: _Entry, previous: SaveState, *, deleted: bool = False) -> None:
        event = AutoSaveEvent(
            key=entry.key,
            state=entry.state,
            previous=previous,
            message=entry.message,
            problem=entry.problem,
            goal=entry.goal,
            deleted=deleted,
        )
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("autosave listener failed")

    # -- scheduling ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def _window_due_at(self) -> float | None:
        if self._window_start is None:
            return None
        return min(self._last_edit + self.debounce, self._window_start + self.max_wait)

    def _due(self, now: float) -> tuple[list[_Entry], bool]:
        """The goals a cycle starting now would send, and whether the edit window is due."""
        window_at = self._window_due_at()
        window_due = self._flush_requested or (window_at is not None and window_at <= now)
        due = [
            e
            for e in self._entries.values()
            if e.eligible
            and (
                self._flush_requested
                or (e.retry_at <= now if e.retry_at is not None else window_due)
            )
        ]
        return due, window_due

    def _next_wake(self) -> float | None:
        """When something becomes due, if nothing edits meanwhile."""
        times = [e.retry_at for e in self._entries.values() if e.eligible and e.retry_at]
        waiting_edits = any(e.eligible and e.retry_at is None for e in self._entries.values())
        window_at = self._window_due_at()
        if waiting_edits:
            times.append(window_at if window_at is not None else self._clock())
        return min(times) if times else None

    def _settled(self) -> bool:
        return not self._sending and not any(e.eligible for e in self._entries.values())

    async def _wait_for(self, predicate: Callable[[], bool]) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: predicate() or self._pump_stopped())
        if self._task is not None and self._task.done() and not self._task.cancelled():
            error = self._task.exception()
            if error is not None:
                raise error

    def _pump_stopped(self) -> bool:
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

    # -- one save cycle -----------------------------------------------------------------------

    async def _cycle(self, due: list[_Entry], window_due: bool) -> None:
        batch = due[: self.max_batch]
        if window_due and len(batch) == len(due):
            self._window_start = None
        if len(batch) == len(due):
            self._flush_requested = False
        for entry in batch:
            self._take(entry)
        jitter = self._random()
        self._sending = True
        try:
            if self.mode == "per_goal":
                for entry in batch:
                    await self._send([entry], jitter)
            else:
                await self._send(batch, jitter)
        finally:
            self._sending = False

    def _take(self, entry: _Entry) -> None:
        entry.sent_delete = entry.delete and entry.id is not None
        entry.sent = {} if entry.sent_delete else entry.pending
        entry.pending = {}
        entry.retry_at = None
        entry.ever_sent = True
        self._set_state(entry, "saving")

    async def _send(self, entries: list[_Entry], jitter: float) -> None:
        items = [e.item() for e in entries]
        self.requests_sent += 1
        results: Iterable[SaveResult]
        try:
            if self.mode == "per_goal":
                results = [await self.client.save_goal(self.org_slug, self.period_id, items[0])]
            else:
                batch = await self.client.batch_save(self.org_slug, self.period_id, items)
                results = batch.results
        except GoalpostError as exc:
            for entry in entries:
                self._request_failed(entry, exc, jitter)
            return
        except Exception as exc:  # a bug or an unexpected answer must not stop auto-save
            log.exception("autosave request failed unexpectedly")
            unexpected = GoalpostError(f"unexpected failure: {exc}", retryable=True)
            for entry in entries:
                self._request_failed(entry, unexpected, jitter)
            return
        for entry, result in zip(entries, results, strict=True):
            self._apply(entry, result, jitter)

    def _finish(self, entry: _Entry) -> tuple[dict[str, Any], bool]:
        sent, sent_delete = entry.sent or {}, entry.sent_delete
        entry.sent, entry.sent_delete = None, False
        return sent, sent_delete

    def _restore(self, entry: _Entry, sent: dict[str, Any]) -> None:
        """Put a failed patch back under any newer edits: nothing typed is lost."""
        entry.pending = {**sent, **entry.pending}

    def _apply(self, entry: _Entry, result: SaveResult, jitter: float) -> None:
        sent, sent_delete = self._finish(entry)
        if isinstance(result, GoalSaved):
            self._confirm(entry, result.goal)
        elif isinstance(result, GoalDeleted):
            self._forget(entry)
        elif result.code == "NOT_FOUND" and sent_delete:
            self._forget(entry)  # already gone: a resent delete whose answer was lost
        elif (
            result.code == "VERSION_CONFLICT"
            and result.current
            and not sent_delete
            and (patch_applied(sent, result.current))
        ):
            self._confirm(entry, result.current)  # our own write, answered on a lost response
        else:
            self._restore(entry, sent)
            self._fail(entry, result.message, result.retryable, result, jitter)

    def _request_failed(self, entry: _Entry, exc: GoalpostError, jitter: float) -> None:
        sent, _ = self._finish(entry)
        self._restore(entry, sent)
        self._fail(entry, f"{exc.code}: {exc.message}", exc.retryable, None, jitter)

    def _confirm(self, entry: _Entry, goal: Goal) -> None:
        entry.id, entry.version, entry.goal = goal.id, goal.version, goal
        entry.attempts = 0
        entry.blocked = False
        self._set_state(entry, "pending" if entry.needs_send else "saved")

    def _forget(self, entry: _Entry) -> None:
        self._entries.pop(entry.key, None)
        previous = entry.state
        entry.state, entry.message, entry.problem = "saved", None, None
        self._emit(entry, previous, deleted=True)

    def _fail(
        self,
        entry: _Entry,
        message: str,
        retryable: bool,
        problem: GoalProblem | None,
        jitter: float,
    ) -> None:
        if retryable:
            entry.attempts += 1
            if entry.attempts < self.max_attempts:
                delay = backoff_delay(entry.attempts, self.backoff_base, self.backoff_max, jitter)
                entry.retry_at = self._clock() + delay
                self._set_state(entry, "pending", f"{message} (retrying)", problem)
                return
            message = f"{message} (gave up after {entry.attempts} attempts)"
        entry.blocked = True
        self._set_state(entry, "error", message, problem)

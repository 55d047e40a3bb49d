"""The per-goal state machine of the AutoSaver: what it knows of each goal and every transition.

It owns the tracked goals (server id and version, the pending patch that edits coalesce into,
what the request in flight carries), their states idle/pending/saving/saved/error, conflicts and
the events subscribers see. It never reads a clock and never sends anything: the pump decides
*when* a goal is sent and the transport decides *what a server answer means*; both move goals
only through the transitions below, so the rules of one goal's life are in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from goalpost.client.autosave.patches import check_patch, patch_applied, unapplied
from goalpost.client.models import Category, Goal, GoalProblem, Patch, category_of, normalize_patch

log = logging.getLogger(__name__)

SaveState = Literal["idle", "pending", "saving", "saved", "error"]


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
    # Live mode: the goal changed elsewhere and, nothing of ours waiting, `goal` is it now.
    refreshed: bool = False


Listener = Callable[[AutoSaveEvent], None]


@dataclass
class TrackedGoal:
    """One goal as the saver knows it: the server's side, the unsent edits, the one in flight."""

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
    # Updates whose request got no answer: the server may hold one of them (all at `version`).
    lost: list[dict[str, Any]] = field(default_factory=list)
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

    @property
    def in_conflict(self) -> bool:
        return self.problem is not None and self.problem.code == "VERSION_CONFLICT"

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


class TrackedGoals:
    """The saver's goals by key, and the transitions that move them (each one emits its event)."""

    def __init__(self, on_event: Listener | None = None) -> None:
        self._goals: dict[str, TrackedGoal] = {}
        self._listeners: list[Listener] = [on_event] if on_event else []

    # -- looking up -------------------------------------------------------------------------------

    def get(self, key: str) -> TrackedGoal:
        try:
            return self._goals[key]
        except KeyError:
            raise KeyError(f"unknown goal key {key!r}; use add() or track() first") from None

    def __iter__(self) -> Iterator[TrackedGoal]:
        return iter(self._goals.values())

    def __contains__(self, key: object) -> bool:
        return key in self._goals

    def keys(self) -> list[str]:
        return list(self._goals)

    def by_id(self, goal_id: str) -> TrackedGoal | None:
        """The tracked goal with this server id (live notices name goals by id)."""
        return next((e for e in self._goals.values() if e.id == goal_id), None)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- what the app does ------------------------------------------------------------------------

    def track(self, goal: Goal, key: str) -> None:
        """Know an existing goal; local edits not yet confirmed win over what the server says."""
        entry = self._goals.get(key)
        if entry is not None and (entry.needs_send or entry.sending):
            return  # the server answer will bring the version
        self._goals[key] = TrackedGoal(
            key=key,
            category=goal.category,
            client_id=goal.client_id,
            id=goal.id,
            version=goal.version,
            goal=goal,
        )

    def add(self, key: str, category: Category | str, patch: Patch | None) -> TrackedGoal:
        """A new goal; its key is also its clientId (the server's idempotency key)."""
        if key in self._goals:
            raise ValueError(f"goal key {key!r} is already in use")
        entry = TrackedGoal(key=key, category=category_of(category), client_id=key)
        values = normalize_patch(patch or {})
        check_patch(entry.category, values)  # a bad patch would fail the whole batch
        entry.pending.update(values)
        self._goals[key] = entry
        return entry

    def edit(self, key: str, category: Category | str, patch: Patch) -> TrackedGoal:
        """Coalesce into the pending patch; an edit answers a validation error, not a conflict."""
        entry = self.get(key)
        if category_of(category) != entry.category:
            raise ValueError(f"goal {key!r} is a {entry.category} goal, not {category}")
        if entry.delete:
            raise ValueError(f"goal {key!r} is being deleted")
        values = normalize_patch(patch)
        check_patch(entry.category, values)  # a bad patch would fail the whole batch
        entry.pending.update(values)
        if not entry.in_conflict:
            self.unblock(entry)
        return entry

    def delete(self, key: str) -> TrackedGoal | None:
        """Mark a goal for deletion; one the server never saw is forgotten (returns None)."""
        entry = self.get(key)
        if entry.id is None and not entry.ever_sent and not entry.sending:
            del self._goals[key]
            self._emit(entry, entry.state, deleted=True)
            return None
        entry.delete = True
        self.unblock(entry)
        return entry

    def resolve_conflict(self, key: str, keep: Literal["mine", "theirs"]) -> TrackedGoal | None:
        """Rebase on the server's version; returns the goal if my edits are to be resent."""
        entry = self.get(key)
        current = entry.problem.current if entry.problem else None
        if current is None:
            raise ValueError(f"goal {key!r} has no version conflict")
        entry.goal, entry.version = current, current.version
        entry.lost = []
        self.unblock(entry)
        if keep == "theirs":
            entry.pending.clear()
            entry.delete = False
            self.set_state(entry, "saved")
            return None
        return entry

    def changed_elsewhere(self, entry: TrackedGoal, current: Goal | None) -> str:
        """A live change: the server's goal now (None: deleted). With nothing of ours waiting
        the goal follows it (an event with `refreshed`, or `deleted`); with edits waiting they
        are held in a version conflict at once, never sent over it silently, unless the server
        holds them already (`settle`) or holds, one version on, what an update without an answer
        carried (`own_write_seen`: its own write, while newer edits wait). A goal in flight
        is left to its request's answer. Returns what it did (`known`, `later`, `followed`,
        `conflict`, or `kept`: deleted elsewhere while edited here, its save will say so).
        """
        if entry.sending or entry.id is None:
            return "later"
        if current is not None and entry.version is not None and current.version <= entry.version:
            return "known"
        if not entry.needs_send:
            if current is None:
                self.forget(entry)
            else:
                entry.id, entry.version, entry.goal = current.id, current.version, current
                self._emit(entry, entry.state, refreshed=True)
            return "followed"
        if current is None:
            return "kept"
        if not entry.delete and patch_applied(entry.pending, current):
            self.settle(entry, current)
            return "followed"
        one_on = entry.version is not None and current.version == entry.version + 1
        if not entry.delete and one_on and any(patch_applied(lost, current) for lost in entry.lost):
            self.own_write_seen(entry, current)
            return "followed"
        held = entry.problem.current if entry.in_conflict and entry.problem else None
        if held is not None and held.version >= current.version:
            return "known"
        message = f"VERSION_CONFLICT: changed elsewhere (now version {current.version})"
        conflict = GoalProblem(
            kind="GoalVersionConflict",
            client_id=entry.client_id,
            code="VERSION_CONFLICT",
            message=message,
            retryable=False,
            current=current,
        )
        self.block(entry, message, conflict)
        return "conflict"

    def settle(self, entry: TrackedGoal, current: Goal) -> None:
        """Changed elsewhere to just what waits here: our own write whose answer was lost (the
        notice came before the resend), or the same edit made elsewhere. Nothing is left to
        send, so it is no conflict: the goal follows the server (an event with `refreshed`)."""
        entry.pending.clear()
        entry.retry_at = None
        self.confirm(entry, current)
        self._emit(entry, entry.state, refreshed=True)

    def own_write_seen(self, entry: TrackedGoal, current: Goal) -> None:
        """Changed elsewhere to our own write whose answer was lost (one version on, holding what
        a lost update carried), while newer edits wait: no conflict. The goal takes that version;
        what it does not hold yet stays pending and goes at its retry as an update of it."""
        entry.pending = unapplied(entry.pending, current)
        self.confirm(entry, current)
        self._emit(entry, entry.state, refreshed=True)

    def mark_edited(self, entry: TrackedGoal) -> None:
        """A goal with something new to send shows `pending` (an `error` stays until unblocked)."""
        if not entry.sending and entry.state != "error":
            self.set_state(entry, "pending")

    def unblock(self, entry: TrackedGoal, *, clear_conflict: bool = True) -> None:
        """Let a goal in `error` be sent again, with a fresh count of attempts."""
        if not entry.blocked:
            return
        if not clear_conflict and entry.in_conflict:
            return
        entry.blocked = False
        entry.attempts = 0
        entry.retry_at = None
        entry.problem = None
        if not entry.sending:
            self.set_state(entry, "pending")

    # -- what a save cycle does -------------------------------------------------------------------

    def take(self, entry: TrackedGoal) -> None:
        """The pending patch (or the delete) goes into the request; newer edits pend anew."""
        entry.sent_delete = entry.delete and entry.id is not None
        entry.sent = {} if entry.sent_delete else entry.pending
        entry.pending = {}
        entry.retry_at = None
        entry.ever_sent = True
        self.set_state(entry, "saving")

    def finish(self, entry: TrackedGoal) -> tuple[dict[str, Any], bool]:
        """The request is answered: returns what it carried (the patch, whether a delete)."""
        sent, sent_delete = entry.sent or {}, entry.sent_delete
        entry.sent, entry.sent_delete = None, False
        return sent, sent_delete

    def answer_lost(self, entry: TrackedGoal, sent: dict[str, Any]) -> None:
        """An update got no answer: it may have been written. Remembered apart from newer edits,
        so a resend that conflicts with it can tell our own write from someone else's."""
        entry.lost.append(dict(sent))

    def restore(self, entry: TrackedGoal, sent: dict[str, Any]) -> None:
        """Put a failed patch back under any newer edits: nothing typed is lost."""
        entry.pending = {**sent, **entry.pending}

    def confirm(self, entry: TrackedGoal, goal: Goal) -> None:
        """Saved: later edits become updates of this id with `expectedVersion`."""
        entry.id, entry.version, entry.goal = goal.id, goal.version, goal
        entry.lost = []
        entry.attempts = 0
        entry.blocked = False
        self.set_state(entry, "pending" if entry.needs_send else "saved")

    def forget(self, entry: TrackedGoal) -> None:
        """Deleted on the server: the goal leaves the table."""
        self._goals.pop(entry.key, None)
        previous = entry.state
        entry.state, entry.message, entry.problem = "saved", None, None
        self._emit(entry, previous, deleted=True)

    def count_attempt(self, entry: TrackedGoal) -> int:
        entry.attempts += 1
        return entry.attempts

    def retry_later(
        self, entry: TrackedGoal, at: float, message: str | None, problem: GoalProblem | None
    ) -> None:
        """A retryable failure: the goal stays `pending` and is due again at `at`."""
        entry.retry_at = at
        self.set_state(entry, "pending", message, problem)

    def block(self, entry: TrackedGoal, message: str, problem: GoalProblem | None) -> None:
        """A failure retrying cannot fix: `error` until an edit, `retry()` or a resolution."""
        entry.blocked = True
        self.set_state(entry, "error", message, problem)

    # -- events -----------------------------------------------------------------------------------

    def set_state(
        self,
        entry: TrackedGoal,
        state: SaveState,
        message: str | None = None,
        problem: GoalProblem | None = None,
    ) -> None:
        previous = entry.state
        changed = (previous, entry.message) != (state, message)
        entry.state, entry.message, entry.problem = state, message, problem
        if changed:
            self._emit(entry, previous)

    def _emit(
        self,
        entry: TrackedGoal,
        previous: SaveState,
        *,
        deleted: bool = False,
        refreshed: bool = False,
    ) -> None:
        event = AutoSaveEvent(
            key=entry.key,
            state=entry.state,
            previous=previous,
            message=entry.message,
            problem=entry.problem,
            goal=entry.goal,
            deleted=deleted,
            refreshed=refreshed,
        )
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("autosave listener failed")

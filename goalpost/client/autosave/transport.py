"""The transport of the AutoSaver: one save cycle as GraphQL requests, and what the answers mean.

It owns the wire: the `GoalBatchItemInput` of each goal taken into the cycle, one
`batchSaveGoals` per cycle (or, in `per_goal` mode, one `saveGoal` per goal: the benchmark's
baseline) through `GoalpostClient`, and reading each result back onto its own goal: saved,
deleted, our own write answered after a lost response, or a failure to retry or to show. It is
apart from the state machine and the pump so that the request shapes and the answers' meanings
are in one place, with no timing and no event plumbing in the way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Literal, Protocol

from goalpost.client.autosave.patches import patch_applied, unapplied
from goalpost.client.autosave.pump import Backoff
from goalpost.client.autosave.state import TrackedGoal, TrackedGoals
from goalpost.client.client import GoalpostClient
from goalpost.client.errors import GoalpostError, NetworkError
from goalpost.client.models import (
    PATCH_FIELD,
    Goal,
    GoalDeleted,
    GoalProblem,
    GoalSaved,
    SaveResult,
)

log = logging.getLogger(__name__)

Mode = Literal["batch", "per_goal"]


class TransportSettings(Protocol):
    """The AutoSaver's settings the transport reads (at each use, as the saver holds them)."""

    client: GoalpostClient
    org_slug: str
    period_id: str
    mode: Mode


def save_item(entry: TrackedGoal) -> dict[str, Any]:
    """The GoalBatchItemInput for what is in flight: create, delete or update."""
    item: dict[str, Any] = {"clientId": entry.client_id}
    if entry.id is None:
        item[PATCH_FIELD[entry.category]] = entry.sent
        return item
    item["id"] = entry.id
    if entry.version is not None:
        item["expectedVersion"] = entry.version
    if entry.sent_delete:
        item["delete"] = True
    else:
        item[PATCH_FIELD[entry.category]] = entry.sent
    return item


def bad_items(exc: GoalpostError, count: int) -> dict[int, str]:
    """The batch items a BAD_USER_INPUT names (`extensions.inputPath` = `[var, "items", i, …]`),
    each with what was wrong; empty when it names none (then the whole request failed)."""
    if exc.code != "BAD_USER_INPUT":
        return {}
    bad: dict[int, str] = {}
    for error in exc.errors:
        path = (error.get("extensions") or {}).get("inputPath") or []
        if len(path) >= 3 and path[1] == "items" and path[2] in range(count):
            where = ".".join(str(step) for step in path[3:])
            reason = str(error.get("message", "")).split(": ", 1)[-1]
            bad.setdefault(path[2], f"{where}: {reason}" if where else reason)
    return bad


def answer_lost(exc: GoalpostError) -> bool:
    """No answer came (no connection, or an HTTP error without a GraphQL answer): unlike a
    GraphQL error, the request may have been written."""
    return isinstance(exc, NetworkError) or exc.code.startswith("HTTP_")


def own_write(entry: TrackedGoal, sent: dict[str, Any], current: Goal) -> bool:
    """Whether a version conflict is with our own write whose answer was lost: the server holds
    all that was sent, or, exactly one version on, all that one of the lost updates carried
    (the resend may carry edits made since, which the server cannot hold yet)."""
    if patch_applied(sent, current):
        return True
    one_on = entry.version is not None and current.version == entry.version + 1
    return one_on and any(patch_applied(lost, current) for lost in entry.lost)


class SaveTransport:
    """Sends the goals of one save cycle and applies each answer to its own goal."""

    def __init__(self, goals: TrackedGoals, settings: TransportSettings, backoff: Backoff) -> None:
        self._goals = goals
        self._settings = settings
        self._backoff = backoff
        self.requests_sent = 0

    async def send_cycle(self, batch: list[TrackedGoal], jitter: float) -> None:
        """One request for the whole batch, or one per goal in `per_goal` mode."""
        if self._settings.mode == "per_goal":
            for entry in batch:
                await self._send([entry], jitter)
        else:
            await self._send(batch, jitter)

    async def _send(self, entries: list[TrackedGoal], jitter: float) -> None:
        settings = self._settings
        items = [save_item(e) for e in entries]
        self.requests_sent += 1
        results: Iterable[SaveResult]
        try:
            if settings.mode == "per_goal":
                results = [
                    await settings.client.save_goal(settings.org_slug, settings.period_id, items[0])
                ]
            else:
                batch = await settings.client.batch_save(
                    settings.org_slug, settings.period_id, items
                )
                results = batch.results
        except GoalpostError as exc:
            bad = bad_items(exc, len(entries)) if settings.mode == "batch" else {}
            for index, entry in enumerate(entries):
                if not bad:
                    self._request_failed(entry, exc, jitter)
                elif index in bad:
                    self._refused(entry, bad[index])
                else:
                    self._resend_at_once(entry)
            return
        except Exception as exc:  # a bug or an unexpected answer must not stop auto-save
            log.exception("autosave request failed unexpectedly")
            unexpected = GoalpostError(f"unexpected failure: {exc}", retryable=True)
            for entry in entries:
                self._request_failed(entry, unexpected, jitter)
            return
        for entry, result in zip(entries, results, strict=True):
            self._apply(entry, result, jitter)

    def _apply(self, entry: TrackedGoal, result: SaveResult, jitter: float) -> None:
        goals = self._goals
        sent, sent_delete = goals.finish(entry)
        if isinstance(result, GoalSaved):
            goals.confirm(entry, result.goal)
        elif isinstance(result, GoalDeleted):
            goals.forget(entry)
        elif result.code == "NOT_FOUND" and sent_delete:
            goals.forget(entry)  # already gone: a resent delete whose answer was lost
        elif (
            result.code == "VERSION_CONFLICT"
            and result.current
            and not sent_delete
            and own_write(entry, sent, result.current)
        ):
            self._own_write_met(entry, sent, result.current)
        else:
            goals.restore(entry, sent)
            self._fail(entry, result.message, result.retryable, result, jitter)

    def _own_write_met(self, entry: TrackedGoal, sent: dict[str, Any], current: Goal) -> None:
        """A resend conflicted with our own write whose answer was lost: saved at the server's
        version; what the resend carried beyond that write goes out at once as an update."""
        rest = unapplied(sent, current)
        self._goals.restore(entry, rest)
        self._goals.confirm(entry, current)
        if rest:
            self._goals.retry_later(entry, self._backoff.at_once(), None, None)

    def _refused(self, entry: TrackedGoal, message: str) -> None:
        """The server named this goal's input as the reason the request failed: only this goal
        waits in `error` (like a validation failure) until its next edit or `retry()`."""
        sent, _ = self._goals.finish(entry)
        self._goals.restore(entry, sent)
        self._goals.block(entry, f"BAD_USER_INPUT: {message}", None)

    def _resend_at_once(self, entry: TrackedGoal) -> None:
        """Another goal's input failed the request: this one is due again in the next cycle,
        which starts as soon as this one ends; not a failed attempt of its own."""
        sent, _ = self._goals.finish(entry)
        self._goals.restore(entry, sent)
        self._goals.retry_later(entry, self._backoff.at_once(), None, None)

    def _request_failed(self, entry: TrackedGoal, exc: GoalpostError, jitter: float) -> None:
        sent, sent_delete = self._goals.finish(entry)
        if answer_lost(exc) and entry.id is not None and not sent_delete:
            self._goals.answer_lost(entry, sent)
        self._goals.restore(entry, sent)
        self._fail(entry, f"{exc.code}: {exc.message}", exc.retryable, None, jitter)

    def _fail(
        self,
        entry: TrackedGoal,
        message: str,
        retryable: bool,
        problem: GoalProblem | None,
        jitter: float,
    ) -> None:
        """Retryable failures come back after a backoff, until the last attempt; others wait."""
        if retryable:
            attempt = self._goals.count_attempt(entry)
            retry_at = self._backoff.retry_at(attempt, jitter)
            if retry_at is not None:
                self._goals.retry_later(entry, retry_at, f"{message} (retrying)", problem)
                return
            message = f"{message} (gave up after {attempt} attempts)"
        self._goals.block(entry, message, problem)

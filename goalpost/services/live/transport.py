"""How a process learns of committed goal events: the live transport, chosen in one place.

Publishing is the database's part (a trigger's NOTIFY on PostgreSQL, migration 0006) or the
session's (SQLite: an after-commit hook); waking is `LiveChanges.wake`. Between the two sits
one of three transports, each with the same small interface (start, stop):

- `InProcessCommits` (SQLite, one process): the process's own commits are all there are;
- `NotifyListener` (PostgreSQL): a LISTEN connection, so a commit in any process wakes all;
- `Polling` (PostgreSQL behind a transaction-pooling PgBouncer with no direct URL to LISTEN
  on): each process reads the feed every `poll_seconds`.

docs/live.md says which is used when.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from goalpost.services.live.feed import LiveChanges, wake_after_commits
from goalpost.services.live.listen import NotifyListener


class LiveTransport(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class InProcessCommits:
    """SQLite: every commit of these sessions wakes the feed (rollbacks do not)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], live: LiveChanges) -> None:
        wake_after_commits(sessions, live)

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


class Polling:
    """No way to be told: read the feed every so often (the feed's own timer)."""

    def __init__(self, live: LiveChanges, poll_seconds: float) -> None:
        self._live = live
        self._poll_seconds = poll_seconds

    async def start(self) -> None:
        self._live.poll_seconds = self._poll_seconds

    async def stop(self) -> None:
        self._live.poll_seconds = None


def live_transport(
    *,
    dialect: str,
    listen_url: str | None,
    sessions: async_sessionmaker[AsyncSession],
    live: LiveChanges,
    poll_seconds: float,
) -> LiveTransport:
    """SQLite serves one process, whose own commits are all there are; PostgreSQL tells every
    process of each commit over LISTEN/NOTIFY, or, with nowhere to LISTEN, is polled."""
    if dialect != "postgresql":
        return InProcessCommits(sessions, live)
    if listen_url is not None:
        return NotifyListener(listen_url, live, poll_seconds=poll_seconds)
    return Polling(live, poll_seconds)

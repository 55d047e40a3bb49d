"""PostgreSQL: one LISTEN connection per process, which reconnects by itself.

The database sends a NOTIFY on this channel when a transaction that wrote goal events
commits (a trigger, migration 0006), never otherwise. Each notification wakes the process's
feed; while the connection is down the feed polls instead, and after every (re)connect it
reads once, so what was announced meanwhile is not lost (the feed reads from its position).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from goalpost.logging import log
from goalpost.services.live.feed import LiveChanges, cancel_and_wait

CHANNEL = "goalpost_goal_events"
APPLICATION_NAME = "goalpost-live-listener"
POLL_WHILE_DOWN = 1.0  # seconds between reads while not listening
HEALTH_CHECK = 10.0  # seconds between checks that the connection still answers
RECONNECT_MAX = 5.0


class NotifyListener:
    def __init__(
        self, database_url: str, live: LiveChanges, *, poll_seconds: float = POLL_WHILE_DOWN
    ) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._live = live
        self._poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._live.poll_seconds = self._poll_seconds
        self._task = asyncio.create_task(self._run(), name="goalpost-live-listen")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            announced = int(payload)
        except ValueError:
            announced = None
        self._live.wake(announced)

    async def _run(self) -> None:
        delay = 0.1
        while True:
            conn: Any = None
            try:
                conn = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": APPLICATION_NAME}
                )
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, self._on_notify)
                self._live.poll_seconds = None
                self.connected.set()
                delay = 0.1
                self._live.wake()  # whatever committed while we were not listening
                log.info("live_listen_connected")
                while not lost.is_set():
                    with suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), HEALTH_CHECK)
                    if not lost.is_set():
                        await conn.fetchval("SELECT 1", timeout=HEALTH_CHECK)
                log.warning("live_listen_lost", error="ConnectionTerminated")
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("live_listen_lost", error=type(error).__name__)
            finally:
                self.connected.clear()
                self._live.poll_seconds = self._poll_seconds
                if conn is not None:
                    with suppress(Exception):
                        await conn.close(timeout=1)
            self._live.wake()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

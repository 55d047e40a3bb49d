"""A live socket's outbound queue: bounded, written by one task, closed on overflow.

Why: a subscriber that never reads (or whose writes never drain) used to hold every notice
ever meant for it, once per subscription, and each send blocked the code producing the next.
Here producers only append text to a queue bounded in messages and bytes; one task writes it
to the socket, waiting while the transport says it is full (uvicorn pauses writing above its
high-water mark). When a producer finds the queue full the socket is closed with
LIVE_OVERFLOW (`OVERFLOW_CLOSE_CODE`), and the client catches up from its last cursor with
goalChanges (docs/live.md). A socket whose write fails is done: its queue is dropped and one
line is logged for it, not one per message that was waiting.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from typing import Any

from goalpost.logging import log

# 1013 "Try Again Later" (RFC 6455): the server ends the socket for a passing condition; the
# client connects again and reads what it missed from its cursor.
OVERFLOW_CLOSE_CODE = 1013
OVERFLOW_REASON = "LIVE_OVERFLOW"
# How long the close frame may wait for a socket that does not drain before it is cut.
CLOSE_SECONDS = 5.0

SendText = Callable[[str], Awaitable[None]]
# Where KeepServerSend leaves the server's own ASGI `send` of a WebSocket (see `cut`).
SERVER_SEND = "goalpost.server_send"


class KeepServerSend:
    """ASGI middleware: keep the server's own `send` of each WebSocket in its scope.

    ASGI cannot abort a connection, and a close frame waits behind everything a peer that
    does not read has left unread; uvicorn's `send` is bound to its protocol, whose transport
    can. Starlette wraps `send` further in, so it is kept here, where it is still the
    server's."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)


def cut(scope: Mapping[str, Any]) -> bool:
    """Abort the connection under a WebSocket (True if the server let us)."""
    protocol = getattr(scope.get(SERVER_SEND), "__self__", None)
    transport = getattr(protocol, "transport", None)
    if isinstance(transport, asyncio.WriteTransport):
        transport.abort()
        return True
    return False


def encoded_size(text: str) -> int:
    """UTF-8 bytes of a message; JSON messages are nearly always ASCII (len is then exact)."""
    return len(text) if text.isascii() else len(text.encode())


class Outbound:
    """`put(text)` from anywhere on the socket's loop; `start()` the writer, `stop()` it.

    `on_overflow` is called once, when a message finds the queue full; `on_lost` once, when a
    write fails (the peer is gone). After either nothing more is queued or written."""

    def __init__(
        self,
        send_text: SendText,
        *,
        max_messages: int,
        max_bytes: int,
        on_overflow: Callable[[], None],
    ) -> None:
        self._send_text = send_text
        self._max_messages = max_messages
        self._max_bytes = max_bytes
        self._on_overflow = on_overflow
        self._queue: deque[tuple[str, int]] = deque()
        self._bytes = 0
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.done = False  # overflowed, lost or stopped: nothing more goes out
        self.sent = 0

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._write(), name="goalpost-live-outbound")

    async def stop(self) -> None:
        """Stop writing (the socket is closing); what waits is dropped."""
        self.done = True
        self._drop()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    def put(self, text: str) -> None:
        if self.done:
            return
        size = encoded_size(text)
        if len(self._queue) >= self._max_messages or self._bytes + size > self._max_bytes:
            self.done = True
            self._drop()
            self._on_overflow()
            return
        self._queue.append((text, size))
        self._bytes += size
        self._ready.set()

    def _drop(self) -> None:
        self._queue.clear()
        self._bytes = 0

    async def _write(self) -> None:
        while not self.done:
            if not self._queue:
                self._ready.clear()
                await self._ready.wait()
                continue
            text, size = self._queue.popleft()
            self._bytes -= size
            try:
                await self._send_text(text)
            except Exception as error:  # the peer is gone (reset, closed): one line, not one each
                if not self.done:
                    log.info(
                        "live_socket_lost",
                        error=type(error).__name__,
                        sent=self.sent,
                        undelivered=len(self._queue) + 1,
                    )
                self.done = True
                self._drop()
                return
            self.sent += 1
            # Let the loop run between writes: a connection that just failed is then marked
            # lost before the next write, which asyncio would otherwise warn about, each time.
            await asyncio.sleep(0)

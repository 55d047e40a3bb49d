"""The real app under uvicorn in a background thread, for client, browser and plugin tests."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
import time
from collections.abc import Coroutine
from typing import Any, TextIO, TypeVar

from goalpost.config import Settings
from goalpost.logging import logs_to
from goalpost.testing.databases import reset_database
from goalpost.testing.recorder import RequestRecorder

T = TypeVar("T")


class LiveServer:
    """The real app under uvicorn, in a background thread with its own event loop.

    Its log lines go to `log` (by default a buffer, read with `log_lines()`), not to stdout:
    a request is logged after its response, when pytest may already be printing its dots."""

    def __init__(
        self, settings: Settings, host: str = "127.0.0.1", log: TextIO | None = None
    ) -> None:
        self.settings = settings
        self.host = host
        self.log: TextIO = log if log is not None else io.StringIO()
        self.port = 0
        self.app: Any = None
        self.recorder: RequestRecorder
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    def start(self) -> LiveServer:
        import uvicorn

        from goalpost.app import create_app

        self.app = create_app(self.settings)
        self.recorder = RequestRecorder(self.app)
        # IPPROTO_TCP explicitly: asyncio then sets TCP_NODELAY, with no 40 ms delayed-ACK stall.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.recorder, interface="asgi3", log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name="goalpost-live-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the goalpost test server did not start")
            time.sleep(0.01)
        return self

    def _serve(self, sock: socket.socket) -> None:
        self.loop = asyncio.new_event_loop()
        try:
            with logs_to(self.log):
                self.loop.run_until_complete(self._server.serve(sockets=[sock]))
        finally:
            self.loop.close()
            sock.close()

    def log_lines(self) -> list[str]:
        """What the server has logged so far (with the default in-memory log)."""
        if not isinstance(self.log, io.StringIO):
            raise TypeError("log_lines() reads the default in-memory log only")
        return self.log.getvalue().splitlines()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the server's loop (where its engine and pool live)."""
        assert self.loop is not None, "server not started"
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def reset(self) -> None:
        """Demo data back to its seeded state, recorded requests forgotten.

        The previous test's live subscriptions are waited out first: one still closing would
        count as the next test's subscriber, and would keep the feed reading from a position
        in the data being replaced."""
        self.wait_for_subscribers(0)
        self.recorder.release()
        self.run(reset_database(self.app.state.engine))
        self.recorder.clear()

    def wait_for_subscribers(self, count: int, timeout: float = 10) -> None:
        """Until the server has `count` live subscriptions (sockets close asynchronously)."""
        live = self.app.state.live

        async def subscribers() -> int:  # read on the server's loop, where they change
            return int(live.subscriber_count)

        deadline = time.monotonic() + timeout
        while (have := self.run(subscribers())) != count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{have} live subscriptions open, {count} expected")
            time.sleep(0.01)

    def execute_sql(self, *statements: str) -> None:
        """Raw SQL on the server's database, e.g. to plant a fault (a trigger) and remove it."""

        async def execute() -> None:
            async with self.app.state.engine.begin() as conn:
                for statement in statements:
                    await conn.exec_driver_sql(statement)

        self.run(execute())

    def stop(self) -> None:
        if self._thread is None:
            return
        self.recorder.release()
        self._server.should_exit = True
        self._thread.join(30)
        self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

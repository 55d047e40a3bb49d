"""Helpers for test suites: throwaway databases, demo data, tokens for demo users."""

from __future__ import annotations

import asyncio
import heapq
import io
import itertools
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from goalpost.cli import migrate_database
from goalpost.config import Settings
from goalpost.db import create_engine, create_session_factory
from goalpost.logging import logs_to
from goalpost.services.auth import issue_dev_token
from goalpost.services.demo import reset_demo, subject_of

T = TypeVar("T")


def demo_token(settings: Settings, name: str, ttl_seconds: int | None = None) -> str:
    """A token for a demo user (alice, bob, carol, dave)."""
    return issue_dev_token(settings, subject_of(name), ttl_seconds)


async def reset_database(engine: AsyncEngine) -> None:
    async with create_session_factory(engine)() as session:
        await reset_demo(session)


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """Create a uniquely named database next to `admin_url`, migrate it, drop it afterwards."""
    import asyncpg

    url = make_url(admin_url)
    name = f"goalpost_test_{uuid.uuid4().hex[:10]}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate_database(test_url)
        yield test_url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def fresh_sqlite_database(path: str) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{path}"
    migrate_database(url)
    yield url


def mixed_batch_items(
    size: int, existing: list[dict[str, Any]], prefix: str, competency_id: str
) -> list[dict[str, Any]]:
    """A batch of a third creates, a third updates and a third deletes (a batch of 1 is one
    create), as tests and benchmarks send it. `existing` are goals as the API returns them
    (clientId, id, version), at least `size` of them."""
    items: list[dict[str, Any]] = []
    for i in range(size):
        if i % 3 == 0:
            items.append(
                {
                    "clientId": f"{prefix}-new-{i}",
                    "competency": {"actionPlan": "plan", "competencyIds": [competency_id]},
                }
            )
            continue
        goal = existing[i]
        key = {"clientId": goal["clientId"], "id": goal["id"], "expectedVersion": goal["version"]}
        if i % 3 == 1:
            items.append({**key, "performance": {"title": f"edited {i}", "weight": 2}})
        else:
            items.append({**key, "delete": True})
    return items


class StatementCounter:
    """Counts the SQL statements an engine sends (executemany counts once)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.statements: list[str] = []

    def _on_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


# -- live server, request recording, virtual time, network faults (client and browser tests) --


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the server received it."""

    method: str
    path: str
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def operation(self) -> str | None:
        """The GraphQL operation name (`BatchSaveGoals`, `SaveGoal`, ...), if any."""
        payload = self.json if self.path.endswith("/graphql") else None
        if isinstance(payload, dict):
            if payload.get("operationName"):
                return str(payload["operationName"])
            found = re.search(r"\b(?:query|mutation)\s+(\w+)", str(payload.get("query", "")))
            return found.group(1) if found else None
        return None

    @property
    def variables(self) -> dict[str, Any]:
        payload = self.json
        return dict(payload.get("variables") or {}) if isinstance(payload, dict) else {}


class RequestRecorder:
    """ASGI middleware that records every HTTP request and can hold requests in flight.

    Counting at the server is what "exactly one request" means: no client-side counter can
    miss a retry or a duplicate.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._open = threading.Event()
        self._open.set()
        self.in_flight = 0
        self.max_in_flight = 0
        self.held = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        with self._lock:
            self._requests.append(RecordedRequest(scope["method"], scope["path"], body))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        done = False

        def finish() -> None:
            nonlocal done
            if not done:
                done = True
                with self._lock:
                    self.in_flight -= 1

        async def send_and_count(message: Any) -> None:
            # Out of flight *before* the client can see the end of the response.
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finish()
            await send(message)

        try:
            await self._pass_gate()
            await self.app(scope, _replay(body, receive), send_and_count)
        finally:
            finish()

    async def _pass_gate(self) -> None:
        if self._open.is_set():
            return
        with self._lock:
            self.held += 1
        try:
            await asyncio.to_thread(self._open.wait)
        finally:
            with self._lock:
                self.held -= 1

    def hold(self) -> None:
        """Requests arriving from now on wait (already counted) until `release()`."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def graphql(self, operation: str | None = None) -> list[RecordedRequest]:
        """POSTs to /graphql, optionally only those of one operation name."""
        return [
            r
            for r in self.requests
            if r.method == "POST"
            and r.path.endswith("/graphql")
            and (operation is None or r.operation == operation)
        ]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self.max_in_flight = self.in_flight


def _replay(body: bytes, receive: Any) -> Any:
    """A `receive` that hands the app the body we already read, then the real channel."""
    delivered = False

    async def replay() -> Any:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


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
        """Demo data back to its seeded state, recorded requests forgotten."""
        self.recorder.release()
        self.run(reset_database(self.app.state.engine))
        self.recorder.clear()

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


class VirtualClock:
    """Virtual time for AutoSaver: pass `clock=vc.now, sleep=vc.sleep`.

    Manual (default): sleepers wait until a test calls `advance()`. With `auto=True` every
    sleep returns at once and moves time forward by its delay (for backoff tests).
    """

    def __init__(self, start: float = 0.0, *, auto: bool = False) -> None:
        self._now = start
        self.auto = auto
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, delay: float) -> None:
        delay = max(0.0, delay)
        self.sleeps.append(delay)
        if self.auto:
            self._now += delay
            await asyncio.sleep(0)
            return
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + delay, next(self._seq), wake))
        await wake

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper at its own due time, in order."""
        target = self._now + seconds
        await _let_tasks_run()
        while self._sleepers:
            due, _, wake = self._sleepers[0]
            if wake.done():
                heapq.heappop(self._sleepers)
                continue
            if due > target:
                break
            heapq.heappop(self._sleepers)
            self._now = max(self._now, due)
            wake.set_result(None)
            await _let_tasks_run()
        self._now = target
        await _let_tasks_run()


async def _let_tasks_run(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


class TcpProxy:
    """A TCP proxy in front of a server that can drop requests: real network failures.

    `drop_next()` closes the connection when the next request arrives (the server never sees it);
    `drop_next(after_server=True)` forwards the request and drops the response instead (the
    server did the work, the client never learns it).
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.dropped = 0
        self._drops: list[bool] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def drop_next(self, count: int = 1, *, after_server: bool = False) -> None:
        self._drops.extend([after_server] * count)

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> TcpProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self.target)
        self._writers.update((client_w, server_w))
        # Per connection: is a response still owed, and must it be swallowed?
        state = {"awaiting": False, "swallow": False}

        def close() -> None:
            for writer in (client_w, server_w):
                writer.close()
                self._writers.discard(writer)

        async def upstream() -> None:
            while data := await client_r.read(65536):
                if not state["awaiting"]:
                    state["awaiting"] = True
                    if self._drops:
                        if not self._drops.pop(0):
                            self.dropped += 1
                            close()
                            return
                        state["swallow"] = True
                server_w.write(data)
                await server_w.drain()
            close()

        async def downstream() -> None:
            while data := await server_r.read(65536):
                if state["swallow"]:
                    self.dropped += 1
                    close()
                    return
                state["awaiting"] = False
                client_w.write(data)
                await client_w.drain()
            close()

        results = await asyncio.gather(upstream(), downstream(), return_exceptions=True)
        close()
        for result in results:
            if isinstance(result, Exception) and not isinstance(result, ConnectionError | OSError):
                raise result


__all__ = [
    "LiveServer",
    "RecordedRequest",
    "RequestRecorder",
    "StatementCounter",
    "TcpProxy",
    "VirtualClock",
    "create_engine",
    "demo_token",
    "fresh_postgres_database",
    "fresh_sqlite_database",
    "mixed_batch_items",
    "reset_database",
]

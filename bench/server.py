"""The server under test: the real app under uvicorn, in its own process.

Why a subprocess and not `goalpost.testing.LiveServer` (a thread): the load generator and the
server would then share one interpreter and one GIL, so the client's own JSON and HTTP work
would be counted as server latency, and under load the two would queue behind each other.
In its own process the server runs exactly as `goalpost serve` does (one uvicorn worker).

Counting still happens *at the server*, with goalpost.testing's RequestRecorder (HTTP
requests) and StatementCounter (SQL statements on the app's engine), read through a few
`/__bench/...` control routes that bypass the app and are never counted or timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import httpx

from bench.variants import VARIANTS
from goalpost.config import Pooler, Settings
from goalpost.services.auth import issue_dev_token

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

ROOT = Path(__file__).resolve().parent.parent
BENCH_ORG = "acme"
PROFILE_HEADER = b"x-bench-profile"


def bench_subject(index: int) -> str:
    return f"bench|user-{index:02d}"


def bench_token(index: int) -> str:
    """Dev tokens are signed with the dev secret, which the server (env=dev) also uses."""
    return issue_dev_token(Settings(env="dev"), bench_subject(index), 24 * 3600)


# -- the child: app + counters + control routes --------------------------------------------


class BenchApp:
    """ASGI wrapper: `/__bench/*` control routes; everything else is timed and recorded."""

    def __init__(self, settings: Settings, profile_interval: float) -> None:
        from goalpost.app import create_app
        from goalpost.testing import RequestRecorder, StatementCounter

        self.app = create_app(settings)
        self.engine = self.app.state.engine
        self.recorder = RequestRecorder(self.app)
        self.statements = StatementCounter(self.engine).__enter__()
        self.server_seconds: list[float] = []
        self.profile_interval = profile_interval
        self.profiles: list[Any] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/__bench/"):
            await self.control(scope, send)
            return
        if scope["type"] != "http":
            await self.recorder(scope, receive, send)
            return
        started = time.perf_counter()
        if (PROFILE_HEADER, b"1") in scope.get("headers", []):
            await self.profiled(scope, receive, send)
        else:
            await self.recorder(scope, receive, send)
        self.server_seconds.append(time.perf_counter() - started)

    async def profiled(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One request under pyinstrument; time awaited (database, locks) shows as [await]."""
        from pyinstrument import Profiler

        profiler = Profiler(interval=self.profile_interval, async_mode="enabled")
        profiler.start()
        try:
            await self.recorder(scope, receive, send)
        finally:
            self.profiles.append(profiler.stop())

    async def control(self, scope: Scope, send: Send) -> None:
        action = scope["path"].removeprefix("/__bench/")
        query = {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        body: Any = {"ok": True}
        if action == "reset":
            await self.reset(int(query.get("users", "0")))
            self.clear()
        elif action == "clear":
            self.clear()
        elif action == "stats":
            body = {
                "requests": [
                    {"method": r.method, "path": r.path, "operation": r.operation}
                    for r in self.recorder.requests
                ],
                "statements": self.statements.count,
                "server_seconds": list(self.server_seconds),
            }
        elif action == "profile":
            body = self.dump_profile(query["html"], query["text"], query.get("session"))
        else:
            body = {"error": f"unknown action {action}"}
        data = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    def clear(self) -> None:
        self.recorder.clear()
        self.statements.statements.clear()
        self.server_seconds.clear()

    async def reset(self, users: int) -> None:
        await reset_bench_data(self.engine, users)

    def dump_profile(
        self, html_path: str, text_path: str, session_path: str | None
    ) -> dict[str, Any]:
        """The profiled requests as one combined session: HTML, text, and the top costs."""
        from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer
        from pyinstrument.session import Session

        from bench.profile_costs import top_costs

        def combined(sessions: list[Any]) -> Any:
            session = sessions[0]
            for other in sessions[1:]:
                session = Session.combine(session, other)
            return session

        # The HTML keeps every sample: ten requests are enough to browse and stay small.
        Path(html_path).write_text(HTMLRenderer().render(combined(self.profiles[:10])))
        session = combined(self.profiles)
        text = ConsoleRenderer(unicode=True, color=False, short_mode=False).render(session)
        Path(text_path).write_text(text)
        if session_path:
            session.save(session_path)  # reopen with `pyinstrument --load=...`
        summary = {"requests": len(self.profiles), **top_costs(session)}
        self.profiles.clear()
        return summary


async def reset_bench_data(engine: AsyncEngine, users: int) -> None:
    """Demo data back to its seeded state, plus `users` acme employees for the benchmarks.

    PostgreSQL tables are TRUNCATEd rather than emptied with DELETE (as reset_demo does):
    thousands of resets would otherwise leave dead rows behind, and the figures would
    drift with the table bloat and with autovacuum's visits, not with the code.
    """
    from sqlalchemy import insert, text

    from goalpost.db import create_session_factory
    from goalpost.models import Base, Membership, Role, User
    from goalpost.services.demo import demo_id, demo_rows

    rows: dict[type[Base], list[dict[str, Any]]] = {}
    for model, values in demo_rows():
        rows.setdefault(model, []).append(values)
    acme = demo_id("org", BENCH_ORG)
    rows[User] += [
        {
            "id": demo_id("bench-user", str(i)),
            "subject": bench_subject(i),
            "email": f"bench{i}@acme.example",
            "name": f"Bench User {i}",
        }
        for i in range(users)
    ]
    rows[Membership] += [
        {
            "id": demo_id("bench-membership", str(i)),
            "user_id": demo_id("bench-user", str(i)),
            "organization_id": acme,
            "role": Role.EMPLOYEE,
        }
        for i in range(users)
    ]
    tables = Base.metadata.sorted_tables
    async with create_session_factory(engine)() as session:
        if engine.dialect.name == "postgresql":
            await session.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)}"))
        else:
            for table in reversed(tables):
                await session.execute(table.delete())
        for model, group in rows.items():
            await session.execute(insert(model), group)  # ORM bulk: rows may differ in keys
        await session.commit()


def serve(
    database_url: str,
    port_file: str,
    batching: int,
    profile_interval: float,
    variant: str,
    pooler: Pooler = "none",
) -> None:
    import uvicorn

    from bench.variants import apply
    from goalpost.app import tune_garbage_collector

    apply(variant)
    settings = Settings(
        env="dev",
        database_url=database_url,
        database_pooler=pooler,
        graphql_batching=batching,
        log_format="json",  # as in production: one JSON line per request
    )
    app = BenchApp(settings, profile_interval)
    tune_garbage_collector()  # as `goalpost serve` does in each worker
    # proto=IPPROTO_TCP, or asyncio skips TCP_NODELAY on accepted sockets (proto 0) and
    # every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    Path(port_file).write_text(str(sock.getsockname()[1]))
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


# -- the parent: start the child, talk to its control routes ---------------------------------


class BenchServer:
    """Starts `python -m bench.server` and stops it; `control()` reads its counters."""

    def __init__(
        self,
        database_url: str,
        *,
        batching: int = 16,
        log_path: Path,
        variant: str = "none",
        pooler: Pooler = "none",
        root: Path = ROOT,
        environment: dict[str, str] | None = None,
    ) -> None:
        """`root` and `environment`: where `bench.server` runs from and with what (another
        commit's tree, bench/baseline.py); by default this checkout, as it is."""
        self.database_url = database_url
        self.root = root
        self.environment = environment
        self.pooler = pooler
        self.batching = batching
        self.variant = variant
        self.log_path = log_path
        self.port = 0
        self.process: asyncio.subprocess.Process | None = None
        self._http: httpx.AsyncClient | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def __aenter__(self) -> BenchServer:
        port_file = Path(tempfile.gettempdir()) / f"goalpost-bench-{uuid.uuid4().hex}.port"
        command = [
            sys.executable,
            "-m",
            "bench.server",
            "--database-url",
            self.database_url,
            "--port-file",
            str(port_file),
            "--batching",
            str(self.batching),
            "--variant",
            self.variant,
        ]
        if self.pooler != "none":  # an earlier commit's server may not know the option
            command += ["--pooler", self.pooler]
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                cwd=self.root,
                env=self.environment,
            )
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text():
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"bench server did not start; see {self.log_path}")
            await asyncio.sleep(0.05)
        self.port = int(port_file.read_text())
        port_file.unlink()
        self._http = httpx.AsyncClient(base_url=self.url, timeout=120)
        while True:
            try:
                if (await self._http.get("/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("bench server does not answer /healthz")
            await asyncio.sleep(0.05)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def control(self, action: str, **params: Any) -> Any:
        assert self._http is not None
        response = await self._http.post(f"/__bench/{action}", params=params)
        response.raise_for_status()
        return response.json()

    async def reset(self, users: int) -> None:
        await self.control("reset", users=users)

    async def clear(self) -> None:
        await self.control("clear")

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.control("stats")
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description="goalpost under uvicorn, for the benchmarks")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--batching", type=int, default=16)
    parser.add_argument("--profile-interval", type=float, default=0.002)
    parser.add_argument("--variant", choices=VARIANTS, default="none")
    parser.add_argument("--pooler", choices=["none", "pgbouncer"], default="none")
    args = parser.parse_args()
    serve(
        args.database_url,
        args.port_file,
        args.batching,
        args.profile_interval,
        args.variant,
        args.pooler,
    )


if __name__ == "__main__":
    main()

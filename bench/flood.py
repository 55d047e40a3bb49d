"""The live-socket flood (docs/live.md, "The outbound bound"; issue 22): one user at the caps,
never reading, against another user's saves, on one `goalpost serve` worker on PostgreSQL.

carol (bob's supervisor, so told of every change of his) opens 10 sockets x 20 subscriptions
to goalChanged, each subscription a different document (so none share a render), reads the
acks and then nothing more; a socket the server closes is opened again, as an attacker would.
Meanwhile bob saves 20-item batches, one at a time. Measured in one run:
- `batch_ms`: bob's batch round trip before the flood, during it, and after it;
  goal: p95 during <= 3 x p95 before;
- `rss_mb`: the worker's resident memory before the flood, its peak during the flood, and once
  the flood's sockets are gone (the flooder dies without closing them); goal: after within
  150 MB of before;
- `log_lines`: what the server wrote during and after the flood, and how many were asyncio's
  "socket.send() raised exception";
- `flood`: sockets the server closed with LIVE_OVERFLOW, and the server's own counters.

    GOALPOST_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \\
        python -m bench.flood [--batches 100]

Writes bench/results/flood_postgresql.json. A benchmark, not a test: no figure is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from bench.machine import CpuWatch, machine_info
from bench.stats import ms
from goalpost.config import Settings
from goalpost.db import create_engine
from goalpost.services.demo import period_id
from goalpost.testing import ServerProcess, demo_token, fresh_postgres_database, reset_database

RESULTS = Path(__file__).parent / "results"
PERIOD = str(period_id("acme", "fy2026"))
SOCKETS = 10  # GOALPOST_LIVE_MAX_SOCKETS_PER_USER's default
SUBSCRIPTIONS = 20  # subscriptions per socket: the default cap
BATCH = 20

SUBSCRIBE = """subscription Flood%d($org: String!, $period: ID!) {
  n%d: goalChanged(orgSlug: $org, periodId: $period) { goalId kind version actorId cursor }
}"""
SAVE = """mutation Save($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) { savedCount failedCount results { __typename
    ... on GoalSaved { goal { id version } } } }
}"""


def worker_rss_mb(pid: int) -> float:
    """Resident memory of the uvicorn worker (the process itself with one worker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    target = int(kids[0]) if kids else pid
    for line in Path(f"/proc/{target}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def metric(url: str, name: str) -> float:
    for line in httpx.get(f"{url}/metrics", timeout=30).text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


class Flooder:
    """carol at the caps: SOCKETS sockets of SUBSCRIPTIONS subscriptions, never reading."""

    def __init__(self, url: str, token: str, *, same_document: bool = False) -> None:
        self.same_document = same_document
        self.url = url.replace("http://", "ws://", 1) + "/graphql"
        self.token = token
        self.sockets: list[ClientConnection] = []
        self.opened = 0
        self.closed_by_server: dict[str, int] = {}
        self.stopping = False
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._keep_at_caps())]

    async def _open(self) -> ClientConnection:
        # max_queue=1: the library stops reading the socket after one message it was not
        # asked for, so the server's writes back up as they would for a client that hangs.
        ws = await websockets.connect(
            self.url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            max_queue=1,
            ping_interval=None,
        )
        init = {"Authorization": f"Bearer {self.token}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no ack: {ack}")
        variables = {"org": "acme", "period": PERIOD}
        for i in range(SUBSCRIPTIONS):
            n = 0 if self.same_document else i
            payload = {"query": SUBSCRIBE % (n, n), "variables": variables}
            await ws.send(json.dumps({"id": str(i), "type": "subscribe", "payload": payload}))
        self.opened += 1
        return ws

    async def _keep_at_caps(self) -> None:
        """Open sockets until the server counts the caps' worth of subscriptions; again each
        time it has closed some. (The client never reads, so it cannot see a close itself.)"""
        http_url = self.url.replace("ws://", "http://", 1).removesuffix("/graphql")
        per_socket = 1 if self.same_document else SUBSCRIPTIONS  # shared ones count once
        while not self.stopping:
            live = await asyncio.to_thread(metric, http_url, "goalpost_live_subscribers")
            missing = SOCKETS - int(live) // per_socket
            if missing > 0:
                opened = await asyncio.gather(
                    *(self._open() for _ in range(missing)), return_exceptions=True
                )
                for result in opened:
                    if isinstance(result, ClientConnection):
                        self.sockets.append(result)
                    else:
                        key = f"open failed: {type(result).__name__}"
                        self.closed_by_server[key] = self.closed_by_server.get(key, 0) + 1
                # Until the new subscriptions are counted (at most 1 s): never past the caps.
                for _ in range(20):
                    now = await asyncio.to_thread(metric, http_url, "goalpost_live_subscribers")
                    if now >= SOCKETS * per_socket:
                        break
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.05)  # an attacker reopens as soon as it can tell

    async def die(self) -> None:
        """The flooding client dies: its connections drop without a close."""
        self.stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        for ws in self.sockets:
            ws.transport.abort()


async def seed(http: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    items = [{"clientId": f"b{i}", "performance": {"title": "seed"}} for i in range(BATCH)]
    body = await save(http, token, items)
    return [r["goal"] for r in body["results"]]


async def save(http: httpx.AsyncClient, token: str, items: list[dict[str, Any]]) -> Any:
    variables = {"input": {"orgSlug": "acme", "periodId": PERIOD, "items": items}}
    response = await http.post(
        "/graphql",
        json={"query": SAVE, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    body = response.json()["data"]["batchSaveGoals"]
    if body["failedCount"]:
        raise RuntimeError(f"a bench batch failed: {body}")
    return body


async def batches(
    http: httpx.AsyncClient, token: str, goals: list[dict[str, Any]], count: int, tag: str
) -> list[float]:
    """`count` batches updating all of bob's goals; their round trips in seconds."""
    took = []
    for n in range(count):
        items = [
            {
                "clientId": f"b{i}",
                "id": g["id"],
                "expectedVersion": g["version"],
                "performance": {"title": f"{tag} {n}"},
            }
            for i, g in enumerate(goals)
        ]
        started = time.perf_counter()
        body = await save(http, token, items)
        took.append(time.perf_counter() - started)
        goals[:] = [r["goal"] for r in body["results"]]
    return took


async def sample_rss(pid: int, into: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        into.append(await asyncio.to_thread(worker_rss_mb, pid))
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


def log_count(path: Path) -> int:
    return len(path.read_text(errors="replace").splitlines())


def log_lines_since(path: Path, start: int) -> list[str]:
    return path.read_text(errors="replace").splitlines()[start:]


async def measure(
    url: str, pid: int, log_path: Path, count: int, warmup: int, same_document: bool
) -> dict[str, Any]:
    settings = Settings(env="dev")
    bob, carol = demo_token(settings, "bob"), demo_token(settings, "carol")
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        goals = await seed(http, bob)
        await batches(http, bob, goals, warmup, "warmup")
        before = await batches(http, bob, goals, count, "before")
        await asyncio.sleep(2)
        rss_before = worker_rss_mb(pid)

        log_start = log_count(log_path)
        flooder = Flooder(url, carol, same_document=same_document)
        flooder.start()
        deadline = time.monotonic() + 60
        # Subscriptions of a socket that share a document share one feed subscription.
        expected = SOCKETS if same_document else SOCKETS * SUBSCRIPTIONS
        while await asyncio.to_thread(metric, url, "goalpost_live_subscribers") < expected:
            if time.monotonic() > deadline:
                raise RuntimeError("the flood's subscriptions did not all register")
            await asyncio.sleep(0.1)
        rss_samples: list[float] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(pid, rss_samples, stop))
        flood_started = time.monotonic()
        during = await batches(http, bob, goals, count, "during")
        flood_seconds = round(time.monotonic() - flood_started, 1)
        stop.set()
        await sampler
        server_counters = {
            name: await asyncio.to_thread(metric, url, f"goalpost_{name}")
            for name in (
                "live_overflows_total",
                "live_notice_renders_total",
                "live_notice_sends_total",
            )
        }
        lines_during = log_lines_since(log_path, log_start)
        opened, closes = flooder.opened, dict(flooder.closed_by_server)

        after_start = log_count(log_path)
        await flooder.die()
        deadline = time.monotonic() + 60
        while await asyncio.to_thread(metric, url, "goalpost_live_subscribers") > 0:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        gone_after_s = round(60 - (deadline - time.monotonic()), 1)
        await asyncio.sleep(5)
        rss_after = worker_rss_mb(pid)
        after = await batches(http, bob, goals, count, "after")
        lines_after = log_lines_since(log_path, after_start)

    def noisy(lines: list[str]) -> int:
        return sum("socket.send() raised exception" in line for line in lines)

    def ours(lines: list[str]) -> int:
        return sum("live_socket" in line for line in lines)

    p95_before = ms(before)["p95"]
    p95_during = ms(during)["p95"]
    return {
        "batch_ms": {"before": ms(before), "during": ms(during), "after": ms(after)},
        "p95_during_over_before": round(p95_during / p95_before, 2),
        "rss_mb": {
            "before": rss_before,
            "during_peak": max(rss_samples) if rss_samples else None,
            "after_sockets_gone": rss_after,
            "after_minus_before": round(rss_after - rss_before, 1),
        },
        "log_lines": {
            "during_flood": len(lines_during),
            "after_flood_died": len(lines_after),
            "socket_send_raised_exception": noisy(lines_during) + noisy(lines_after),
            "live_socket_lines": ours(lines_during) + ours(lines_after),
            "http_request_lines_of_bob_during": sum("http_request" in x for x in lines_during),
        },
        "flood": {
            "seconds": flood_seconds,
            "sockets_opened": opened,
            "reopened_after_server_closed": opened - SOCKETS,
            "open_failures": closes,
            "subscriptions_gone_after_s": gone_after_s,
            "server_counters": server_counters,
        },
    }


async def main_async(args: argparse.Namespace, url: str) -> dict[str, Any]:
    engine = create_engine(url)
    await reset_database(engine)
    await engine.dispose()
    log_path = RESULTS / "server_flood_postgresql.log"
    env = {"GOALPOST_DATABASE_URL": url, **dict(args.env)}
    with ServerProcess(log_path, workers=1, **env) as server:
        pid = server._process.pid if server._process else 0
        watch = CpuWatch().start()
        figures = await measure(
            server.url, pid, log_path, args.batches, args.warmup, args.same_document
        )
        figures["machine_during"] = watch.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=100, help="bob's batches per phase")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        type=lambda s: tuple(s.split("=", 1)),
        help="extra GOALPOST_*=value settings for the server",
    )
    parser.add_argument(
        "--same-document",
        action="store_true",
        help="every subscription of the flood the same document (they then share a render)",
    )
    parser.add_argument("--out", default="flood_postgresql.json")
    args = parser.parse_args()
    admin_url = os.environ.get("GOALPOST_BENCH_DATABASE_URL")
    if not admin_url:
        raise SystemExit("set GOALPOST_BENCH_DATABASE_URL: this measure is about PostgreSQL")
    RESULTS.mkdir(exist_ok=True)
    with fresh_postgres_database(admin_url) as url:
        figures = asyncio.run(main_async(args, url))
    result = {
        "database": "postgresql",
        "what": __doc__.split("\n\n")[1] if __doc__ else "",
        "goals": {"p95_during_over_before_at_most": 3, "rss_after_minus_before_mb_at_most": 150},
        "settings": {
            "batches": args.batches,
            "warmup": args.warmup,
            "same_document": args.same_document,
            "env": dict(args.env),
        },
        **figures,
        "machine": machine_info(),
    }
    out = RESULTS / args.out
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        json.dumps(
            {
                k: result[k]
                for k in ("batch_ms", "p95_during_over_before", "rss_mb", "log_lines", "flood")
            },
            indent=2,
        )
    )
    print(f"written to {out}")


if __name__ == "__main__":
    main()

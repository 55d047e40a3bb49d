"""Live changes (docs/live.md): how long a committed save takes to reach a subscriber on ANOTHER
server process, through PostgreSQL LISTEN/NOTIFY. Goal: p95 under 200 ms.

Two bench servers (bench/server.py, each its own process) on one fresh PostgreSQL database.
A bench user subscribes to `goalChanged` on process 2 (graphql-transport-ws), then saves
one goal on process 1, one save at a time. Per save:
- `save_to_notice`: from sending the save to receiving its notice on the other process
  (the figure the goal is about: what a second tab of the same person waits for);
- `save_request`: the save's own HTTP round trip, for scale.

    GOALPOST_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \\
        python -m bench.live_latency [--runs 300]

Writes bench/results/live_postgresql.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import websockets

from bench.machine import CpuWatch, machine_info
from bench.run import RESULTS, database
from bench.server import BenchServer, bench_token
from bench.stats import ms
from bench.workload import BENCH_ORG, PERIOD, Api

T = TypeVar("T")

SUBSCRIBE = """subscription { goalChanged(orgSlug: "%s", periodId: "%s") { goalId version } }"""


async def next_notice(ws: Any) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        if message["type"] != "next" or "errors" in message["payload"]:
            raise RuntimeError(f"unexpected message: {message}")
        notice: dict[str, Any] = message["payload"]["data"]["goalChanged"]
        return notice


async def timed(saving: Awaitable[T]) -> tuple[T, float]:
    """The save's result and when its response arrived (not when the loop came back to it)."""
    result = await saving
    return result, time.perf_counter()


async def measure(first: BenchServer, second: BenchServer, runs: int, warmup: int) -> Any:
    await first.reset(users=1)
    url = second.graphql_url.replace("http://", "ws://", 1)
    async with (
        Api(first.graphql_url) as api,
        websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[list-item]
    ):
        token = {"Authorization": f"Bearer {bench_token(0)}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": token}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = SUBSCRIBE % (BENCH_ORG, PERIOD)
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        await asyncio.sleep(0.5)  # the subscription registers (the protocol has no ack for it)
        goal = (await api.seed("live", 1))[0]
        await next_notice(ws)  # the seed's own notice
        to_notice: list[float] = []
        request: list[float] = []
        for run in range(warmup + runs):
            item = {
                "clientId": goal["clientId"],
                "id": goal["id"],
                "performance": {"title": f"t{run}"},
            }
            started = time.perf_counter()
            save = asyncio.create_task(timed(api.batch([item])))
            notice = await next_notice(ws)
            noticed = time.perf_counter()
            result, answered = await save
            if notice["goalId"] != goal["id"] or notice["version"] != result[0]["goal"]["version"]:
                raise RuntimeError(f"notice {notice} is not the save's {result[0]['goal']}")
            if run >= warmup:
                to_notice.append(noticed - started)
                request.append(answered - started)
    return {"save_to_notice_ms": ms(to_notice), "save_request_ms": ms(request)}


async def main_async(args: argparse.Namespace, label: str, url: str) -> dict[str, Any]:
    log_path = RESULTS / "server_live_postgresql.log"
    log_path.unlink(missing_ok=True)
    async with (
        BenchServer(url, log_path=log_path) as first,
        BenchServer(url, log_path=log_path) as second,
    ):
        watch = CpuWatch().start()
        figures = await measure(first, second, args.runs, args.warmup)
        during = watch.stop()
    return {
        "database": label,
        "what": __doc__.split("\n\n")[1] if __doc__ else "",
        "goal_p95_ms": 200,
        **figures,
        "machine": machine_info(),
        "machine_during": during,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if not os.environ.get("GOALPOST_BENCH_DATABASE_URL"):
        raise SystemExit("set GOALPOST_BENCH_DATABASE_URL: this measure is about PostgreSQL")
    with database() as (label, url):
        result = asyncio.run(main_async(args, label, url))
    out = Path(RESULTS) / "live_postgresql.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("save_to_notice_ms", "save_request_ms")}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

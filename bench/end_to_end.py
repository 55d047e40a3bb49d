"""Measure 2: end-to-end time to save 10 goals over HTTP, three ways.

- `sequential`: 10 `saveGoal` requests, one after the other (the per-goal baseline);
- `transport`: the same 10 `saveGoal` operations as one JSON list in ONE HTTP request
  (Strawberry's query batching, GOALPOST_GRAPHQL_BATCHING);
- `batch`: one `batchSaveGoals` with the 10 items.

The 10 edits are the mixed batch of measure 3 (4 creates, 3 updates, 3 deletes). The three
ways take turns within each run, so a drift of the machine touches all of them alike.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.server import BenchServer
from bench.stats import ms, summarize
from bench.workload import Api, BenchmarkError, batch_body, check_results, data_of, mixed_items
from bench.workload import save_goal_body as one

SIZE = 10
WAYS = ("sequential", "transport", "batch")


async def sequential(api: Api, items: list[dict[str, Any]]) -> None:
    results = [data_of(await api.post(one(item)))["saveGoal"] for item in items]
    check_results(results, len(items))


async def transport(api: Api, items: list[dict[str, Any]]) -> None:
    bodies = await api.post([one(item) for item in items])
    if not isinstance(bodies, list):
        raise BenchmarkError(f"query batching is off on the server: {str(bodies)[:200]}")
    check_results([data_of(b)["saveGoal"] for b in bodies], len(items))


async def batch(api: Api, items: list[dict[str, Any]]) -> None:
    check_results(data_of(await api.post(batch_body(items)))["batchSaveGoals"]["results"], SIZE)


SEND: dict[str, Callable[[Api, list[dict[str, Any]]], Awaitable[None]]] = {
    "sequential": sequential,
    "transport": transport,
    "batch": batch,
}


async def measure(server: BenchServer, runs: int, warmup: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    server_times: dict[str, list[float]] = {way: [] for way in WAYS}
    requests: dict[str, list[float]] = {way: [] for way in WAYS}
    statements: dict[str, list[float]] = {way: [] for way in WAYS}
    for run in range(warmup + runs):
        order = WAYS[run % 3 :] + WAYS[: run % 3]
        for way in order:
            await server.reset(users=1)
            async with Api(server.graphql_url) as api:
                prefix = f"e{run}{way[0]}"
                items = mixed_items(SIZE, await api.seed(prefix, SIZE), prefix)
                await api.post({"query": "query Warm { me { id } }"})  # connection is open
                await server.clear()
                started = time.perf_counter()
                await SEND[way](api, items)
                seconds = time.perf_counter() - started
            stats = await server.stats()
            if run >= warmup:
                times[way].append(seconds)
                server_times[way].append(sum(stats["server_seconds"]))
                requests[way].append(len(stats["requests"]))
                statements[way].append(stats["statements"])
    out: dict[str, Any] = {
        way: {
            "ms": ms(times[way]),
            "server_ms": ms(server_times[way]),
            "http_requests": summarize(requests[way], digits=1),
            "sql_statements": summarize(statements[way], digits=1),
        }
        for way in WAYS
    }
    batch_ms = out["batch"]["ms"]["median"]
    out["ratios"] = {
        "sequential_over_batch": round(out["sequential"]["ms"]["median"] / batch_ms, 2),
        "transport_over_batch": round(out["transport"]["ms"]["median"] / batch_ms, 2),
        "sequential_over_transport": round(
            out["sequential"]["ms"]["median"] / out["transport"]["ms"]["median"], 2
        ),
    }
    return out

"""Measure 3: how a batch scales with its size N (mixed creates, updates and deletes).

For each N: time per batch (client, over HTTP) and at the server, time per item, and the SQL
statements of the whole request (StatementCounter on the server's engine: auth, guard,
batch). Two response selections: the Python client's (every field of every saved goal, what
AutoSaver asks for) and a lean one (ids and versions). Sizes and selections take turns within
each run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench.server import BenchServer
from bench.stats import ms, summarize
from bench.workload import BATCH_SAVE, LEAN_BATCH_SAVE, Api, mixed_items

SIZES = (1, 5, 10, 25, 50, 100, 200)
SELECTIONS = {"client": BATCH_SAVE, "lean": LEAN_BATCH_SAVE}


@dataclass(frozen=True)
class BatchRun:
    seconds: float  # at the client
    at_server: float
    statements: int
    items: list[dict[str, Any]]  # what was sent


async def run_batch(server: BenchServer, size: int, query: str, prefix: str) -> BatchRun:
    """One mixed batch of `size` on fresh data (a third creates, updates, deletes)."""
    await server.reset(users=1)
    async with Api(server.graphql_url) as api:
        items = mixed_items(size, await api.seed(prefix, size), prefix)
        await server.clear()
        started = time.perf_counter()
        await api.batch(items, query)
        seconds = time.perf_counter() - started
    stats = await server.stats()
    return BatchRun(seconds, sum(stats["server_seconds"]), int(stats["statements"]), items)


async def one_batch(
    server: BenchServer, size: int, query: str, prefix: str
) -> tuple[float, float, int]:
    run = await run_batch(server, size, query, prefix)
    return run.seconds, run.at_server, run.statements


async def measure(
    server: BenchServer, runs: int, warmup: int, sizes: tuple[int, ...] = SIZES
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    Samples = dict[str, dict[int, list[float]]]
    times: Samples = {s: {n: [] for n in sizes} for s in SELECTIONS}
    server_times: Samples = {s: {n: [] for n in sizes} for s in SELECTIONS}
    statements: Samples = {s: {n: [] for n in sizes} for s in SELECTIONS}
    for run in range(warmup + runs):
        for size in sizes:  # sizes and selections take turns: a drift touches all alike
            for selection, query in SELECTIONS.items():
                seconds, at_server, count = await one_batch(
                    server, size, query, f"s{selection[0]}{run}n{size}"
                )
                if run >= warmup:
                    times[selection][size].append(seconds)
                    server_times[selection][size].append(at_server)
                    statements[selection][size].append(count)
    for selection in SELECTIONS:
        rows: list[dict[str, Any]] = []
        for size in sizes:
            rows.append(
                {
                    "n": size,
                    "batch_ms": ms(times[selection][size]),
                    "server_ms": ms(server_times[selection][size]),
                    "per_item_ms": ms([t / size for t in times[selection][size]]),
                    "sql_statements": summarize(statements[selection][size], digits=1),
                }
            )
        first, last = rows[0], rows[-1]
        by_n = {row["n"]: row for row in rows}
        out[selection] = {
            "sizes": rows,
            "batch100_over_batch1": round(
                by_n[100]["batch_ms"]["median"] / by_n[1]["batch_ms"]["median"], 2
            )
            if 100 in by_n and 1 in by_n
            else None,
            "statements_min_max_over_n": [
                min(r["sql_statements"]["min"] for r in rows),
                max(r["sql_statements"]["max"] for r in rows),
            ],
            "statements_first_last": [
                first["sql_statements"]["median"],
                last["sql_statements"]["median"],
            ],
        }
    return out

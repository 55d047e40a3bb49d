"""Measure 1: HTTP requests for one auto-save cycle of 10 goal edits, counted at the server.

The real client: `AutoSaver(mode="per_goal")` (one `saveGoal` per goal, the baseline) against
`AutoSaver()` (one `batchSaveGoals` per cycle). Each cycle edits 5 existing goals and adds 5.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench.server import BenchServer, bench_token
from bench.stats import ms, summarize
from bench.workload import PERIOD, Api, BenchmarkError
from goalpost.client import AutoSaver, GoalpostClient

MODES = ("per_goal", "batch")


async def one_cycle(server: BenchServer, mode: str, run: int) -> tuple[int, Counter[str], float]:
    await server.reset(users=1)
    async with Api(server.graphql_url) as api:
        await api.seed(f"r{run}", 5)
    async with GoalpostClient(server.graphql_url, bench_token(0)) as client:
        saver = AutoSaver(client, "acme", PERIOD, mode=mode)  # type: ignore[arg-type]
        keys = await saver.load()  # the goals the page shows; not part of the cycle
        await server.clear()
        started = time.perf_counter()
        for n, key in enumerate(keys):
            saver.edit(key, "PERFORMANCE", {"title": f"edited {n}", "weight": 10})
        for n in range(5):
            saver.add("COMPETENCY", {"actionPlan": f"plan {n}", "weight": 5})
        await saver.flush()
        seconds = time.perf_counter() - started
        states = {s.state for s in saver.states().values()}
        if len(keys) != 5 or states != {"saved"}:
            raise BenchmarkError(f"cycle did not save 10 goals: {len(keys)} loaded, {states}")
        stats = await server.stats()
        await saver.aclose()
    operations = Counter(str(r["operation"]) for r in stats["requests"])
    return len(stats["requests"]), operations, seconds


async def measure(server: BenchServer, runs: int, warmup: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in MODES:
        counts: list[float] = []
        times: list[float] = []
        operations: Counter[str] = Counter()
        for run in range(warmup + runs):
            count, ops, seconds = await one_cycle(server, mode, run)
            if run >= warmup:
                counts.append(count)
                times.append(seconds)
                operations += ops
        out[mode] = {
            "http_requests": summarize(counts, digits=1),
            "operations_per_cycle": {op: n / runs for op, n in operations.items()},
            "cycle_ms": ms(times),
        }
    per_goal = out["per_goal"]["http_requests"]["median"]
    batch = out["batch"]["http_requests"]["median"]
    out["fewer_requests"] = round(1 - batch / per_goal, 3)
    return out

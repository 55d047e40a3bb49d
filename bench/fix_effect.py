"""Before/after of a proposed service fix (bench/variants.py), measured side by side.

Two servers on the same database, the current code and the variant; every case is measured
on both within the same run, in alternating order, so that neither gets a quieter moment.
"""

from __future__ import annotations

import time
from typing import Any

from bench import end_to_end, scaling
from bench.server import BenchServer
from bench.stats import ms
from bench.workload import BATCH_SAVE, Api, mixed_items

CASES = ("10 x saveGoal, 10 requests", "batch of 1", "batch of 10", "batch of 100")


async def one_case(server: BenchServer, case: str, prefix: str) -> float:
    if case.startswith("batch of "):
        size = int(case.removeprefix("batch of "))
        seconds, _, _ = await scaling.one_batch(server, size, BATCH_SAVE, prefix)
        return seconds
    await server.reset(users=1)
    async with Api(server.graphql_url) as api:
        items = mixed_items(end_to_end.SIZE, await api.seed(prefix, end_to_end.SIZE), prefix)
        await api.post({"query": "query Warm { me { id } }"})
        started = time.perf_counter()
        await end_to_end.sequential(api, items)
        return time.perf_counter() - started


async def measure(
    before: BenchServer, after: BenchServer, runs: int, warmup: int
) -> dict[str, Any]:
    times: dict[str, dict[str, list[float]]] = {case: {"before": [], "after": []} for case in CASES}
    for run in range(warmup + runs):
        for case in CASES:
            pairs = [("before", before), ("after", after)]
            for which, server in pairs if run % 2 else pairs[::-1]:
                seconds = await one_case(server, case, f"f{run}{which[0]}")
                if run >= warmup:
                    times[case][which].append(seconds)
    out: dict[str, Any] = {}
    for case in CASES:
        b, a = ms(times[case]["before"]), ms(times[case]["after"])
        out[case] = {"before_ms": b, "after_ms": a, "speedup": round(b["median"] / a["median"], 2)}
    return out

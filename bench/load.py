"""Measure 4: 20 concurrent auto-savers sending 10-item batches for 30 s.

Each saver is the real client: a `GoalpostClient` with an `AutoSaver`, signed in as its own
employee (20 bench users), editing its own 10 goals over and over. Three paces, fixed
before any figure was seen:

- `autosave`: each cycle, the person types for a random time (uniform 0-0.4 s), edits the 10
  goals, then the AutoSaver's own debounce (0.8 s of quiet) starts the save. About one save
  per person per second: 20 people typing continuously. The p95 target is about this pace.
- `lockstep`: the same without the random typing time. Every saver then has the same period,
  and since the server shares its one event loop among concurrent requests, answers to a
  burst arrive together and the next burst starts together: the 20 savers synchronize. A
  worst case of the same load, shown so that the effect is visible, not hidden.
- `saturation`: each saver flushes at once and edits again as soon as the answer is in (no
  think time): the most the server can take, and the latency when 20 requests always queue.

Latency is measured around each request in the client process (`execute`), and at the server
(time inside the app), so a slow load generator cannot pass as a slow server.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from gql import GraphQLRequest

from bench.machine import process_cpu
from bench.server import BenchServer, bench_token
from bench.stats import ms
from bench.workload import PERIOD
from goalpost.client import AutoSaveEvent, AutoSaver, GoalpostClient, GoalpostError

SAVERS = 20
GOALS = 10
TYPING = 0.4  # seconds, at most, of typing before each pause (autosave pace)
PACES = ("autosave", "lockstep", "saturation")


class TimedClient(GoalpostClient):
    """The client, with each batchSaveGoals request's duration and failures recorded."""

    def __init__(self, url: str, token: str, log: list[tuple[float, float]]) -> None:
        super().__init__(url, token)
        self.log = log
        self.errors: list[str] = []

    async def execute(self, request: GraphQLRequest, variables: Mapping[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return await super().execute(request, variables)
        except GoalpostError as exc:
            self.errors.append(exc.code or type(exc).__name__)
            raise
        finally:
            self.log.append((started, time.perf_counter() - started))


async def saver_loop(
    url: str,
    user: int,
    pace: str,
    ready: asyncio.Queue[int],
    start: asyncio.Event,
    stop_at: list[float],
    log: list[tuple[float, float]],
    failures: list[str],
) -> int:
    """Create 10 goals (untimed), then edit them in cycles until the window closes."""
    client = TimedClient(url, bench_token(user), [])
    debounce = 0.0 if pace == "saturation" else 0.8

    def on_event(event: AutoSaveEvent) -> None:
        if event.state == "error":
            failures.append(event.message or "error")

    async with client:
        saver = AutoSaver(client, "acme", PERIOD, debounce=debounce, on_event=on_event)
        try:
            keys = [
                saver.add("PERFORMANCE", {"title": f"goal {n}", "weight": 1}) for n in range(GOALS)
            ]
            await saver.flush()
        finally:
            ready.put_nowait(user)  # also on failure, so the others do not wait for ever
        client.log = log
        await start.wait()
        if pace != "saturation":  # people do not all start typing in the same millisecond
            await asyncio.sleep(random.uniform(0, debounce))
        cycles = 0
        while time.perf_counter() < stop_at[0]:
            if pace == "autosave":
                await asyncio.sleep(random.uniform(0, TYPING))  # typing before the pause
            for n, key in enumerate(keys):
                saver.edit(key, "PERFORMANCE", {"title": f"goal {n} edit {cycles}"})
            if pace != "saturation":
                await saver.idle()  # the debounce starts the cycle, as when typing pauses
            else:
                await saver.flush()
            cycles += 1
        await saver.aclose()
        failures.extend(client.errors)
    return cycles


async def run_pace(servers: Sequence[BenchServer], pace: str, seconds: float) -> dict[str, Any]:
    """`servers`: one, or several instances on the same database; saver i talks to
    servers[i % len(servers)]."""
    server = servers[0]
    await server.reset(users=SAVERS)
    log: list[tuple[float, float]] = []
    failures: list[str] = []
    ready: asyncio.Queue[int] = asyncio.Queue()
    start = asyncio.Event()
    stop_at = [0.0]
    tasks = [
        asyncio.create_task(
            saver_loop(
                servers[user % len(servers)].graphql_url,
                user,
                pace,
                ready,
                start,
                stop_at,
                log,
                failures,
            )
        )
        for user in range(SAVERS)
    ]
    for _ in range(SAVERS):  # every saver has created its goals
        await ready.get()
    failed = [t for t in tasks if t.done() and t.exception() is not None]
    if failed:
        start.set()
        await asyncio.gather(*tasks)  # raises the first failure
    for each in servers:
        await each.clear()
    failures.clear()
    cpu_before = process_cpu(os.getpid()), sum(process_cpu(each.pid) for each in servers)
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.set()
    cycles = await asyncio.gather(*tasks)
    ended = time.perf_counter()
    cpu_after = process_cpu(os.getpid()), sum(process_cpu(each.pid) for each in servers)
    every = [await each.stats() for each in servers]
    stats = {
        "server_seconds": [t for one in every for t in one["server_seconds"]],
        "requests": [r for one in every for r in one["requests"]],
    }
    # Requests that started inside the window; the last ones may finish a little after it.
    latencies = [d for s, d in log if began <= s < stop_at[0]]
    requests = len(latencies)
    return {
        "savers": SAVERS,
        "items_per_batch": GOALS,
        "window_s": seconds,
        "requests": requests,
        "throughput_rps": round(requests / seconds, 1),
        "items_per_s": round(requests * GOALS / seconds, 1),
        "cycles_per_saver": [min(cycles), max(cycles)],
        "latency_ms": ms(latencies),
        "server_ms": ms(stats["server_seconds"]),
        "server_requests": len(stats["requests"]),
        "errors": len(failures),
        "error_kinds": sorted(set(failures))[:10],
        "elapsed_s": round(ended - began, 1),
        # Share of one core: a server runs one event loop, so near 1.0 (per server) means
        # CPU-bound. With several servers, their sum.
        "client_process_cpu": round((cpu_after[0] - cpu_before[0]) / (ended - began), 2),
        "server_process_cpu": round((cpu_after[1] - cpu_before[1]) / (ended - began), 2),
    }


async def measure(server: BenchServer, seconds: float) -> dict[str, Any]:
    return {pace: await run_pace([server], pace, seconds) for pace in PACES}


async def saturation_rounds(
    setups: dict[str, list[BenchServer]], seconds: float, rounds: int
) -> dict[str, dict[str, Any]]:
    """Rounds of the saturation pace on each setup (one server, or several on the same
    database), the setups taking turns and each round in the other order."""
    got: dict[str, list[dict[str, Any]]] = {name: [] for name in setups}
    order = list(setups.items())
    for round_ in range(rounds):
        for name, servers in order if round_ % 2 else order[::-1]:
            got[name].append(await run_pace(servers, "saturation", seconds))
    return {
        name: {
            "processes": len(setups[name]),
            "throughput_rps": [r["throughput_rps"] for r in results],
            "items_per_s": [r["items_per_s"] for r in results],
            "latency_ms": [r["latency_ms"] for r in results],
            "server_process_cpu": [r["server_process_cpu"] for r in results],
            "errors": sum(r["errors"] for r in results),
        }
        for name, results in got.items()
    }


async def measure_instances(
    direct: BenchServer, pooled: Sequence[BenchServer], seconds: float, rounds: int = 2
) -> dict[str, Any]:
    """Measure 7: the saturation pace on one instance straight on PostgreSQL and on two
    instances through PgBouncer (transaction mode), taking turns, in the same run."""
    setups = {"one_instance_direct": [direct], "two_instances_pgbouncer": list(pooled)}
    out: dict[str, Any] = {"pace": "saturation", "rounds": rounds}
    out |= await saturation_rounds(setups, seconds, rounds)
    best = {name: max(out[name]["throughput_rps"]) for name in setups}
    out["two_over_one"] = round(best["two_instances_pgbouncer"] / best["one_instance_direct"], 2)
    return out

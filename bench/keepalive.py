"""Kept-alive vs fresh connections under the default `goalpost serve` (one worker per core, on
PostgreSQL), uvicorn 0.54.0 (before) and the pinned uvicorn (after), in one run.

uvicorn 0.54's multi-worker path bound the listening socket with proto=0, so asyncio never
set TCP_NODELAY on the accepted connections: a response written in two pieces waited for the
client's delayed ACK, ~40 ms on every request of a kept-alive connection (issue 23, uvicorn
#3149). Both servers run this checkout at the same time on one database; only uvicorn differs
(0.54.0 is installed with pip into a folder of its own, put first on the server's
PYTHONPATH). The cells (server, operation, kind of connection) take turns, so the machine's
load falls on every cell alike.

    GOALPOST_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.keepalive

Figures: bench/results/keepalive_postgresql.json and .md. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from goalpost.client import documents
from goalpost.config import Settings
from goalpost.services.demo import demo_id, period_id
from goalpost.testing import (
    ServerProcess,
    create_engine,
    demo_token,
    fresh_postgres_database,
    reset_database,
)

RESULTS = Path(__file__).resolve().parent / "results"
BEFORE_UVICORN = "0.54.0"
KEPT_CONNECTIONS = 4  # per server, used in turn, so that every worker serves kept-alive ones
ME = {"query": "query Me { me { email } }", "operationName": "Me"}
BATCH_SAVE: str = documents.BATCH_SAVE.payload["query"]  # the full goal selected
PERIOD = str(period_id("acme", "fy2026"))
Cells = dict[str, dict[str, float]]
GOAL = str(demo_id("goal", "alice", "alice-perf-1"))


@contextmanager
def old_uvicorn(version: str) -> Iterator[Path]:
    """A folder holding uvicorn `version` alone (its dependencies are the venv's)."""
    with tempfile.TemporaryDirectory(prefix="goalpost-uvicorn-") as folder:
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
        subprocess.run([*pip, "--target", folder, f"uvicorn=={version}"], check=True)
        yield Path(folder)


def uvicorn_version(env: dict[str, str]) -> str:
    """The uvicorn a server started with `env` imports."""
    done = subprocess.run(
        [sys.executable, "-c", "import uvicorn; print(uvicorn.__version__)"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def workers_started(server: ServerProcess, workers: int) -> None:
    deadline = time.monotonic() + 60
    while server.log_path.read_text().count("Application startup complete") < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(server.log_path.read_text())
        time.sleep(0.1)


class Saver:
    """A 1-item batchSaveGoals body for alice's first goal, at the version it now has."""

    def __init__(self) -> None:
        self.version = 1

    def body(self) -> dict[str, Any]:
        item = {
            "clientId": "k",
            "id": GOAL,
            "expectedVersion": self.version,
            "performance": {"title": f"kept or fresh {self.version}"},
        }
        variables = {"input": {"orgSlug": "acme", "periodId": PERIOD, "items": [item]}}
        return {"query": BATCH_SAVE, "variables": variables}

    def saved(self, body: Any) -> None:
        result = body["data"]["batchSaveGoals"]["results"][0]
        if result["__typename"] != "GoalSaved":
            raise RuntimeError(f"not saved: {result}")
        self.version = result["goal"]["version"]


def timed_post(client: httpx.Client, body: dict[str, Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    response = client.post("/graphql", json=body)
    seconds = time.perf_counter() - started
    answer = response.json()
    if "errors" in answer:
        raise RuntimeError(answer["errors"])
    return seconds * 1000, answer


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "n": len(ordered),
    }


def measure(servers: dict[str, str], token: str, blocks: int, block: int, settle: int) -> Cells:
    """Each cell (server, operation, kind of connection) in turn sends `block` requests back
    to back, `blocks` times; the first `settle` of each block are not counted. Why blocks:
    after a connection was idle longer than its RTO (200 ms or more), Linux ACKs its next
    segments at once (quick-ACK), and only then falls back to delayed ACKs; a connection in
    continuous use (a busy client, a load balancer's pooled connection) is in that steady
    state, which is the one a Nagle-held response stalls in."""
    headers = {"authorization": f"Bearer {token}"}
    saver = Saver()
    times: dict[tuple[str, str, str], list[float]] = {}
    operations: dict[str, Callable[[], dict[str, Any]]] = {"me": lambda: ME, "batch(1)": saver.body}
    with ExitStack() as stack:

        def client(url: str, keep: bool) -> httpx.Client:
            limits = httpx.Limits() if keep else httpx.Limits(max_keepalive_connections=0)
            return stack.enter_context(
                httpx.Client(base_url=url, headers=headers, limits=limits, timeout=30)
            )

        kept = {
            name: itertools.cycle([client(url, True) for _ in range(KEPT_CONNECTIONS)])
            for name, url in servers.items()
        }
        fresh = {name: client(url, False) for name, url in servers.items()}
        for _ in range(blocks):
            for name, operation, connection in itertools.product(
                servers, operations, ("kept-alive", "fresh")
            ):
                http = next(kept[name]) if connection == "kept-alive" else fresh[name]
                for sent in range(settle + block):
                    ms, answer = timed_post(http, operations[operation]())
                    if operation == "batch(1)":
                        saver.saved(answer)
                    if sent >= settle:
                        times.setdefault((name, operation, connection), []).append(ms)
    return {" | ".join(key): summary(ms) for key, ms in times.items()}


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"Default `goalpost serve` ({result['workers']} workers, PostgreSQL "
        f"{result['postgresql']}); each cell {result['blocks']} turns of {result['block']} "
        f"back-to-back requests (after {result['settle']} uncounted), cells alternated; "
        f"1-min load average {result['load_before']} before, {result['load_after']} after, "
        f"{result['cpus']} CPUs shared with other work.",
        "",
        "| uvicorn | operation | kept-alive median (p95) ms | fresh median (p95) ms |",
        "|---|---|---|---|",
    ]
    for name, version in result["uvicorn"].items():
        for operation in ("me", "batch(1)"):
            kept = result["cells"][f"{name} | {operation} | kept-alive"]
            fresh = result["cells"][f"{name} | {operation} | fresh"]
            lines.append(
                f"| {version} ({name}) | {operation} | {kept['median_ms']} ({kept['p95_ms']}) "
                f"| {fresh['median_ms']} ({fresh['p95_ms']}) |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=5, help="turns of each cell")
    parser.add_argument("--block", type=int, default=30, help="counted requests per turn")
    parser.add_argument("--settle", type=int, default=10, help="uncounted ones before those")
    args = parser.parse_args()
    admin_url = os.environ.get("GOALPOST_BENCH_DATABASE_URL")
    if not admin_url:
        sys.exit("set GOALPOST_BENCH_DATABASE_URL to a PostgreSQL URL (databases are made there)")
    with ExitStack() as stack:
        url = stack.enter_context(fresh_postgres_database(admin_url))

        async def reset() -> str:
            engine = create_engine(url)
            try:
                await reset_database(engine)
                async with engine.connect() as conn:
                    return str((await conn.exec_driver_sql("SHOW server_version")).scalar())
            finally:
                await engine.dispose()

        postgresql = asyncio.run(reset())
        settings = Settings(env="dev", database_url=url)
        workers = settings.serve_workers  # what `goalpost serve` runs with no --workers
        folder = stack.enter_context(old_uvicorn(BEFORE_UVICORN))
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        envs = {
            "before": {
                "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])
            },
            "after": {},
        }
        servers = {}
        for name, env in envs.items():
            server = stack.enter_context(
                ServerProcess(
                    logs / f"{name}.log", workers=workers, GOALPOST_DATABASE_URL=url, **env
                )
            )
            workers_started(server, workers)
            servers[name] = server.url
        load_before = os.getloadavg()[0]
        token = demo_token(settings, "alice")
        cells = measure(servers, token, args.blocks, args.block, args.settle)
        result = {
            "workers": workers,
            "cpus": os.cpu_count(),
            "postgresql": postgresql,
            "blocks": args.blocks,
            "block": args.block,
            "settle": args.settle,
            "uvicorn": {name: uvicorn_version(env) for name, env in envs.items()},
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
            "cells": cells,
        }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "keepalive_postgresql.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    (RESULTS / "keepalive_postgresql.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()

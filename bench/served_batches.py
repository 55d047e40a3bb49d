"""The per-item cost and batch(100)/batch(1) under the default `goalpost serve` (one worker
per core, on PostgreSQL), on one kept-alive connection, with the fixed server (issue 23,
point 5). Targets: one more item, the full goal selected, costs ≤ 0.2 ms over HTTP; a
100-item batch takes ≤ 3.5 times a 1-item batch.

Each run: the data reset (demo rows plus one bench user, not timed), `size` goals made for
the user (not timed), then one mixed batch of `size` timed at the client: a third creates,
a third updates, a third deletes, the Python client's selection (every field of every saved
goal), as bench/scaling.py sends it to its one-worker server. Sizes take turns.

    GOALPOST_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.served_batches

Figures: bench/results/served_batches_postgresql.json and .md. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.keepalive import workers_started
from bench.server import reset_bench_data
from bench.stats import ms
from bench.workload import BATCH_SAVE, Api, mixed_items
from goalpost.config import Settings
from goalpost.testing import ServerProcess, create_engine, fresh_postgres_database

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (1, 10, 50, 100)


async def measure(url: str, database_url: str, runs: int, warmup: int) -> dict[int, list[float]]:
    engine = create_engine(database_url)
    times: dict[int, list[float]] = {size: [] for size in SIZES}
    try:
        async with Api(f"{url}/graphql") as api:  # one kept-alive connection throughout
            for run in range(warmup + runs):
                for size in SIZES:
                    await reset_bench_data(engine, users=1)
                    prefix = f"r{run}n{size}"
                    items = mixed_items(size, await api.seed(prefix, size), prefix)
                    started = time.perf_counter()
                    await api.batch(items, BATCH_SAVE)
                    if run >= warmup:
                        times[size].append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    admin_url = os.environ.get("GOALPOST_BENCH_DATABASE_URL")
    if not admin_url:
        sys.exit("set GOALPOST_BENCH_DATABASE_URL to a PostgreSQL URL (databases are made there)")
    with ExitStack() as stack:
        database_url = stack.enter_context(fresh_postgres_database(admin_url))
        workers = Settings(env="dev", database_url=database_url).serve_workers
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server = stack.enter_context(
            ServerProcess(logs / "server.log", workers=workers, GOALPOST_DATABASE_URL=database_url)
        )
        workers_started(server, workers)
        load_before = os.getloadavg()[0]
        times = asyncio.run(measure(server.url, database_url, args.runs, args.warmup))
        load_after = os.getloadavg()[0]
    rows = {size: ms(samples) for size, samples in times.items()}
    one, hundred = rows[1]["median"], rows[100]["median"]
    result: dict[str, Any] = {
        "workers": workers,
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "load_before": round(load_before, 2),
        "load_after": round(load_after, 2),
        "batch_ms": rows,
        "per_item_marginal_ms": round((hundred - one) / 99, 3),
        "batch100_over_batch1": round(hundred / one, 2),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "served_batches_postgresql.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"Default `goalpost serve` ({workers} workers, PostgreSQL), one kept-alive connection, "
        f"{args.runs} runs per size; 1-min load average {result['load_before']} before, "
        f"{result['load_after']} after, {result['cpus']} CPUs shared with other work.",
        "",
        "| batch size | median ms | p95 ms |",
        "|---|---|---|",
        *(f"| {n} | {row['median']} | {row['p95']} |" for n, row in rows.items()),
        "",
        f"One more item (median, (batch(100) - batch(1)) / 99): "
        f"{result['per_item_marginal_ms']} ms (target ≤ 0.2 ms); "
        f"batch(100) / batch(1): {result['batch100_over_batch1']}x (target ≤ 3.5x).",
    ]
    (RESULTS / "served_batches_postgresql.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

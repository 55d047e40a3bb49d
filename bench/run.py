"""`make bench`: every measure of issue 6 against a live server, figures to bench/results/.

PostgreSQL when GOALPOST_BENCH_DATABASE_URL is set (a fresh database is created next to it and
dropped afterwards), else a fresh SQLite file. Results: bench/results/<database>.json, the
profile of a 100-item batch, and the plot bench/results/batch_scaling.png (both databases,
from whichever result files exist).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import (
    baseline,
    end_to_end,
    fix_effect,
    floor,
    load,
    plot,
    profile,
    report,
    requests_count,
    scaling,
)
from bench.machine import (
    CpuWatch,
    load_average,
    machine_info,
    wait_until_idle,
    wait_until_quiet,
)
from bench.server import BenchServer
from bench.variants import VARIANTS, WHAT
from goalpost.testing import PgBouncer, fresh_postgres_database, fresh_sqlite_database
from goalpost.testing.pgbouncer import pgbouncer_available

RESULTS = Path(__file__).parent / "results"
# The profiles of a variant are named after the fix (the validation fix's were first).
VARIANT_PROFILES = {"per-request-validation-rules": "before_validation_fix"}
MEASURES = (
    "requests",
    "end_to_end",
    "scaling",
    "floor",
    "load",
    "profile",
    "variant",
    "instances",
    "baseline",
)


@contextmanager
def database() -> Iterator[tuple[str, str]]:
    admin_url = os.environ.get("GOALPOST_BENCH_DATABASE_URL")
    if admin_url:
        with fresh_postgres_database(admin_url) as url:
            yield "postgresql", url
        return
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_sqlite_database(f"{folder}/bench.db") as url,
    ):
        yield "sqlite", url


async def database_info(label: str, url: str) -> dict[str, Any]:
    if label == "sqlite":
        path = make_url(url).database or ""
        with sqlite3.connect(path) as conn:
            synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        return {
            "name": "SQLite (aiosqlite)",
            "version": sqlite3.sqlite_version,
            "settings": {"journal_mode": "wal", "synchronous": synchronous},
        }
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        settings = {
            name: await conn.fetchval(f"SHOW {name}")
            for name in ("fsync", "synchronous_commit", "shared_buffers", "max_connections")
        }
        version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return {"name": "PostgreSQL (asyncpg)", "version": version, "settings": settings}


async def run_measures(
    label: str, url: str, args: argparse.Namespace, earlier: baseline.Baseline | None
) -> dict[str, Any]:
    db_name = make_url(url).database if label == "postgresql" else None
    results: dict[str, Any] = {}
    log_path = RESULTS / f"server_{label}.log"
    log_path.unlink(missing_ok=True)

    async def timed(name: str, measure: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        """Run a measure; if other processes took more than --max-foreign of the machine
        meanwhile, wait for quiet and run it again (up to --attempts times)."""
        if name.split("_batch")[0] not in args.only:
            return
        discarded = []
        for attempt in range(1, args.attempts + 1):
            print(f"[{label}] {name} (attempt {attempt}) ...", flush=True)
            watch = CpuWatch(database=db_name).start()
            result = await measure()
            during = watch.stop()
            print(f"[{label}] {name}: {json.dumps(during)}", flush=True)
            if during["other_programs_share_of_machine"] <= args.max_foreign:
                break
            discarded.append(during)
            if attempt < args.attempts:
                idle = await asyncio.to_thread(wait_until_idle, 0.05, args.wait_quiet)
                print(f"[{label}] busy machine: measured again (idle share now {idle})")
        results[name] = {**result, "machine_during": during, "discarded_busy_runs": discarded}

    async with BenchServer(url, log_path=log_path) as server:
        runs, warmup, profile_runs = args.runs, args.warmup, args.profile_runs
        await timed("requests", lambda: requests_count.measure(server, runs, warmup))
        await timed("end_to_end", lambda: end_to_end.measure(server, runs, warmup))
        await timed("scaling", lambda: scaling.measure(server, runs, warmup))
        await timed("floor", lambda: floor.measure(server, runs, warmup))
        await timed("load", lambda: load.measure(server, args.load_seconds))
        await timed("profile", lambda: profile.measure(server, profile_runs, RESULTS, label))
        await timed(
            "profile_batch1",
            lambda: profile.measure(server, profile_runs, RESULTS, label, size=1),
        )
    if "variant" in args.only:
        # The code before the validation-cache fix (bench/variants.py) next to the current
        # code, interleaved.
        variant = args.variant
        suffix = VARIANT_PROFILES.get(variant, f"before_{variant}")
        async with (
            BenchServer(url, log_path=log_path, variant=variant) as before,
            BenchServer(url, log_path=log_path) as after,
        ):
            print(f"[{label}] variant ({variant}, before/after) ...", flush=True)
            watch = CpuWatch(database=db_name).start()
            results["variant"] = {
                "name": variant,
                "what": WHAT[variant],
                "cases": await fix_effect.measure(before, after, args.runs, args.warmup),
                "profile_batch1": await profile.measure(
                    before, args.profile_runs, RESULTS, f"{label}_{suffix}", 1
                ),
                "profile": await profile.measure(
                    before, args.profile_runs, RESULTS, f"{label}_{suffix}"
                ),
            }
            results["variant"]["machine_during"] = watch.stop()
            print(f"[{label}] variant: {json.dumps(results['variant']['machine_during'])}")
    if "instances" in args.only and label == "postgresql" and pgbouncer_available():
        # One instance straight on PostgreSQL against two behind a real PgBouncer
        # (docs/scaling.md), on the same database, taking turns.
        with PgBouncer(url) as bouncer:
            pooled = bouncer.url(url)
            async with (
                BenchServer(url, log_path=log_path) as direct,
                BenchServer(pooled, log_path=log_path, pooler="pgbouncer") as first,
                BenchServer(pooled, log_path=log_path, pooler="pgbouncer") as second,
            ):
                print(f"[{label}] instances (1 direct vs 2 via PgBouncer) ...", flush=True)
                watch = CpuWatch(database=db_name).start()
                results["instances"] = await load.measure_instances(
                    direct, [first, second], args.load_seconds
                )
                results["instances"]["machine_during"] = watch.stop()
                print(f"[{label}] instances: {json.dumps(results['instances'])}", flush=True)
    if earlier is not None:
        # The commit issue 15 measured (or --baseline) next to the current code, taking turns.
        print(f"[{label}] baseline ({earlier.revision} vs current) ...", flush=True)
        earlier_db = make_url(earlier.database_url).database
        names = (db_name, earlier_db) if db_name and earlier_db else ()
        results["baseline"] = await baseline.measure(
            earlier, log_path, url, args.runs, args.warmup, args.load_seconds, names
        )
        print(f"[{label}] baseline: {json.dumps(results['baseline']['machine_during'])}")
    return results


@contextmanager
def earlier_code(args: argparse.Namespace, label: str) -> Iterator[baseline.Baseline | None]:
    """The --baseline commit's tree and database when the baseline measure runs."""
    if "baseline" not in args.only:
        yield None
        return
    with baseline.prepared(args.baseline, label) as earlier:
        yield earlier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="measured runs per figure")
    parser.add_argument("--warmup", type=int, default=3, help="discarded runs before those")
    parser.add_argument("--load-seconds", type=float, default=30.0)
    parser.add_argument("--profile-runs", type=int, default=40)
    parser.add_argument("--only", default=",".join(MEASURES), help="comma-separated measures")
    parser.add_argument("--max-load", type=float, default=0.5, help="quiet: 1-min load below")
    parser.add_argument("--wait-quiet", type=float, default=1800, help="seconds to wait for it")
    parser.add_argument(
        "--max-foreign",
        type=float,
        default=0.05,
        help="run a measure again when other processes used more of the machine meanwhile",
    )
    parser.add_argument("--attempts", type=int, default=3, help="runs of a measure, at most")
    parser.add_argument(
        "--variant",
        choices=VARIANTS[1:],
        default="per-request-validation-rules",
        help="the earlier code the `variant` measure runs next to the current code",
    )
    parser.add_argument(
        "--baseline",
        default=baseline.DEFAULT_REVISION,
        help="the earlier commit the `baseline` measure runs next to the current code",
    )
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    RESULTS.mkdir(exist_ok=True)

    print(f"waiting up to {args.wait_quiet:.0f}s for a 1-min load average < {args.max_load}")
    before = wait_until_quiet(args.max_load, args.wait_quiet)
    idle_share = wait_until_idle(0.05, args.wait_quiet)
    started = time.monotonic()
    with database() as (label, url), earlier_code(args, label) as earlier:
        db = asyncio.run(database_info(label, url))
        results = asyncio.run(run_measures(label, url, args, earlier))
    document = {
        "database": db,
        "machine": machine_info(),
        "load_average_before": before,
        "load_average_after": load_average(),
        "quiet_at_start": before[0] <= args.max_load,
        "busy_share_at_start": idle_share,
        "duration_s": round(time.monotonic() - started, 1),
        "settings": {
            "runs": args.runs,
            "warmup": args.warmup,
            "load_seconds": args.load_seconds,
            "profile_runs": args.profile_runs,
        },
        **results,
    }
    # A partial run (--only) never overwrites the full results bench/README.md quotes.
    partial = args.only != set(MEASURES)
    path = RESULTS / (f"{label}-partial.json" if partial else f"{label}.json")
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {path}")
    plot.main()
    report.main()


if __name__ == "__main__":
    main()

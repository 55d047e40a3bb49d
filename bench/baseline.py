"""Measure 8 (issue 15): the current code side by side with an earlier commit, in one run.

Issue 15's targets multiply figures of the code it was written against (8e16e26: "978
items/s with one worker"), and machines of the same kind differ by 2x and more from one day
to the next (bench/results/*.json `machine`), so a figure from another day cannot say
whether a target is met. This measure runs that commit's own server (its tree exported with
`git archive`, its own migrations on its own fresh database, its own `bench/server.py`) next
to the current one, and takes turns between them: batches of 1, 10 and 100 with both
selections, then rounds of the saturation load (the current code also with the workers
`goalpost serve` starts by default). Both servers run under this process's Python
and packages; the requests are the current client's (its documents validate on both).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import load
from bench.floor import slope
from bench.machine import CpuWatch
from bench.scaling import SELECTIONS, one_batch
from bench.server import ROOT, BenchServer
from bench.stats import ms
from goalpost.config import Settings
from goalpost.testing.databases import empty_postgres_database

# The commit issue 15 measured its starting point on (README of 8e16e26, table 4).
DEFAULT_REVISION = "8e16e26"
SIZES = (1, 10, 100)


@dataclass(frozen=True)
class Baseline:
    """An earlier commit's tree, ready to serve: its own database, migrated by its own code."""

    revision: str
    commit: str
    tree: Path
    database_url: str


def export_tree(revision: str, folder: Path) -> str:
    """The files of `revision` (as committed) into `folder`; returns the full commit id."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return commit


def tree_environment(tree: Path) -> dict[str, str]:
    """Run Python with `tree`'s goalpost and bench packages ahead of the installed ones."""
    return {**os.environ, "PYTHONPATH": str(tree)}


def migrate_tree(tree: Path, url: str) -> None:
    """The tree's own migrations, by its own code (its `migrate_database`)."""
    code = "import sys; from goalpost.cli import migrate_database; migrate_database(sys.argv[1])"
    subprocess.run(
        [sys.executable, "-c", code, url], cwd=tree, env=tree_environment(tree), check=True
    )


@contextmanager
def prepared(revision: str, label: str) -> Iterator[Baseline]:
    """`revision`'s tree and a fresh database for it, next to the benchmark's own (a new
    PostgreSQL database next to GOALPOST_BENCH_DATABASE_URL, or a new SQLite file)."""
    with tempfile.TemporaryDirectory(prefix="goalpost-baseline-") as folder:
        tree = Path(folder) / "tree"
        commit = export_tree(revision, tree)
        if label == "postgresql":
            admin_url = os.environ["GOALPOST_BENCH_DATABASE_URL"]
            with empty_postgres_database(admin_url) as name:
                url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
                migrate_tree(tree, url)
                yield Baseline(revision, commit, tree, url)
            return
        url = f"sqlite+aiosqlite:///{folder}/baseline.db"
        migrate_tree(tree, url)
        yield Baseline(revision, commit, tree, url)


def server_for(baseline: Baseline, log_path: Path) -> BenchServer:
    return BenchServer(
        baseline.database_url,
        log_path=log_path,
        root=baseline.tree,
        environment=tree_environment(baseline.tree),
    )


async def batches(
    servers: dict[str, BenchServer], runs: int, warmup: int
) -> dict[str, dict[str, Any]]:
    """Batches of 1, 10 and 100 with both selections on every server, taking turns."""
    Samples = dict[str, dict[str, dict[int, list[float]]]]
    times: Samples = {w: {s: {n: [] for n in SIZES} for s in SELECTIONS} for w in servers}
    order = list(servers.items())
    for run in range(warmup + runs):
        for size in SIZES:
            for selection, query in SELECTIONS.items():
                for which, server in order if run % 2 else order[::-1]:
                    prefix = f"b{which[0]}{selection[0]}{run}n{size}"
                    seconds, _, _ = await one_batch(server, size, query, prefix)
                    if run >= warmup:
                        times[which][selection][size].append(seconds)
    out: dict[str, dict[str, Any]] = {}
    for which in servers:
        out[which] = {}
        for selection in SELECTIONS:
            got = times[which][selection]
            out[which][selection] = {
                "batch_ms": {str(n): ms(got[n]) for n in SIZES},
                "per_item_ms": slope(got, SIZES),
                "batch100_over_batch1": round(ms(got[100])["median"] / ms(got[1])["median"], 2),
            }
    return out


async def measure(
    baseline: Baseline,
    log_path: Path,
    current_url: str,
    runs: int,
    warmup: int,
    load_seconds: float,
    databases: tuple[str, ...] = (),
    rounds: int = 2,
) -> dict[str, Any]:
    """The saturation rounds also run the current code as `goalpost serve` runs it by default
    (Settings.serve_workers processes: one per core on PostgreSQL, one on SQLite), as
    instances of the bench server on the same database, the load spread over them."""
    workers = Settings(env="dev", database_url=current_url).serve_workers
    async with AsyncExitStack() as stack:
        before = await stack.enter_async_context(server_for(baseline, log_path))
        now = [
            await stack.enter_async_context(BenchServer(current_url, log_path=log_path))
            for _ in range(workers)
        ]
        # Watched while the servers live: a process gone by then counts as someone else's.
        watch = CpuWatch(more_databases=databases).start()
        timed = await batches({"baseline": before, "current": now[0]}, runs, warmup)
        setups = {"baseline": [before], "current": now[:1]}
        if workers > 1:
            setups["current_default_workers"] = now
        loaded = await load.saturation_rounds(setups, load_seconds, rounds)
        during = watch.stop()
    ratios: dict[str, Any] = {}
    for selection in SELECTIONS:
        old, new = timed["baseline"][selection], timed["current"][selection]
        ratios[selection] = {
            f"batch of {n}": round(
                old["batch_ms"][str(n)]["median"] / new["batch_ms"][str(n)]["median"], 2
            )
            for n in SIZES
        } | {"per_item": round(old["per_item_ms"] / new["per_item_ms"], 2)}
    best = {name: max(loaded[name]["items_per_s"]) for name in setups}
    for name in setups:
        if name != "baseline":
            ratios[f"saturation_items_per_s_{name}"] = round(best[name] / best["baseline"], 2)
    return {
        "revision": baseline.revision,
        "commit": baseline.commit,
        "default_workers": workers,
        "batches": timed,
        "saturation": loaded,
        "current_over_baseline": ratios,
        "machine_during": during,
    }

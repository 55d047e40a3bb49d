"""What the figures were measured on, and how busy the machine was meanwhile.

This 2-core machine is shared: the load average before and after, and the CPU time that
processes other than the benchmark's own used during each measure, tell whether a figure
was taken on a quiet machine.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "strawberry-graphql",
    "graphql-core",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "pydantic",
    "httpx",
    "gql",
    "structlog",
    "pyinstrument",
    "matplotlib",
)
ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_info() -> dict[str, Any]:
    """CPU, Python, packages, code version: everything a reader needs to compare runs."""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": package_versions(),
        "git_commit": git("rev-parse", "HEAD"),
        # The server imports goalpost from this tree: uncommitted edits there are measured too.
        "goalpost_uncommitted_files": [
            line[3:] for line in git("status", "--porcelain", "--", "goalpost").splitlines()
        ],
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def wait_until_quiet(max_load: float, timeout: float) -> list[float]:
    """Wait (up to `timeout` seconds) for the 1-minute load average to fall below `max_load`."""
    deadline = time.monotonic() + timeout
    while os.getloadavg()[0] > max_load and time.monotonic() < deadline:
        time.sleep(5)
    return load_average()


def busy_share(seconds: float = 5.0) -> float:
    """Share of the machine's CPU that was busy over the next `seconds` (nothing of ours runs)."""
    before = _busy_ticks()
    time.sleep(seconds)
    cpus = os.cpu_count() or 1
    return (_busy_ticks() - before) / CLOCK_TICKS / (seconds * cpus)


def wait_until_idle(max_share: float, timeout: float) -> float:
    """Wait until the CPU was less than `max_share` busy for 5 s (reacts faster than the load
    average, which still remembers our own previous measure for minutes)."""
    deadline = time.monotonic() + timeout
    share = busy_share()
    while share > max_share and time.monotonic() < deadline:
        share = busy_share()
    return round(share, 3)


def _busy_ticks() -> int:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return user + nice + system + irq + softirq + steal


def _process_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    after_name = stat.rsplit(")", 1)[1].split()
    return int(after_name[11]) + int(after_name[12])  # utime + stime


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    return _process_ticks(pid) / CLOCK_TICKS


def _postgres_pids() -> set[int]:
    """Every PostgreSQL process: its background workers (WAL writer, checkpointer, autovacuum)
    work for the benchmark's writes too, but also for anyone else's."""
    pids = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                pids.add(int(entry.name))
        except OSError:
            continue
    return pids


def _own_pids(databases: Collection[str]) -> set[int]:
    """This process, its children (the servers) and the PostgreSQL backends of our
    databases."""
    pids = {os.getpid()}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() or any(name in cmdline for name in databases):
            pids.add(int(entry.name))
    return pids


@dataclass
class CpuWatch:
    """CPU seconds used by processes other than the benchmark's own during a measure."""

    database: str | None = None
    # More databases the benchmark's servers use (an earlier commit's, bench/baseline.py).
    more_databases: tuple[str, ...] = ()
    started: float = 0.0
    load_before: list[float] = field(default_factory=list)
    _busy: int = 0
    _own: dict[int, int] = field(default_factory=dict)
    _postgres: dict[int, int] = field(default_factory=dict)

    @property
    def databases(self) -> tuple[str, ...]:
        return (self.database, *self.more_databases) if self.database else self.more_databases

    def start(self) -> CpuWatch:
        self.load_before = load_average()
        self.started = time.monotonic()
        self._busy = _busy_ticks()
        self._own = {pid: _process_ticks(pid) for pid in _own_pids(self.databases)}
        self._postgres = {
            pid: _process_ticks(pid) for pid in _postgres_pids() if pid not in self._own
        }
        return self

    def stop(self) -> dict[str, Any]:
        elapsed = time.monotonic() - self.started
        busy = _busy_ticks() - self._busy
        pids = set(self._own) | _own_pids(self.databases)
        # A process that ended meanwhile reads as 0 ticks: its time counts as someone else's.
        own = sum(max(0, _process_ticks(pid) - self._own.get(pid, 0)) for pid in pids)
        postgres = sum(
            max(0, _process_ticks(pid) - self._postgres.get(pid, 0))
            for pid in (set(self._postgres) | _postgres_pids()) - pids
        )
        foreign = max(0, busy - own) / CLOCK_TICKS
        cpus = os.cpu_count() or 1
        return {
            "seconds": round(elapsed, 1),
            "load_average_before": self.load_before,
            "load_average_after": load_average(),
            "benchmark_cpu_seconds": round(own / CLOCK_TICKS, 1),
            "other_processes_cpu_seconds": round(foreign, 1),
            # Part of the above: PostgreSQL processes not serving the benchmark's database
            # (shared background workers, other people's test databases).
            "other_postgres_cpu_seconds": round(postgres / CLOCK_TICKS, 1),
            "other_processes_share_of_machine": round(foreign / (elapsed * cpus), 3)
            if elapsed
            else 0.0,
            # What decides a re-run: other programs, not PostgreSQL's background workers,
            # which our own writes keep busy (WAL writer, autovacuum).
            "other_programs_share_of_machine": round(
                max(0.0, foreign - postgres / CLOCK_TICKS) / (elapsed * cpus), 3
            )
            if elapsed
            else 0.0,
        }

"""Prometheus metrics: HTTP requests and latency, batch sizes, item outcomes, write retries.

One registry per app (tests build many apps in one process). `goalpost serve` runs
prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, a directory per instance):
each worker writes its values to files there, and a scrape, whichever worker answers it,
reads all of them, so /metrics is one view of the whole instance (docs/scaling.md).
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, values
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

# prometheus-client reads it once, at import: `goalpost serve` sets it before any import.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# How often a worker writes its count of live subscribers (multiprocess mode): Prometheus
# scrapes every 15 to 60 s, so a second's lag is never seen, and the wake-up costs nothing.
LIVE_SAMPLE_SECONDS = 1.0
# A "live" gauge's file names the process that wrote it: gauge_livesum_<pid>.db.
LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w+_(\d+)\.db$")

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 200)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.directory = os.environ.get(MULTIPROCESS_DIR) or None
        self._live_count: Callable[[], int] = lambda: 0
        if self.directory is not None and values.ValueClass is values.MutexValue:
            raise RuntimeError(f"{MULTIPROCESS_DIR} was set after prometheus_client's import")
        self.requests = Counter(
            "goalpost_http_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "goalpost_http_request_duration_seconds",
            "HTTP request latency.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_items = Histogram(
            "goalpost_batch_items",
            "Items per batch save request.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.item_results = Counter(
            "goalpost_batch_item_results",
            "Batch items by outcome (saved, deleted, or the code).",
            ["outcome"],
            registry=self.registry,
        )

        self.write_retries = Counter(
            "goalpost_write_retries",
            "Writes run again on the server after a transient conflict, by reason (SQLSTATE "
            "40001 serialization failure, 40P01 deadlock, 57P01/08xxx or connection_lost).",
            ["reason"],
            registry=self.registry,
        )
        # The sum over the workers alive: a worker that ended leaves its file behind, and
        # forget_dead_workers takes it out of the sum.
        self.live_subscribers = Gauge(
            "goalpost_live_subscribers",
            "goalChanged subscriptions open (all worker processes).",
            registry=self.registry,
            multiprocess_mode="livesum",
        )

        # Rendered (GraphQL-executed and encoded) once per socket, sent once per subscription.
        self.live_renders = Counter(
            "goalpost_live_notice_renders",
            "goalChanged notices rendered: once per notice per socket and distinct subscription.",
            registry=self.registry,
        )
        self.live_sends = Counter(
            "goalpost_live_notice_sends",
            "goalChanged `next` messages queued: one per notice per subscription.",
            registry=self.registry,
        )
        self.live_overflows = Counter(
            "goalpost_live_overflows",
            "Live sockets closed with LIVE_OVERFLOW (their outbound queue was full).",
            registry=self.registry,
        )

    @property
    def multiprocess(self) -> bool:
        return self.directory is not None

    def track_live_subscribers(self, count: Callable[[], int]) -> None:
        """In one process the gauge asks `count` at each scrape. Across processes the scrape
        reads files, so a function cannot be called: refresh_live_subscribers writes it."""
        if self.multiprocess:
            self._live_count = count
        else:
            self.live_subscribers.set_function(count)

    def refresh_live_subscribers(self) -> None:
        """Write this worker's count for the other workers' scrapes (multiprocess mode)."""
        self.live_subscribers.set(self._live_count())

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def observe_batch(self, outcomes: Iterable[str]) -> None:
        """One batch: the outcome of each item (created, saved, deleted or a problem code)."""
        labels = collections.Counter(outcomes)
        self.batch_items.observe(labels.total())
        # One increment per outcome, not per item: labels() takes a lock and a lookup.
        for label, count in labels.items():
            self.item_results.labels(label).inc(count)

    def exposition(self) -> bytes:
        if self.directory is None:
            return generate_latest(self.registry)
        # Every worker's files, this one's included (prometheus-client's documented way).
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry)


async def sample_live_subscribers(metrics: Metrics) -> None:
    """Until cancelled: this worker's count of live subscribers, written every second."""
    while True:
        metrics.refresh_live_subscribers()
        await asyncio.sleep(LIVE_SAMPLE_SECONDS)


def forget_dead_workers(directory: str) -> None:
    """A worker that ended (crashed, or restarted by uvicorn) still has its live gauge file;
    leave its subscriptions out of the sum. Run when a worker starts."""
    for path in Path(directory).iterdir():
        found = LIVE_GAUGE_FILE.match(path.name)
        if found and not process_alive(int(found[1])):
            mark_process_dead(int(found[1]), directory)  # type: ignore[no-untyped-call]


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

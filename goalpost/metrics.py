"""Prometheus metrics: HTTP requests and latency, batch sizes, item outcomes, write retries.

One registry per app (tests build many apps in one process). With several uvicorn workers each
process counts its own; scrape them separately or use prometheus-client's multiprocess mode.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 200)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
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
        self.live_subscribers = Gauge(
            "goalpost_live_subscribers",
            "goalChanged subscriptions open in this process.",
            registry=self.registry,
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
        return generate_latest(self.registry)

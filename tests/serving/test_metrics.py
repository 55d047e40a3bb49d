"""/metrics is one view of the whole instance: with two workers, every scrape, whichever
worker answers it, counts the requests and live subscriptions of both (docs/scaling.md)."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import httpx

from goalpost.config import Settings
from goalpost.testing import ServerProcess, demo_token
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import live_subscribers
from tests.live.ws import LiveSocket
from tests.serving.conftest import WORKERS, log_entries, serving_workers

FRESH = httpx.Limits(max_keepalive_connections=0)  # a new connection each: spread the accepts
HEALTHZ = 'goalpost_http_requests_total{method="GET",route="/healthz",status="200"}'


def scrape(http: httpx.Client) -> dict[str, float]:
    """One scrape: each sample line as name{labels} → value."""
    text = http.get("/metrics").text
    samples = (line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    return {name: float(value) for name, value in samples}


def scrapes_by_both_workers(
    served: ServerProcess, http: httpx.Client, sample: str
) -> list[float | None]:
    """`sample` in each of at least 8 scrapes, until each worker has answered some."""
    values: list[float | None] = []
    since = len(log_entries(served.log_path))
    while len(values) < 8 or len(serving_workers(served.log_path, "GET /metrics", since)) < WORKERS:
        assert len(values) < 100, "one worker answered every scrape"
        values.append(scrape(http).get(sample))
    return values


def test_every_scrape_counts_the_requests_of_all_workers(served: ServerProcess) -> None:
    with httpx.Client(base_url=served.url, limits=FRESH, timeout=30) as http:
        sent = 0
        # Which worker accepts is the kernel's choice: at least 40, until both served some.
        while sent < 40 or (len(serving_workers(served.log_path, "GET /healthz")) < WORKERS):
            assert sent < 400, "one worker accepted every connection"
            assert http.get("/healthz").status_code == 200
            sent += 1
        scrapes = scrapes_by_both_workers(served, http, HEALTHZ)
    assert scrapes == [sent] * len(scrapes)


async def test_every_scrape_counts_the_subscriptions_of_all_workers(
    served: ServerProcess, database_url: str
) -> None:
    token = demo_token(Settings(env="dev", database_url=database_url), "alice")
    async with AsyncExitStack() as stack:
        opened = 0
        while opened < 6 or len(serving_workers(served.log_path, "WebSocket /graphql")) < WORKERS:
            assert opened < 60, "one worker accepted every socket"
            socket = await LiveSocket.open(f"{served.url}/graphql", token)
            stack.push_async_callback(socket.close)
            await socket.acked()
            await socket.subscribe("acme", ACME_ACTIVE)
            opened += 1
        # Each worker writes its count every second: wait for the first scrape that has them
        # all, then every scrape, whichever worker answers, must have them all.
        async with asyncio.timeout(20):
            while await asyncio.to_thread(live_subscribers, served.url) != opened:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        with httpx.Client(base_url=served.url, limits=FRESH, timeout=30) as http:
            counts = scrapes_by_both_workers(served, http, "goalpost_live_subscribers")
    assert counts == [opened] * len(counts)

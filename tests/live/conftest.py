"""Live changes over graphql-transport-ws, on the plugin's real uvicorn server, on SQLite and
on PostgreSQL (the suite's parametrised database)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from goalpost.config import Settings
from goalpost.testing import LiveServer
from tests.live.ws import LiveSocket

PING_SECONDS = 0.5


@pytest.fixture(scope="session")
def goalpost_database_url(database_url: str) -> str:
    return database_url


@pytest.fixture(scope="session")
def goalpost_settings(goalpost_database_url: str) -> Settings:
    # Pings often enough for the keep-alive test to see one.
    return Settings(env="dev", database_url=goalpost_database_url, live_ping_seconds=PING_SECONDS)


@pytest.fixture
def server(goalpost_server: LiveServer) -> LiveServer:
    return goalpost_server


Sockets = Callable[..., Any]


@pytest.fixture
async def socket_for(
    server: LiveServer, goalpost_token: Callable[..., str]
) -> AsyncIterator[Sockets]:
    """`await socket_for("carol")` → an acknowledged socket for a demo user; all closed after."""
    opened: list[LiveSocket] = []

    async def open_(user: str, url: str | None = None) -> LiveSocket:
        socket = await LiveSocket.open(url or server.graphql_url, goalpost_token(user))
        opened.append(socket)
        return await socket.acked()

    yield open_
    for socket in opened:
        await socket.close()
    await subscribers(server.url, 0)  # the next test starts with none left over


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def graphql(http: httpx.AsyncClient, goalpost_token: Callable[..., str]) -> Callable[..., Any]:
    """POST a GraphQL document as a demo user; returns the JSON body."""

    async def run(query: str, variables: dict[str, Any] | None = None, *, user: str) -> Any:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {goalpost_token(user)}"},
        )
        return response.json()

    return run


def live_subscribers(base_url: str) -> float:
    """The server's own count of open subscriptions (its /metrics gauge)."""
    metrics = httpx.get(f"{base_url}/metrics").text
    line = next(
        line for line in metrics.splitlines() if line.startswith("goalpost_live_subscribers ")
    )
    return float(line.split()[1])


async def subscribers(base_url: str, count: float) -> None:
    """Wait until the server counts `count` subscriptions: graphql-transport-ws does not
    acknowledge a subscribe, so a test that must not race its first save waits for this."""
    async with asyncio.timeout(20):
        while await asyncio.to_thread(live_subscribers, base_url) != count:  # noqa: ASYNC110
            await asyncio.sleep(0.02)

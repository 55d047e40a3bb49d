"""Client tests run against the live uvicorn server of the goalpost pytest plugin.

The plugin's database is the suite's parametrised one, so every test here runs on SQLite and
on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from goalpost.client import AutoSaver, GoalpostClient
from goalpost.services.demo import demo_id
from goalpost.testing import LiveServer, RecordedRequest, VirtualClock
from tests.conftest import ACME_ACTIVE


@pytest.fixture(scope="session")
def goalpost_database_url(database_url: str) -> str:
    return database_url


@pytest.fixture
def server(goalpost_server: LiveServer) -> LiveServer:
    return goalpost_server


@pytest.fixture
def alice(goalpost_client: GoalpostClient) -> GoalpostClient:
    return goalpost_client


@pytest.fixture
def client_for(
    goalpost_client_factory: Callable[..., GoalpostClient],
) -> Callable[..., GoalpostClient]:
    return goalpost_client_factory


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def goal_id(owner: str, client_id: str) -> str:
    """Id of a seeded demo goal."""
    return str(demo_id("goal", owner, client_id))


def batch_items(request: RecordedRequest) -> list[dict[str, object]]:
    items: list[dict[str, object]] = request.variables["input"]["items"]
    return items


def saver_on(client: GoalpostClient, clock: VirtualClock, **options: object) -> AutoSaver:
    """An AutoSaver for alice's active acme period on virtual time, with no jitter."""
    settings: dict[str, Any] = {
        "org_slug": "acme",
        "period_id": ACME_ACTIVE,
        "clock": clock.now,
        "sleep": clock.sleep,
        "random": lambda: 0.0,
    }
    settings.update(options)
    return AutoSaver(client, **settings)


async def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait (in real time) for something another thread does; fail with `what` if it never does."""
    try:
        async with asyncio.timeout(15):
            while not condition():  # noqa: ASYNC110 - set by the server thread
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None

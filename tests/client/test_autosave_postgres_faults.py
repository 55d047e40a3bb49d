"""The AutoSaver rides through PostgreSQL faults: the killed backend, serialization failure,
deadlock and statement timeout each fail one save cycle as INTERNAL; the retry saves once.
The server's own retries are off here (they would cure the transient faults before the client
saw them: tests/scale/test_server_retry.py), as when they are used up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from goalpost.client import GoalpostClient
from goalpost.config import Settings
from goalpost.testing import LiveServer, VirtualClock, demo_token
from tests.client.conftest import batch_items, goal_id, saver_on
from tests.hardening.test_postgres_faults import (
    FAULT_STATEMENT_TIMEOUT_MS,
    FAULTS,
    REMOVE_FAULT,
    plant_fault_once,
)


@pytest.fixture
def server(database_url: str, dialect: str) -> Iterator[LiveServer]:
    """A live server of its own, with a short statement timeout so that the sleeping trigger
    is cancelled by PostgreSQL, and no server-side retry."""
    if dialect != "postgresql":
        pytest.skip("PostgreSQL fault injection")
    settings = Settings(
        env="dev",
        database_url=database_url,
        db_statement_timeout_ms=FAULT_STATEMENT_TIMEOUT_MS,
        db_write_retries=0,
    )
    with LiveServer(settings) as live:
        live.reset()
        yield live


@pytest.fixture
async def alice(server: LiveServer) -> AsyncIterator[GoalpostClient]:
    async with GoalpostClient(server.graphql_url, demo_token(server.settings, "alice")) as client:
        yield client


@pytest.fixture
def once(server: LiveServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """Plants a trigger that injects the fault once, for the first row titled 'fault'."""
    kind: str = request.param
    server.execute_sql(*plant_fault_once(kind))
    yield kind
    server.execute_sql(*REMOVE_FAULT)


@pytest.mark.parametrize("once", list(FAULTS), indirect=True)
async def test_autosaver_retries_through_a_database_fault(
    once: str, alice: GoalpostClient, server: LiveServer
) -> None:
    saver = saver_on(alice, VirtualClock(auto=True))
    await saver.load()
    server.recorder.clear()
    perf1 = goal_id("alice", "alice-perf-1")
    saver.edit(perf1, "PERFORMANCE", {"title": "Grow ARR by 30%"})
    new = [saver.add("PERFORMANCE", {"title": t}) for t in ("fault", "Second")]
    await saver.flush()

    first, retry = server.recorder.graphql("BatchSaveGoals")
    assert batch_items(first) == batch_items(retry)  # the fault wrote nothing; all resent
    assert all(saver.state(k).state == "saved" for k in [perf1, *new])
    assert saver.state(perf1).version == 2
    goals = await alice.my_goals("acme", saver.period_id)
    titles = [g.fields.get("title") for g in goals]
    assert titles.count("fault") == 1 and titles.count("Second") == 1

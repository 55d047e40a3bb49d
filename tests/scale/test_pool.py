"""The connection pool: what it keeps, and how it finds a connection whose server is gone.

A pool smaller than the requests one process has in flight closes the connections it opened
beyond its size as soon as they are returned, and opens them again at the next peak (each
new one preparing every statement again): at saturation that cost ~10% of the throughput
(bench/, issue 15). GOALPOST_DATABASE_POOL_SIZE sets what is kept: 20 on PostgreSQL.

A connection idle for longer than GOALPOST_DATABASE_PING_AFTER_IDLE_S is pinged before use and
replaced if its server went away; one used more recently is not (a round trip less per
request).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from goalpost.config import Settings
from tests.batch.helpers import BATCH, batch_input, results
from tests.conftest import ACME_ACTIVE, GraphQL
from tests.scale.test_server_retry import retries

PEAK = 15
MY_GOALS = """query($org: String!, $period: ID!) {
  organization(slug: $org) { period(id: $period) { myGoals { id version } } }
}"""


async def test_a_second_peak_of_requests_opens_no_new_connection(
    app: FastAPI, graphql: GraphQL, dialect: str
) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite keeps 5: one writer at a time; the rest wait in the pool's queue")
    opened: list[Any] = []
    event.listen(app.state.engine.sync_engine, "connect", lambda *args: opened.append(args))
    users = ["alice", "bob", "carol"]

    async def peak() -> None:
        bodies = await asyncio.gather(
            *(
                graphql(MY_GOALS, {"org": "acme", "period": ACME_ACTIVE}, user=users[i % 3])
                for i in range(PEAK)
            )
        )
        assert all(body.get("errors") is None for body in bodies), bodies

    await peak()
    after_first = len(opened)
    await peak()
    await peak()
    assert after_first > 0
    assert len(opened) == after_first


async def end_every_other_session(database_url: str) -> int:
    """What a database restart does to the app's pooled connections: their server is gone."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            ended = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await engine.dispose()
    return int(ended or 0)


IDLE = 1.0  # the tests' window: long enough that "just before" cannot pass it unseen


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"database_ping_after_idle_s": IDLE})


async def test_an_idle_connection_whose_server_went_away_is_replaced_before_use(
    graphql: GraphQL, database_url: str, dialect: str
) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite has no server to lose")
    variables = {"org": "acme", "period": ACME_ACTIVE}
    assert (await graphql(MY_GOALS, variables)).get("errors") is None
    assert await end_every_other_session(database_url) >= 1
    await asyncio.sleep(IDLE + 0.1)
    # A read is not run again on failure: it succeeds because the ping found the dead
    # connection first.
    body = await graphql(MY_GOALS, variables)
    assert body.get("errors") is None, body


async def test_a_connection_used_just_before_is_not_pinged(
    graphql: GraphQL, http: httpx.AsyncClient, database_url: str, dialect: str
) -> None:
    """Within the window the request's own first statement finds the dead connection: the
    write is run again on a fresh one (counted as a retry), which shows no ping was sent."""
    if dialect == "sqlite":
        pytest.skip("SQLite has no server to lose")
    item = {"clientId": "after-restart", "performance": {"title": "saved once"}}
    assert (await graphql(MY_GOALS, {"org": "acme", "period": ACME_ACTIVE})).get("errors") is None
    assert await end_every_other_session(database_url) >= 1
    body = await graphql(BATCH, batch_input([item], period=ACME_ACTIVE))
    assert [r["__typename"] for r in results(body)] == ["GoalSaved"]
    assert sum((await retries(http)).values()) == 1

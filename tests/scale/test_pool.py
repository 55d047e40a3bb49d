"""A peak of concurrent requests keeps its database connections for the next peak.

A pool smaller than the requests one process has in flight closes the connections it opened
beyond its size as soon as they are returned, and opens them again at the next peak (each
new one preparing every statement again): at saturation that cost ~10% of the throughput
(bench/, issue 15). GOALPOST_DATABASE_POOL_SIZE sets what is kept: 20 on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.conftest import ACME_ACTIVE, GraphQL

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

"""PostgreSQL: a change saved on one server process reaches a subscriber on another, through
LISTEN/NOTIFY; and a process whose LISTEN connection is killed reconnects by itself."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from goalpost.config import Settings
from goalpost.db import create_engine
from goalpost.services.live.listen import APPLICATION_NAME
from goalpost.testing import ServerProcess, demo_token, reset_database
from tests.batch.helpers import BATCH, goal_id
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import subscribers
from tests.live.ws import LiveSocket


@pytest.fixture(params=["direct", "pgbouncer-listen-direct", "pgbouncer-polling"])
def two_processes(
    request: pytest.FixtureRequest, database_url: str, dialect: str, tmp_path: Path
) -> Iterator[tuple[list[str], str]]:
    """Two `goalpost serve` processes on one database: straight to PostgreSQL; behind a
    transaction-pooling PgBouncer with LISTEN on a direct connection; or behind PgBouncer
    with no LISTEN URL, where each process polls (LISTEN cannot work through that pool)."""
    if dialect != "postgresql":
        pytest.skip("SQLite serves one process; PostgreSQL carries changes between processes")

    async def reset() -> None:
        engine = create_engine(database_url)
        await reset_database(engine)
        await engine.dispose()

    asyncio.run(reset())
    env = {"GOALPOST_DATABASE_URL": database_url}
    if request.param != "direct":
        bouncer_url = request.getfixturevalue("bouncer_url")
        env = {"GOALPOST_DATABASE_URL": bouncer_url, "GOALPOST_DATABASE_POOLER": "pgbouncer"}
        if request.param == "pgbouncer-listen-direct":
            env["GOALPOST_LIVE_DATABASE_URL"] = database_url
    with ExitStack() as stack:
        urls = [
            stack.enter_context(ServerProcess(tmp_path / f"server{i}.log", **env)).url
            for i in (1, 2)
        ]
        yield urls, request.param


async def save(url: str, token: str, version: int, title: str) -> None:
    item = {
        "clientId": "p",
        "id": goal_id("alice", "alice-perf-1"),
        "expectedVersion": version,
        "performance": {"title": title},
    }
    variables = {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": [item]}}
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            f"{url}/graphql",
            json={"query": BATCH, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    body: Any = response.json()
    assert body["data"]["batchSaveGoals"]["savedCount"] == 1, body


async def kill_listeners(database_url: str) -> int:
    """Terminate every live listener connection on the test database (as a failover would)."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            result = await conn.exec_driver_sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = $1 AND datname = current_database()",
                (APPLICATION_NAME,),
            )
            return int(result.scalar_one())
    finally:
        await engine.dispose()


async def test_a_change_on_one_process_reaches_a_subscriber_on_another(
    two_processes: tuple[list[str], str], database_url: str
) -> None:
    (first, second), mode = two_processes
    settings = Settings(env="dev", database_url=database_url)
    alice, carol = demo_token(settings, "alice"), demo_token(settings, "carol")
    watcher = await LiveSocket.open(f"{second}/graphql", carol)
    try:
        await watcher.acked()
        await watcher.subscribe("acme", ACME_ACTIVE)
        await subscribers(second, 1)

        await save(first, alice, 1, "from process one")
        notice = await watcher.notice()
        assert (notice["goalId"], notice["version"]) == (goal_id("alice", "alice-perf-1"), 2)

        if mode == "pgbouncer-polling":
            return
        # Both processes lose their LISTEN connection (as does any other server on this
        # test database, e.g. the suite's in-process one); they reconnect, nothing is lost.
        assert await kill_listeners(database_url) >= 2
        await save(first, alice, 2, "while reconnecting")
        assert (await watcher.notice())["version"] == 3
        await save(first, alice, 3, "after reconnecting")
        assert (await watcher.notice())["version"] == 4
    finally:
        await watcher.close()

"""Scale-out: two uvicorn worker processes on one PostgreSQL keep the batch guarantees.

The API keeps no state between requests but caches, so the concurrency tests of the batch
issue must hold when the contending requests land in different processes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from goalpost.config import Settings
from goalpost.db import create_engine
from goalpost.testing import ServerProcess, demo_token, reset_database
from tests.batch.helpers import BATCH, MY_GOALS, batch_input, goal_id

PERIOD = "96604c54-f8c0-5fa3-8abf-9342beb8f376"  # acme FY2026 (demo ids are fixed)


@pytest.fixture
def two_workers(
    database_url: str, dialect: str, tmp_path: Path, settings: Settings
) -> Iterator[tuple[str, Path]]:
    if dialect != "postgresql":
        pytest.skip("several workers share one PostgreSQL (the production setup)")

    async def reset() -> None:
        engine = create_engine(database_url, pooler=settings.database_pooler)
        await reset_database(engine)
        await engine.dispose()

    asyncio.run(reset())
    log_path = tmp_path / "server.log"
    with ServerProcess(log_path, workers=2, GOALPOST_DATABASE_URL=database_url) as server:
        yield server.url, log_path


def serving_pids(log_path: Path) -> set[int]:
    pids = set()
    for line in log_path.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == "http_request" and entry.get("route") == "/graphql":
                pids.add(entry["process"])
    return pids


async def test_two_workers_keep_the_batch_guarantees(
    two_workers: tuple[str, Path], database_url: str
) -> None:
    url, log_path = two_workers
    token = demo_token(Settings(env="dev", database_url=database_url), "alice")
    gid = goal_id("alice", "alice-perf-1")
    limits = httpx.Limits(max_keepalive_connections=0)  # new connection each: spread accepts
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=30, headers={"authorization": f"Bearer {token}"}
    ) as http:

        async def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = await http.post("/graphql", json={"query": query, "variables": variables})
            body: dict[str, Any] = response.json()
            return body

        # Which worker accepts a connection is the kernel's choice: play rounds until both
        # have served some (at least 8 rounds, at most 60).
        version = 1
        round_ = 0
        while round_ < 8 or (len(serving_pids(log_path)) < 2 and round_ < 60):
            pair = await asyncio.gather(
                *(
                    post(
                        BATCH,
                        batch_input(
                            [
                                {
                                    "clientId": "c",
                                    "id": gid,
                                    "expectedVersion": version,
                                    "performance": {"title": f"{who} {round_}"},
                                }
                            ],
                            period=PERIOD,
                        ),
                    )
                    for who in ("first", "second")
                )
            )
            kinds = sorted(b["data"]["batchSaveGoals"]["results"][0]["__typename"] for b in pair)
            assert kinds == ["GoalSaved", "GoalVersionConflict"]
            version += 1
            round_ += 1

        create = batch_input(
            [{"clientId": "resent", "performance": {"title": "once"}}], period=PERIOD
        )
        resends = await asyncio.gather(*(post(BATCH, create) for _ in range(10)))
        created = [b["data"]["batchSaveGoals"]["results"][0]["created"] for b in resends]
        assert created.count(True) == 1

        mine = await post(MY_GOALS, {"org": "acme", "period": PERIOD})
        goals = mine["data"]["organization"]["period"]["myGoals"]
        assert [g["clientId"] for g in goals].count("resent") == 1
        assert next(g for g in goals if g["id"] == gid)["version"] == version

    assert len(serving_pids(log_path)) == 2, "both workers should have served batches"

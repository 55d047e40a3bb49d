"""Scale-out (issue 14.2): two `goalpost serve --workers 2` processes, both through one
PgBouncer in transaction mode, take concurrent batches for the same people. The batch
guarantees hold across processes: no errors, one winner per version, one goal per resent
create, weight totals that add up."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from goalpost.config import Settings
from goalpost.db import create_engine
from goalpost.testing import ServerProcess, demo_token, reset_database
from tests.batch.helpers import BATCH, MY_GOALS, batch_input, goal_id
from tests.conftest import ACME_ACTIVE

ROUNDS = 8


@pytest.fixture
def two_servers(bouncer_url: str, tmp_path: Path) -> Iterator[list[str]]:
    async def reset() -> None:
        engine = create_engine(bouncer_url, pooler="pgbouncer")
        await reset_database(engine)
        await engine.dispose()

    asyncio.run(reset())
    env = {"GOALPOST_DATABASE_URL": bouncer_url, "GOALPOST_DATABASE_POOLER": "pgbouncer"}
    with (
        ServerProcess(tmp_path / "one.log", workers=2, **env) as one,
        ServerProcess(tmp_path / "two.log", workers=2, **env) as two,
    ):
        yield [one.url, two.url]


class Users:
    """Requests as demo users, spread over both servers in turn."""

    def __init__(self, urls: list[str], settings: Settings) -> None:
        self.next_url = itertools.cycle(urls)
        self.tokens = {u: demo_token(settings, u) for u in ("alice", "bob")}
        # A new connection each time, so each worker process of a server gets its share.
        self.http = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0), timeout=60)
        self.bodies: list[dict[str, Any]] = []

    async def post(self, user: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(
            f"{next(self.next_url)}/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {self.tokens[user]}"},
        )
        body: dict[str, Any] = response.json()
        self.bodies.append(body)
        return body

    async def batch(self, user: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        body = await self.post(user, BATCH, batch_input(items, period=ACME_ACTIVE))
        out: dict[str, Any] = body["data"]["batchSaveGoals"]
        return out

    async def goals(self, user: str) -> list[dict[str, Any]]:
        body = await self.post(user, MY_GOALS, {"org": "acme", "period": ACME_ACTIVE})
        goals: list[dict[str, Any]] = body["data"]["organization"]["period"]["myGoals"]
        return goals


def performance_total(goals: list[dict[str, Any]]) -> Decimal:
    return sum(
        (Decimal(str(g["weight"])) for g in goals if g["category"] == "PERFORMANCE"), Decimal(0)
    )


async def test_two_servers_through_pgbouncer_keep_the_batch_guarantees(
    two_servers: list[str], settings: Settings
) -> None:
    users = Users(two_servers, settings)
    try:
        # Same-version updates, four at a time over both servers: exactly one wins each round.
        gid = goal_id("alice", "alice-perf-1")
        for round_ in range(ROUNDS):
            item = {"clientId": "c", "id": gid, "expectedVersion": round_ + 1}
            outs = await asyncio.gather(
                *(
                    users.batch("alice", [{**item, "performance": {"title": f"{who} {round_}"}}])
                    for who in range(4)
                )
            )
            kinds = sorted(out["results"][0]["__typename"] for out in outs)
            assert kinds == ["GoalSaved"] + ["GoalVersionConflict"] * 3, outs

        # Concurrent resends of one create, while alice and bob each add goals of weight 1 in
        # ten concurrent batches: one goal for the resent create, totals that add up.
        start = {u: performance_total(await users.goals(u)) for u in ("alice", "bob")}
        resend = [{"clientId": "resent", "performance": {"title": "once", "weight": 0}}]

        def adds(user: str, n: int) -> list[dict[str, Any]]:
            return [
                {"clientId": f"{user}-{n}-{i}", "performance": {"title": "t", "weight": 1}}
                for i in range(3)
            ]

        resent, *added = await asyncio.gather(
            asyncio.gather(*(users.batch("alice", resend) for _ in range(12))),
            *(users.batch(u, adds(u, n)) for u in ("alice", "bob") for n in range(10)),
        )
        created = [out["results"][0]["created"] for out in resent]
        assert created.count(True) == 1 and all(
            out["results"][0]["__typename"] == "GoalSaved" for out in resent
        )
        for out in added:
            assert [r["__typename"] for r in out["results"]] == ["GoalSaved"] * 3, out
        for user, index in (("alice", slice(0, 10)), ("bob", slice(10, 20))):
            # Each batch's totals were read under the owner's lock: one batch after another.
            seen = sorted(Decimal(str(o["weightTotals"]["performance"])) for o in added[index])
            assert seen == [start[user] + 3 * k for k in range(1, 11)], (user, seen)
            goals = await users.goals(user)
            assert performance_total(goals) == start[user] + 30
        alice = await users.goals("alice")
        assert [g["clientId"] for g in alice].count("resent") == 1
        assert next(g for g in alice if g["id"] == gid)["version"] == ROUNDS + 1
    finally:
        await users.http.aclose()

    assert [b["errors"] for b in users.bodies if "errors" in b] == []

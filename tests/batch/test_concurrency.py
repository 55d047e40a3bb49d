"""Concurrent batches: no lost update, no duplicate create (docs/batch-save.md)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.batch.helpers import BATCH, MY_GOALS, batch_input, goal_id, results
from tests.conftest import ACME_ACTIVE, GraphQL


async def test_two_batches_with_the_same_expected_version_one_wins(graphql: GraphQL) -> None:
    gid = goal_id("alice", "alice-perf-1")

    def edit(version: int, title: str) -> dict[str, Any]:
        return batch_input(
            [
                {
                    "clientId": "c",
                    "id": gid,
                    "expectedVersion": version,
                    "performance": {"title": title},
                }
            ],
            period=ACME_ACTIVE,
        )

    version = 1
    for round_ in range(8):
        first, second = await asyncio.gather(
            graphql(BATCH, edit(version, f"first {round_}")),
            graphql(BATCH, edit(version, f"second {round_}")),
        )
        pair = [results(first)[0], results(second)[0]]
        assert sorted(r["__typename"] for r in pair) == ["GoalSaved", "GoalVersionConflict"]
        winner = next(r for r in pair if r["__typename"] == "GoalSaved")
        loser = next(r for r in pair if r["__typename"] == "GoalVersionConflict")
        assert winner["goal"]["version"] == version + 1
        assert loser["current"] == winner["goal"]  # the conflict shows what won
        version += 1

    body = await graphql(MY_GOALS, {"org": "acme", "period": ACME_ACTIVE})
    goal = next(g for g in body["data"]["organization"]["period"]["myGoals"] if g["id"] == gid)
    assert goal == winner["goal"]


async def test_ten_concurrent_resends_of_one_create_make_one_goal(graphql: GraphQL) -> None:
    item = batch_input(
        [{"clientId": "resent", "performance": {"title": "Only once"}}], period=ACME_ACTIVE
    )
    bodies = await asyncio.gather(*(graphql(BATCH, item) for _ in range(10)))
    outs = [results(b)[0] for b in bodies]
    assert all(o["__typename"] == "GoalSaved" for o in outs), outs
    assert sum(o["created"] for o in outs) == 1
    assert len({o["goal"]["id"] for o in outs}) == 1

    body = await graphql(MY_GOALS, {"org": "acme", "period": ACME_ACTIVE})
    mine = [
        g for g in body["data"]["organization"]["period"]["myGoals"] if g["clientId"] == "resent"
    ]
    assert len(mine) == 1 and mine[0]["version"] == 1

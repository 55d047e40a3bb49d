"""Concurrent batches: no lost update, no duplicate create (SPEC §4.5)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.batch.helpers import BATCH, MY_GOALS, batch_input, goal_id, results
from tests.conftest import ACME_ACTIVE, GraphQL


async def test_two_batches_with_the_same_expected_version_one_wins(graphql: GraphQL) -> None:
    gid = goal_id("alice", "alice-perf-1")

    def edit(title: str) -> dict[str, Any]:
        return batch_input(
            [{"clientId": "c", "id": gid, "expectedVersion": 1, "performance": {"title": title}}],
            period=ACME_ACTIVE,
        )

    for round_ in range(5):
        first, second = await asyncio.gather(
            graphql(BATCH, edit(f"first {round_}")), graphql(BATCH, edit(f"second {round_}"))
        )
        kinds = sorted([results(first)[0]["__typename"], results(second)[0]["__typename"]])
        if round_ == 0:
            assert kinds == ["GoalSaved", "GoalVersionConflict"]
            winner = next(r for r in (first, second) if results(r)[0]["__typename"] == "GoalSaved")
            loser = next(
                r for r in (first, second) if results(r)[0]["__typename"] == "GoalVersionConflict"
            )
            saved_title = results(winner)[0]["goal"]["title"]
            assert results(loser)[0]["current"]["title"] == saved_title
            assert results(loser)[0]["current"]["version"] == 2
        else:
            # Both stale now: the version check never lets either through.
            assert kinds == ["GoalVersionConflict", "GoalVersionConflict"]

    body = await graphql(MY_GOALS, {"org": "acme", "period": ACME_ACTIVE})
    goal = next(g for g in body["data"]["organization"]["period"]["myGoals"] if g["id"] == gid)
    assert goal["version"] == 2 and goal["title"] == saved_title


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

"""A mixed batch: creates, update, delete, an invalid item and someone else's goal."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from goalpost.testing import reset_database
from tests.batch.helpers import (
    BATCH,
    SAVE_ONE,
    batch_input,
    goal_id,
    goals_of,
    results,
    typenames,
)
from tests.conftest import ACME_ACTIVE, GraphQL


def mixed_items() -> list[dict[str, Any]]:
    return [
        {"clientId": "tmp-1", "performance": {"title": "Grow ARR", "weight": 40}},
        {"clientId": "tmp-2", "coreValue": {"coreValuePlan": "Pair weekly", "weight": 5.25}},
        {
            "clientId": "p1",
            "id": goal_id("alice", "alice-perf-1"),
            "expectedVersion": 1,
            "performance": {"title": "Grow ARR by 25%"},
        },
        {"clientId": "p2", "id": goal_id("alice", "alice-perf-2"), "delete": True},
        {"clientId": "tmp-3", "performance": {"title": "x" * 201}},
        {"clientId": "bobs", "id": goal_id("bob", "bob-perf-1"), "performance": {"title": "mine"}},
    ]


async def test_mixed_batch_answers_in_input_order_and_writes_only_valid_items(
    graphql: GraphQL,
) -> None:
    before = await goals_of(graphql)
    bob_before = await goals_of(graphql, "bob")

    body = await graphql(BATCH, batch_input(mixed_items(), period=ACME_ACTIVE))

    assert typenames(body) == [
        "GoalSaved",
        "GoalSaved",
        "GoalSaved",
        "GoalDeleted",
        "GoalValidationFailed",
        "GoalNotFound",
    ]
    created1, created2, updated, deleted, invalid, not_found = results(body)
    assert [r["clientId"] for r in results(body)] == ["tmp-1", "tmp-2", "p1", "p2", "tmp-3", "bobs"]
    assert created1["created"] is True and created1["goal"]["version"] == 1
    assert created1["goal"]["title"] == "Grow ARR" and created1["goal"]["weight"] == 40
    assert created2["goal"]["weight"] == 5.25 and created2["goal"]["category"] == "CORE_VALUE"
    assert updated["created"] is False and updated["goal"]["version"] == 2
    assert updated["goal"]["title"] == "Grow ARR by 25%"
    assert deleted["id"] == goal_id("alice", "alice-perf-2")
    assert invalid["code"] == "VALIDATION_FAILED" and invalid["retryable"] is False
    assert [e["field"] for e in invalid["fieldErrors"]] == ["performance.title"]
    assert not_found["code"] == "NOT_FOUND"

    payload = body["data"]["batchSaveGoals"]
    assert payload["savedCount"] == 4 and payload["failedCount"] == 2
    assert [s["clientId"] for s in payload["saved"]] == ["tmp-1", "tmp-2", "p1", "p2"]
    assert [(f["clientId"], f["code"]) for f in payload["failed"]] == [
        ("tmp-3", "VALIDATION_FAILED"),
        ("bobs", "NOT_FOUND"),
    ]

    after = await goals_of(graphql)
    # Exactly the four writes: two new goals, one changed, one gone; nothing else moved.
    assert set(after) == (set(before) - {"alice-perf-2"}) | {"tmp-1", "tmp-2"}
    assert after["alice-perf-1"]["title"] == "Grow ARR by 25%"
    assert after["alice-perf-1"]["version"] == 2
    unchanged = set(before) - {"alice-perf-1", "alice-perf-2"}
    assert all(after[c] == before[c] for c in unchanged)
    assert await goals_of(graphql, "bob") == bob_before
    totals = payload["weightTotals"]
    perf_total = sum(g["weight"] for g in after.values() if g["category"] == "PERFORMANCE")
    assert totals["performance"] == perf_total
    assert totals["coreValue"] == sum(
        g["weight"] for g in after.values() if g["category"] == "CORE_VALUE"
    )


async def test_save_goal_answers_like_a_batch_of_one(graphql: GraphQL, app: FastAPI) -> None:
    for item in mixed_items():
        await reset_database(app.state.engine)
        one = await graphql(
            SAVE_ONE, {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "item": item}}
        )
        assert "errors" not in one, one
        single = one["data"]["saveGoal"]
        await reset_database(app.state.engine)
        batch = results(await graphql(BATCH, batch_input([item], period=ACME_ACTIVE)))[0]
        if single["__typename"] == "GoalSaved":
            # Each save stamps its own time, and a create gets a fresh server id each time;
            # everything else must match.
            for goal in (single["goal"], batch["goal"]):
                goal.pop("createdAt"), goal.pop("updatedAt")
                if item.get("id") is None:
                    goal.pop("id")
        assert batch == single

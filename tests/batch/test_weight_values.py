"""Weights: -0.0 is zero, never a signed zero (issue 10.7); totals are those of the stored goals."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI

from tests.batch.helpers import BATCH, batch_input, goal_id, goals_of, results
from tests.batch.test_database_faults import ROW_FAULT, ROW_FAULT_CLEANUP, run_sql
from tests.conftest import ACME_ACTIVE, GraphQL

TOTALS = """
query Totals($org: String!, $period: ID!) {
  organization(slug: $org) { period(id: $period) { weightTotals {
    performance competency coreValue } } }
}
"""


def positive_zero(value: Any) -> bool:
    return value == 0 and math.copysign(1.0, value) == 1.0


async def test_a_weight_of_minus_zero_is_saved_and_echoed_as_zero(graphql: GraphQL) -> None:
    # bob has no core-value goal: the new one alone makes that category's total.
    body = await graphql(
        BATCH,
        batch_input(
            [
                {"clientId": "core", "coreValue": {"coreValuePlan": "Mentor", "weight": -0.0}},
                {
                    "clientId": "bob-perf-1",
                    "id": goal_id("bob", "bob-perf-1"),
                    "performance": {"weight": -0.0},
                },
            ],
            period=ACME_ACTIVE,
        ),
        user="bob",
    )
    created, updated = results(body)
    assert created["created"] is True and updated["goal"]["version"] == 2  # 50 → 0
    assert positive_zero(created["goal"]["weight"]), created
    assert positive_zero(updated["goal"]["weight"]), updated
    totals = body["data"]["batchSaveGoals"]["weightTotals"]
    assert all(positive_zero(total) for total in totals.values()), totals

    stored = await goals_of(graphql, user="bob")
    assert positive_zero(stored["core"]["weight"]) and positive_zero(stored["bob-perf-1"]["weight"])
    read = await graphql(TOTALS, {"org": "acme", "period": ACME_ACTIVE}, user="bob")
    totals = read["data"]["organization"]["period"]["weightTotals"]
    assert all(positive_zero(total) for total in totals.values()), totals

    # Zero again, in another spelling: no change, so no new version.
    again = results(
        await graphql(
            BATCH,
            batch_input([{"clientId": "core", "coreValue": {"weight": 0.0}}], period=ACME_ACTIVE),
            user="bob",
        )
    )
    assert again[0]["goal"]["version"] == 1 and positive_zero(again[0]["goal"]["weight"])


async def period_totals(graphql: GraphQL) -> dict[str, float]:
    body = await graphql(TOTALS, {"org": "acme", "period": ACME_ACTIVE})
    totals: dict[str, float] = body["data"]["organization"]["period"]["weightTotals"]
    return totals


async def test_the_batch_weight_totals_are_those_of_the_stored_goals(graphql: GraphQL) -> None:
    """The batch answers its totals from the totals before it and what it wrote; they must be
    what a fresh read of the stored goals sums to."""
    items = [
        {"clientId": "p", "performance": {"title": "new", "weight": 12.34}},
        {"clientId": "c", "competency": {"actionPlan": "new", "weight": 0.01}},
        {"clientId": "v", "coreValue": {"coreValuePlan": "new", "weight": 99.99}},
        {
            "clientId": "alice-perf-1",
            "id": goal_id("alice", "alice-perf-1"),
            "performance": {"weight": 33.33},
        },
        {"clientId": "alice-perf-2", "id": goal_id("alice", "alice-perf-2"), "delete": True},
        {"clientId": "alice-core-1", "id": goal_id("alice", "alice-core-1"), "coreValue": {}},
        {"clientId": "bad", "performance": {"weight": 100.01}},
        {
            "clientId": "alice-perf-submitted",
            "id": goal_id("alice", "alice-perf-submitted"),
            "performance": {"weight": 1},
        },
    ]
    rejected = await graphql(
        BATCH, batch_input(items, period=ACME_ACTIVE, errorPolicy="ALL_OR_NOTHING")
    )
    before = await period_totals(graphql)
    assert rejected["data"]["batchSaveGoals"]["weightTotals"] == before

    saved = await graphql(BATCH, batch_input(items, period=ACME_ACTIVE))
    assert saved["data"]["batchSaveGoals"]["failedCount"] == 2
    after = await period_totals(graphql)
    assert saved["data"]["batchSaveGoals"]["weightTotals"] == after
    # 40 + 30 + 20 + 10 before; alice-perf-1 40 → 33.33, alice-perf-2 (30) deleted, 12.34 new
    assert after == {"performance": 75.67, "competency": 0.01, "coreValue": 99.99}


async def test_totals_after_a_refused_item_leave_out_what_was_not_written(
    app: FastAPI, graphql: GraphQL, dialect: str
) -> None:
    """The per-item fallback: the item the database refused adds no weight."""
    await run_sql(app, ROW_FAULT[dialect])
    items = [
        {"clientId": "ok", "performance": {"title": "fine", "weight": 5}},
        {"clientId": "bad", "performance": {"title": "boom", "weight": 7}},
        {
            "clientId": "alice-perf-1",
            "id": goal_id("alice", "alice-perf-1"),
            "performance": {"weight": 1},
        },
    ]
    body = await graphql(BATCH, batch_input(items, period=ACME_ACTIVE))
    await run_sql(app, ROW_FAULT_CLEANUP[dialect])
    assert [r["__typename"] for r in results(body)] == ["GoalSaved", "GoalSaveFailed", "GoalSaved"]
    totals = body["data"]["batchSaveGoals"]["weightTotals"]
    assert totals == await period_totals(graphql)
    assert totals["performance"] == 5 + 1 + 30 + 20 + 10

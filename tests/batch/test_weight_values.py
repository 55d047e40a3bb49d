"""Weights: -0.0 is zero, never a signed zero (issue 10.7)."""

from __future__ import annotations

import math
from typing import Any

from tests.batch.helpers import BATCH, batch_input, goal_id, goals_of, results
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

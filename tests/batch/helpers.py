"""GraphQL documents and small readers shared by the batch tests."""

from __future__ import annotations

from typing import Any

from goalpost.client import documents
from goalpost.services.demo import demo_id, period_id

# The client's fragments (goalpost/client/documents.py): one copy of what a result selects.
FRAGMENTS = documents.SAVE_RESULT_FIELDS + documents.GOAL_FIELDS

BATCH = (
    """
mutation Batch($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) {
    results { ...SaveResultFields }
    saved { __typename ... on GoalSaved { clientId } ... on GoalDeleted { clientId } }
    failed { clientId code }
    savedCount failedCount
    weightTotals { performance competency coreValue }
  }
}
"""
    + FRAGMENTS
)

SAVE_ONE = (
    """
mutation One($input: SaveGoalInput!) {
  saveGoal(input: $input) { ...SaveResultFields }
}
"""
    + FRAGMENTS
)

MY_GOALS = (
    """
query Mine($period: ID!, $org: String!) {
  organization(slug: $org) { period(id: $period) { myGoals { ...GoalFields } } }
}
"""
    + documents.GOAL_FIELDS
)


async def goals_of(graphql: Any, user: str = "alice") -> dict[str, dict[str, Any]]:
    """The user's goals in acme's active period, by clientId, read through the API."""
    acme_active = str(period_id("acme", "fy2026"))
    body = await graphql(MY_GOALS, {"org": "acme", "period": acme_active}, user=user)
    return {g["clientId"]: g for g in body["data"]["organization"]["period"]["myGoals"]}


def goal_id(owner: str, client_id: str) -> str:
    """Ids of the demo goals (services/demo.py) are deterministic."""
    return str(demo_id("goal", owner, client_id))


def competency_id(org: str, name: str) -> str:
    return str(demo_id("competency", org, name))


def batch_input(
    items: list[dict[str, Any]], *, org: str = "acme", period: str, **extra: Any
) -> dict[str, Any]:
    return {"input": {"orgSlug": org, "periodId": period, "items": items, **extra}}


def typenames(body: dict[str, Any]) -> list[str]:
    return [r["__typename"] for r in body["data"]["batchSaveGoals"]["results"]]


def results(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body
    return list(body["data"]["batchSaveGoals"]["results"])


# Two batches in one request, one create each: the guard's first answer serves the second.
TWO_BATCHES = """
mutation ($first: BatchSaveGoalsInput!, $second: BatchSaveGoalsInput!) {
  a: batchSaveGoals(input: $first) { savedCount }
  b: batchSaveGoals(input: $second) { savedCount }
}
"""


def two_batches_input(period: str) -> dict[str, Any]:
    """The variables of TWO_BATCHES: "c1" then "c2", each a new performance goal."""
    first = batch_input([{"clientId": "c1", "performance": {"title": "One"}}], period=period)
    second = batch_input([{"clientId": "c2", "performance": {"title": "Two"}}], period=period)
    return {"first": first["input"], "second": second["input"]}

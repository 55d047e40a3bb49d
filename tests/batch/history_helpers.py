"""Reading the goal history for tests: through GraphQL (`Goal.history`) and, for what the API
does not show yet (a deleted goal's events), straight from the table."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select

from goalpost.client import documents
from goalpost.models import GoalEvent
from tests.conftest import ACME_ACTIVE, GraphQL

EVENT_FIELDS = (
    "id goalId kind version at actor { id name } requestId changes { field before after } comment"
)
MY_GOALS_WITH_HISTORY = (
    """
query Mine($period: ID!, $org: String!) {
  organization(slug: $org) { period(id: $period) {
    myGoals { ...GoalFields history { """
    + EVENT_FIELDS
    + """ } }
  } }
}
"""
    + documents.GOAL_FIELDS
)


async def goals_with_history(graphql: GraphQL, user: str = "alice") -> dict[str, dict[str, Any]]:
    """The user's goals in acme's active period with their history, by clientId."""
    body = await graphql(MY_GOALS_WITH_HISTORY, {"org": "acme", "period": ACME_ACTIVE}, user=user)
    assert "errors" not in body, body
    return {g["clientId"]: g for g in body["data"]["organization"]["period"]["myGoals"]}


async def event_rows(app: FastAPI) -> list[dict[str, Any]]:
    """Every stored event, in seq order."""
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(
            select(
                GoalEvent.seq,
                GoalEvent.goal_id,
                GoalEvent.kind,
                GoalEvent.version,
                GoalEvent.actor_id,
                GoalEvent.request_id,
                GoalEvent.changes,
            ).order_by(GoalEvent.seq)
        )
        return [dict(r) for r in rows.mappings()]


async def event_count(app: FastAPI) -> int:
    async with app.state.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(GoalEvent)) or 0)

"""Reading the goal history for tests: through GraphQL (`Goal.history`) and, for what the API
does not show yet (a deleted goal's events), straight from the table (the demo seed's own
events left out)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select

from goalpost.client import documents
from goalpost.models import GoalEvent
from goalpost.services.demo import SEED_REQUEST_ID
from goalpost.testing import StatementCounter
from tests.conftest import ACME_ACTIVE, GraphQL

EVENT_FIELDS = (
    "id goalId kind version at actor { id name } requestId changes { field before after } comment"
)
MY_GOALS_WITH_HISTORY = (
    """
query Mine($period: ID!, $org: String!) {
  organization(slug: $org) { period(id: $period) {
    myGoals { ...GoalFields review { decision comment } history { """
    + EVENT_FIELDS
    + """ } }
  } }
}
"""
    + documents.GOAL_FIELDS
)


async def goals_with_history(
    graphql: GraphQL, user: str = "alice", org: str = "acme", period: str = ACME_ACTIVE
) -> dict[str, dict[str, Any]]:
    """The user's goals in a period (acme's active one unless told) with their history, by
    clientId."""
    body = await graphql(MY_GOALS_WITH_HISTORY, {"org": org, "period": period}, user=user)
    assert "errors" not in body, body
    return {g["clientId"]: g for g in body["data"]["organization"]["period"]["myGoals"]}


# The demo goals' own history, written when the demo is seeded (request "seed-demo"): the
# tests below count the events their own writes add.
NOT_SEEDED = GoalEvent.request_id.is_distinct_from(SEED_REQUEST_ID)


async def event_rows(app: FastAPI) -> list[dict[str, Any]]:
    """Every stored event but the demo seed's, in seq order."""
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
            )
            .where(NOT_SEEDED)
            .order_by(GoalEvent.seq)
        )
        return [dict(r) for r in rows.mappings()]


async def event_count(app: FastAPI) -> int:
    """How many events are stored, the demo seed's left out."""
    async with app.state.engine.connect() as conn:
        found = await conn.scalar(select(func.count()).select_from(GoalEvent).where(NOT_SEEDED))
        return int(found or 0)


def history_inserts(counter: StatementCounter) -> int:
    """Statements that insert events: alone, or on PostgreSQL as part of the one statement
    that writes the goals and their events."""
    return sum(1 for s in counter.statements if "INSERT INTO goal_events" in s)

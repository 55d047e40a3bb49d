"""A create that loses its INSERT race to another writer: no goal of its own, no event of
its own (issue 15: on PostgreSQL the writes and their events are one statement, and an
event is kept only if its goal's write took effect)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select, text

from goalpost.models import Goal, GoalCategory, GoalStatus, utcnow
from goalpost.services.demo import demo_id
from tests.batch.helpers import BATCH, batch_input, results
from tests.batch.history_helpers import event_rows
from tests.conftest import ACME_ACTIVE, GraphQL

WAITING_FOR_A_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
    "current_database()"
)


async def test_a_create_that_lost_an_insert_race_writes_only_what_it_did(
    app: FastAPI, graphql: GraphQL, dialect: str
) -> None:
    if dialect != "postgresql":
        pytest.skip("SQLite serializes writers (BEGIN IMMEDIATE): a create cannot lose a race")
    engine = app.state.engine
    other_id = uuid.uuid4()
    now = utcnow()
    item = {"clientId": "raced", "performance": {"title": "from the batch", "weight": 1}}
    async with engine.connect() as other:
        # Another writer (outside the API, so outside the owner's lock) inserts the same
        # (owner, period, clientId) and has not committed yet: the batch does not see it
        # when it loads, plans a create, and its INSERT waits on the unique key.
        await other.execute(
            insert(Goal).values(
                id=other_id,
                organization_id=demo_id("org", "acme"),
                owner_id=demo_id("user", "alice"),
                period_id=uuid.UUID(ACME_ACTIVE),
                category=GoalCategory.PERFORMANCE,
                client_id="raced",
                weight=1,
                status=GoalStatus.DRAFT,
                version=1,
                created_at=now,
                updated_at=now,
                title="from elsewhere",
            )
        )
        saving = asyncio.create_task(graphql(BATCH, batch_input([item], period=ACME_ACTIVE)))
        async with engine.connect() as watcher:
            for _ in range(500):
                if await watcher.scalar(WAITING_FOR_A_LOCK):
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("the batch never waited on the other writer's row")
        await other.commit()
        body = await saving

    # The batch planned again: the goal it found is the other writer's, now updated.
    (result,) = results(body)
    assert result["__typename"] == "GoalSaved"
    assert result["created"] is False
    assert result["goal"]["id"] == str(other_id)
    assert result["goal"]["title"] == "from the batch" and result["goal"]["version"] == 2
    async with engine.connect() as conn:
        goals = (await conn.execute(select(Goal.id).where(Goal.client_id == "raced"))).all()
    assert [g.id for g in goals] == [other_id]
    # One event, for the update that took effect; none for the create that did not.
    events = await event_rows(app)
    assert [(e["goal_id"], e["kind"], e["version"]) for e in events] == [(other_id, "UPDATED", 2)]

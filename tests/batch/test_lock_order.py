"""Stable write and lock order: concurrent batches of one owner never deadlock (issue 10.6).

Two batches that create the same clientIds in opposite order used to insert their rows in
input order, each waiting on a unique-index entry the other held: PostgreSQL broke the
cycle by failing one of them ("deadlock detected", INTERNAL).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from structlog.testing import capture_logs

from goalpost.config import Settings
from tests.batch.helpers import BATCH, batch_input, goals_of
from tests.conftest import ACME_ACTIVE, GraphQL, error_codes

ROUNDS = 200
CREATES = 20


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Room for every round's goals: the cap is not what this test is about."""
    return settings.model_copy(update={"max_goals_per_period": ROUNDS * CREATES + 100})


# Each new row takes a millisecond, as on a busy server: the two INSERTs overlap every round
# instead of now and then, so a lock cycle between them would show at once.
SLOW_INSERTS = [
    """CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$""",
    """CREATE TRIGGER slow_insert BEFORE INSERT ON goals
       FOR EACH ROW EXECUTE FUNCTION slow_insert()""",
]


@pytest.fixture
async def slow_inserts(app: FastAPI, dialect: str) -> AsyncIterator[None]:
    if dialect != "postgresql":
        pytest.skip("SQLite serializes writers (BEGIN IMMEDIATE): there is no lock cycle")
    async with app.state.engine.begin() as conn:
        for statement in SLOW_INSERTS:
            await conn.execute(text(statement))
    yield
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DROP TRIGGER slow_insert ON goals"))
        await conn.execute(text("DROP FUNCTION slow_insert()"))


def creates(round_: int, *, reverse: bool) -> list[dict[str, Any]]:
    items = [
        {"clientId": f"r{round_:03d}-{i:02d}", "performance": {"title": f"goal {i}", "weight": 1}}
        for i in range(CREATES)
    ]
    return items[::-1] if reverse else items


@pytest.mark.usefixtures("slow_inserts")
async def test_opposite_order_batches_of_the_same_creates_never_deadlock(graphql: GraphQL) -> None:
    problems: list[Any] = []
    created = 0
    for round_ in range(ROUNDS):
        bodies = await asyncio.gather(
            graphql(BATCH, batch_input(creates(round_, reverse=False), period=ACME_ACTIVE)),
            graphql(BATCH, batch_input(creates(round_, reverse=True), period=ACME_ACTIVE)),
        )
        for body in bodies:
            if "errors" in body:
                problems.append(body["errors"])
                continue
            out = body["data"]["batchSaveGoals"]["results"]
            problems += [r for r in out if r["__typename"] != "GoalSaved"]
            created += sum(r["created"] for r in out if r["__typename"] == "GoalSaved")
        assert problems == [], f"round {round_}"
    assert created == ROUNDS * CREATES  # each goal created once, the other batch resent it
    mine = await goals_of(graphql)
    assert sum(key.startswith("r") for key in mine) == ROUNDS * CREATES


INJECTED_DEADLOCK = [
    """CREATE FUNCTION deadlock_once() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.title = 'deadlock' THEN
         RAISE EXCEPTION 'injected' USING ERRCODE = 'deadlock_detected'; END IF;
       RETURN NEW; END $$""",
    """CREATE TRIGGER deadlock_once BEFORE INSERT ON goals
       FOR EACH ROW EXECUTE FUNCTION deadlock_once()""",
]


async def test_a_transaction_fault_is_logged_with_its_sqlstate(
    app: FastAPI, graphql: GraphQL, dialect: str, settings: Settings
) -> None:
    """The log says which fault it was (40P01 deadlock, 40001 serialization, 57014 timeout…),
    so a deadlock can be told from the rest without the database's message."""
    if dialect != "postgresql":
        pytest.skip("a deadlock is a PostgreSQL fault")
    async with app.state.engine.begin() as conn:
        for statement in INJECTED_DEADLOCK:
            await conn.execute(text(statement))
    items = [{"clientId": "d", "performance": {"title": "deadlock"}}]
    with capture_logs() as logs:
        body = await graphql(BATCH, batch_input(items, period=ACME_ACTIVE))
    assert error_codes(body) == ["INTERNAL"]
    faults = [entry for entry in logs if entry["event"] == "batch_transaction_fault"]
    # A deadlock on every attempt: the first run and each server-side retry log it.
    assert len(faults) == 1 + settings.db_write_retries, logs
    assert {f["sqlstate"] for f in faults} == {"40P01"}
    assert "injected" not in str(faults)

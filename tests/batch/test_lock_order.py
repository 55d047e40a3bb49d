"""Stable write and lock order: concurrent batches never deadlock (issues 10.6 and 14.4).

Two batches that create the same clientIds in opposite order used to insert their rows in
input order, each waiting on a unique-index entry the other held: PostgreSQL broke the
cycle by failing one of them ("deadlock detected", INTERNAL). Review batches of the same
goals in opposite orders, while the owner saves them, must not either.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from structlog.testing import capture_logs

from goalpost.config import Settings
from tests.batch.helpers import BATCH, batch_input, goals_of, results
from tests.conftest import ACME_ACTIVE, GraphQL, error_codes
from tests.review.helpers import REVIEW, review_input, reviewed, submit_all

ROUNDS = 200
CREATES = 20


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Room for every round's goals: the cap is not what this test is about. No server-side
    retry: a deadlock must not happen at all, not be retried away unseen."""
    return settings.model_copy(
        update={"max_goals_per_period": ROUNDS * CREATES + 100, "db_write_retries": 0}
    )


# Each new or changed row takes a millisecond, as on a busy server: the writes overlap every
# round instead of now and then, so a lock cycle between them would show at once.
def slow_rows(events: str) -> list[str]:
    return [
        """CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$""",
        f"""CREATE TRIGGER slow_row BEFORE {events} ON goals
           FOR EACH ROW EXECUTE FUNCTION slow_row()""",
    ]


@asynccontextmanager
async def slow(app: FastAPI, dialect: str, events: str) -> AsyncIterator[None]:
    if dialect != "postgresql":
        pytest.skip("SQLite serializes writers (BEGIN IMMEDIATE): there is no lock cycle")
    async with app.state.engine.begin() as conn:
        for statement in slow_rows(events):
            await conn.execute(text(statement))
    yield
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DROP TRIGGER slow_row ON goals"))
        await conn.execute(text("DROP FUNCTION slow_row()"))


@pytest.fixture
async def slow_inserts(app: FastAPI, dialect: str) -> AsyncIterator[None]:
    async with slow(app, dialect, "INSERT"):
        yield


@pytest.fixture
async def slow_writes(app: FastAPI, dialect: str) -> AsyncIterator[None]:
    async with slow(app, dialect, "INSERT OR UPDATE"):
        yield


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


REVIEWED_PER_ROUND = 5


@pytest.mark.usefixtures("slow_writes")
async def test_opposite_order_reviews_while_the_owner_saves_never_deadlock(
    graphql: GraphQL, settings: Settings
) -> None:
    """Each round carol approves five of alice's submitted goals in one order and returns
    them in the other, while alice edits them: no request fails, and every goal is
    decided exactly once (whoever locks it second finds it no longer SUBMITTED)."""
    goals = await submit_all(graphql, "alice", extra=ROUNDS * REVIEWED_PER_ROUND)
    pool = sorted((g for g in goals.values() if g["status"] == "SUBMITTED"), key=lambda g: g["id"])
    assert len(pool) >= ROUNDS * REVIEWED_PER_ROUND
    problems: list[Any] = []
    decided = 0
    for round_ in range(ROUNDS):
        chosen = pool[round_ * REVIEWED_PER_ROUND : (round_ + 1) * REVIEWED_PER_ROUND]
        approve = [
            {"clientId": f"a{i}", "goalId": g["id"], "decision": "APPROVE"}
            for i, g in enumerate(chosen)
        ]
        give_back = [
            {"clientId": f"r{i}", "goalId": g["id"], "decision": "RETURN", "comment": "redo"}
            for i, g in enumerate(reversed(chosen))
        ]
        edits = [
            {"clientId": g["clientId"], "id": g["id"], "performance": {"title": f"e{round_}"}}
            for g in chosen[1::2] + chosen[0::2]
        ]
        bodies = await asyncio.gather(
            graphql(REVIEW, review_input(approve), user="carol"),
            graphql(REVIEW, review_input(give_back), user="carol"),
            graphql(BATCH, batch_input(edits, period=ACME_ACTIVE)),
        )
        for body in bodies:
            if "errors" in body:
                problems.append(body["errors"])
        if problems:
            break
        out = reviewed(bodies[0]) + reviewed(bodies[1]) + results(bodies[2])
        problems += [r for r in out if r.get("code") in ("SAVE_FAILED", "INTERNAL")]
        won = [r for r in out if r["__typename"] == "GoalReviewed"]
        assert len({r["goal"]["id"] for r in won}) == len(won) == REVIEWED_PER_ROUND, out
        decided += len(won)
        assert problems == [], f"round {round_}"
    assert problems == []
    assert decided == ROUNDS * REVIEWED_PER_ROUND


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

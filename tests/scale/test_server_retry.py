"""Server-side retry of transient conflicts (issue 14.3): a write that hits a serialization
failure, a deadlock or a lost connection before commit is run again whole on a fresh
transaction; the client sees one success, the data and history are written exactly once, and
goalpost_write_retries counts the retry. A fault that a retry cannot cure (a statement
timeout) or one that outlasts the retries is INTERNAL, with nothing written."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from goalpost.config import Settings
from goalpost.testing import StatementCounter
from tests.batch.helpers import BATCH, batch_input, goals_of, results
from tests.batch.history_helpers import event_rows
from tests.conftest import ACME_ACTIVE, GraphQL, error_codes
from tests.hardening.test_postgres_faults import FAULT_STATEMENT_TIMEOUT_MS, items
from tests.review.helpers import REVIEW, review_input, reviewed, submit_all
from tests.scale.conftest import Plant

RETRIES = 2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two retries, a short backoff, a short statement timeout (for the sleeping trigger)."""
    return settings.model_copy(
        update={
            "db_write_retries": RETRIES,
            "db_write_retry_backoff_ms": 5,
            "db_statement_timeout_ms": FAULT_STATEMENT_TIMEOUT_MS,
        }
    )


async def retries(http: httpx.AsyncClient) -> dict[str, float]:
    """goalpost_write_retries by reason, read from /metrics."""
    exposition = (await http.get("/metrics")).text
    return {
        sample.labels["reason"]: sample.value
        for family in text_string_to_metric_families(exposition)
        if family.name == "goalpost_write_retries"
        for sample in family.samples
        if sample.name == "goalpost_write_retries_total"
    }


@pytest.mark.parametrize("fault", ["serialization-failure", "deadlock", "killed-connection"])
async def test_a_transient_fault_is_retried_and_the_batch_saved_once(
    fault: str,
    plant: Plant,
    graphql: GraphQL,
    http: httpx.AsyncClient,
    app: FastAPI,
) -> None:
    before = await goals_of(graphql)
    async with plant(fault, when="NEW.title = 'fault'"):
        body = await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE))

    assert [r["__typename"] for r in results(body)] == ["GoalSaved"] * 3
    counted = await retries(http)
    assert sum(counted.values()) == 1, counted
    if fault != "killed-connection":  # a killed backend shows as 57P01, 08xxx or a lost link
        assert (
            counted == {"serialization-failure": {"40001": 1.0}, "deadlock": {"40P01": 1.0}}[fault]
        )
    after = await goals_of(graphql)
    assert set(after) == set(before) | {"before", "faulty"}  # each create once
    assert after["alice-perf-1"]["version"] == 2  # the update once
    events = await event_rows(app)
    assert sorted(r["kind"] for r in events) == ["CREATED", "CREATED", "UPDATED"]
    assert len({r["goal_id"] for r in events}) == 3  # one event per item


async def test_the_retry_locks_the_owner_again_on_its_fresh_transaction(
    plant: Plant, graphql: GraphQL, app: FastAPI
) -> None:
    """The first run's lock went with its transaction. The retry's guard answers from the
    request's cache, so the retry locks the owner in a statement of its own, before it reads
    the owner's goals again."""
    async with plant("serialization-failure", when="NEW.title = 'fault'"):
        with StatementCounter(app.state.engine) as counter:
            body = await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE))
    assert [r["__typename"] for r in results(body)] == ["GoalSaved"] * 3
    statements = [" ".join(s.lower().split()) for s in counter.statements]
    locks = [i for i, s in enumerate(statements) if "for no key update" in s]
    tallies = [i for i, s in enumerate(statements) if "group by goals.category" in s]
    assert len(locks) == len(tallies) == 2, statements
    assert locks[0] < tallies[0] < locks[1] < tallies[1]
    assert statements[locks[0]].endswith("for no key update of memberships")  # the guard's
    assert "from users" in statements[locks[0]]
    assert statements[locks[1]].startswith("select memberships.id")  # the retry's own


async def test_a_review_that_hits_a_deadlock_is_retried_and_decided_once(
    plant: Plant, graphql: GraphQL, http: httpx.AsyncClient, app: FastAPI
) -> None:
    goals = await submit_all(graphql, "alice")
    submitted = [g for g in goals.values() if g["status"] == "SUBMITTED"][:3]
    decisions = [
        {"clientId": f"d{i}", "goalId": g["id"], "decision": "APPROVE"}
        for i, g in enumerate(submitted)
    ]
    events_before = len(await event_rows(app))
    async with plant("deadlock", when="NEW.status = 'APPROVED'"):
        body = await graphql(REVIEW, review_input(decisions), user="carol")

    out = reviewed(body)
    assert [r["__typename"] for r in out] == ["GoalReviewed"] * 3
    assert [r["goal"]["version"] for r in out] == [g["version"] + 1 for g in submitted]
    assert await retries(http) == {"40P01": 1.0}
    events = (await event_rows(app))[events_before:]
    assert sorted(r["kind"] for r in events) == ["APPROVED"] * 3


async def test_a_fault_that_outlasts_the_retries_is_internal_and_writes_nothing(
    plant: Plant, graphql: GraphQL, http: httpx.AsyncClient, app: FastAPI
) -> None:
    before = await goals_of(graphql)
    async with plant("serialization-failure", when="NEW.title = 'fault'", times=None):
        body = await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE))

    assert body["data"] is None and error_codes(body) == ["INTERNAL"], body
    assert body["errors"][0]["extensions"]["retryable"] is True
    assert await retries(http) == {"40001": float(RETRIES)}
    assert await goals_of(graphql) == before
    assert await event_rows(app) == []


async def test_a_statement_timeout_is_not_retried(
    plant: Plant, graphql: GraphQL, http: httpx.AsyncClient
) -> None:
    """A runaway statement would run away again: INTERNAL at once (57014), no retry."""
    before = await goals_of(graphql)
    async with plant("statement-timeout", when="NEW.title = 'fault'"):
        body = await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE))

    assert error_codes(body) == ["INTERNAL"], body
    assert await retries(http) == {}
    assert await goals_of(graphql) == before

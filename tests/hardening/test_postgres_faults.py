"""PostgreSQL faults in the middle of a batch: a killed connection, a serialization failure,
a deadlock, a statement timeout. With the server's own retries off (or used up: see
tests/scale/test_server_retry.py) each is INTERNAL (retryable), writes nothing, leaves the
server healthy, and the resent batch saves exactly once."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from goalpost.config import Settings
from goalpost.logging import logs_to
from tests.batch.helpers import BATCH, MY_GOALS, batch_input, goal_id, goals_of, results
from tests.batch.history_helpers import event_rows
from tests.conftest import ACME_ACTIVE, GraphQL, error_codes

FAULTS = {
    "killed-connection": "PERFORM pg_terminate_backend(pg_backend_pid());",
    "serialization-failure": "RAISE EXCEPTION 'injected' USING ERRCODE = 'serialization_failure';",
    "deadlock": "RAISE EXCEPTION 'injected' USING ERRCODE = 'deadlock_detected';",
    "statement-timeout": "PERFORM pg_sleep(30);",
}
# The statement timeout of the fault tests: the sleeping trigger outlasts it by far, and no
# ordinary statement reaches it, even on a loaded 2-core CI machine (300 ms did, once: a plain
# read, before any fault was planted, was cancelled).
FAULT_STATEMENT_TIMEOUT_MS = 1500

REMOVE_FAULT = [
    "DROP TRIGGER inject_fault ON goals",
    "DROP FUNCTION inject_fault()",
    "DROP SEQUENCE fault_once",
]


def plant_fault_once(kind: str) -> list[str]:
    """A trigger that injects the fault once, for the first row titled 'fault'."""
    return [
        "CREATE SEQUENCE fault_once",
        f"""CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.title = 'fault' AND nextval('fault_once') = 1 THEN {FAULTS[kind]} END IF;
              RETURN NEW;
            END $$""",
        """CREATE TRIGGER inject_fault BEFORE INSERT OR UPDATE ON goals
           FOR EACH ROW EXECUTE FUNCTION inject_fault()""",
    ]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A short statement timeout, so the sleeping trigger is cancelled by the server; no
    server-side retry, so the client sees the fault."""
    return settings.model_copy(
        update={"db_statement_timeout_ms": FAULT_STATEMENT_TIMEOUT_MS, "db_write_retries": 0}
    )


@pytest.fixture
async def fault(request: pytest.FixtureRequest, app: FastAPI, dialect: str) -> AsyncIterator[str]:
    if dialect != "postgresql":
        pytest.skip("PostgreSQL fault injection (SQLite has no backends to kill)")
    kind: str = request.param
    async with app.state.engine.begin() as conn:
        for statement in plant_fault_once(kind):
            await conn.execute(text(statement))
    yield kind
    async with app.state.engine.begin() as conn:
        for statement in REMOVE_FAULT:
            await conn.execute(text(statement))


def items() -> list[dict[str, Any]]:
    return [
        {"clientId": "before", "performance": {"title": "saved with the rest"}},
        {
            "clientId": "upd",
            "id": goal_id("alice", "alice-perf-1"),
            "expectedVersion": 1,
            "performance": {"title": "changed"},
        },
        {"clientId": "faulty", "performance": {"title": "fault"}},
    ]


@pytest.mark.parametrize("fault", list(FAULTS), indirect=True)
async def test_fault_mid_batch_is_internal_and_atomic(
    fault: str, graphql: GraphQL, http: httpx.AsyncClient, app: FastAPI
) -> None:
    before = await goals_of(graphql)

    body = await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE))

    assert body["data"] is None, body
    assert error_codes(body) == ["INTERNAL"]
    assert body["errors"][0]["extensions"]["retryable"] is True
    assert "injected" not in str(body) and "terminat" not in str(body)
    assert await goals_of(graphql) == before  # nothing partial
    assert await event_rows(app) == []  # not even history
    assert (await http.get("/readyz")).status_code == 200

    resent = results(await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE)))
    assert [r["__typename"] for r in resent] == ["GoalSaved"] * 3
    after = await goals_of(graphql)
    assert set(after) == set(before) | {"before", "faulty"}
    assert after["alice-perf-1"]["version"] == 2
    events = await event_rows(app)
    assert sorted(r["kind"] for r in events) == ["CREATED", "CREATED", "UPDATED"]


async def test_a_database_error_in_a_read_is_internal_and_logged_with_its_sqlstate(
    graphql: GraphQL, app: FastAPI, dialect: str
) -> None:
    """The client gets INTERNAL and nothing of the database; the log line says which error
    it was (SQLSTATE, or SQLite's error name), so a timeout tells apart from a lost table."""
    async with app.state.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE goals RENAME TO goals_away"))
    log = io.StringIO()
    try:
        with logs_to(log):
            body = await graphql(MY_GOALS, {"org": "acme", "period": ACME_ACTIVE})
    finally:
        async with app.state.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE goals_away RENAME TO goals"))

    assert error_codes(body) == ["INTERNAL"]
    assert "goals_away" not in str(body) and "goals" not in body["errors"][0]["message"]
    (line,) = [line for line in log.getvalue().splitlines() if "unhandled_error" in line]
    expected = "sqlstate=42P01" if dialect == "postgresql" else "sqlstate=SQLITE_ERROR"
    assert "error_type=ProgrammingError" in line or "error_type=OperationalError" in line, line
    assert expected in line, line

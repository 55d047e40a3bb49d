"""Real database faults: a bulk write refused for one item, and a commit that fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.batch.helpers import BATCH, batch_input, goal_id, goals_of, results
from tests.batch.history_helpers import event_count, event_rows
from tests.conftest import ACME_ACTIVE, GraphQL, error_codes

# Triggers that refuse one specific title, installed for real in the test database.
ROW_FAULT = {
    "sqlite": [
        """CREATE TRIGGER refuse_boom BEFORE INSERT ON goals WHEN NEW.title = 'boom'
           BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END""",
        """CREATE TRIGGER refuse_boom_update BEFORE UPDATE ON goals WHEN NEW.title = 'boom'
           BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN IF NEW.title = 'boom' THEN RAISE EXCEPTION 'refused by test trigger'; END IF;
           RETURN NEW; END $$""",
        """CREATE TRIGGER refuse_boom BEFORE INSERT OR UPDATE ON goals
           FOR EACH ROW EXECUTE FUNCTION refuse_boom()""",
    ],
}
ROW_FAULT_CLEANUP = {
    "sqlite": ["DROP TRIGGER refuse_boom", "DROP TRIGGER refuse_boom_update"],
    "postgresql": ["DROP TRIGGER refuse_boom ON goals", "DROP FUNCTION refuse_boom()"],
}
# Checks that only run at COMMIT: a deferred constraint trigger (PostgreSQL) and a deferred
# foreign key (SQLite), both fired by a goal titled 'fail-at-commit'.
COMMIT_FAULT = {
    "sqlite": [
        """CREATE TABLE commit_bomb (ref INTEGER REFERENCES no_such_parent (id)
           DEFERRABLE INITIALLY DEFERRED)""",
        "CREATE TABLE no_such_parent (id INTEGER PRIMARY KEY)",
        """CREATE TRIGGER arm_commit_bomb AFTER INSERT ON goals
           WHEN NEW.title = 'fail-at-commit'
           BEGIN INSERT INTO commit_bomb (ref) VALUES (42); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN IF NEW.title = 'fail-at-commit' THEN RAISE EXCEPTION 'deferred check failed';
           END IF; RETURN NULL; END $$""",
        """CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON goals
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_at_commit()""",
    ],
}
COMMIT_FAULT_CLEANUP = {
    "sqlite": [
        "DROP TRIGGER arm_commit_bomb",
        "DROP TABLE commit_bomb",
        "DROP TABLE no_such_parent",
    ],
    "postgresql": ["DROP TRIGGER fail_at_commit ON goals", "DROP FUNCTION fail_at_commit()"],
}


async def run_sql(app: FastAPI, statements: list[str]) -> None:
    async with app.state.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


@pytest.fixture
async def row_fault(app: FastAPI, dialect: str) -> AsyncIterator[None]:
    await run_sql(app, ROW_FAULT[dialect])
    yield
    await run_sql(app, ROW_FAULT_CLEANUP[dialect])


@pytest.fixture
async def commit_fault(app: FastAPI, dialect: str) -> AsyncIterator[None]:
    await run_sql(app, COMMIT_FAULT[dialect])
    yield
    await run_sql(app, COMMIT_FAULT_CLEANUP[dialect])


@pytest.mark.usefixtures("row_fault")
async def test_an_item_the_database_refuses_fails_alone(app: FastAPI, graphql: GraphQL) -> None:
    out = results(
        await graphql(
            BATCH,
            batch_input(
                [
                    {"clientId": "good-1", "performance": {"title": "fine"}},
                    {"clientId": "bad", "performance": {"title": "boom"}},
                    {
                        "clientId": "upd",
                        "id": goal_id("alice", "alice-perf-1"),
                        "performance": {"title": "edited"},
                    },
                    {
                        "clientId": "bad-upd",
                        "id": goal_id("alice", "alice-perf-2"),
                        "performance": {"title": "boom"},
                    },
                    {"clientId": "good-2", "coreValue": {"coreValuePlan": "fine too"}},
                ],
                period=ACME_ACTIVE,
            ),
        )
    )
    assert [r["__typename"] for r in out] == [
        "GoalSaved",
        "GoalSaveFailed",
        "GoalSaved",
        "GoalSaveFailed",
        "GoalSaved",
    ]
    assert out[1]["code"] == "SAVE_FAILED" and out[1]["retryable"] is True
    assert "test trigger" not in str(out)  # the database's own text stays on the server
    mine = await goals_of(graphql)
    assert {"good-1", "good-2"} <= set(mine) and "bad" not in mine
    assert mine["alice-perf-1"]["title"] == "edited"
    assert mine["alice-perf-2"]["title"] == "Ship the onboarding flow"
    # History: the three saved items only, written once (the bulk try was rolled back).
    saved = {mine["good-1"]["id"], mine["good-2"]["id"], goal_id("alice", "alice-perf-1")}
    assert sorted(str(r["goal_id"]) for r in await event_rows(app)) == sorted(saved)


@pytest.mark.usefixtures("commit_fault")
async def test_a_failed_commit_is_internal_and_writes_nothing(
    app: FastAPI, graphql: GraphQL
) -> None:
    before = await goals_of(graphql)
    body = await graphql(
        BATCH,
        batch_input(
            [
                {"clientId": "fine", "performance": {"title": "would save"}},
                {
                    "clientId": "upd",
                    "id": goal_id("alice", "alice-perf-1"),
                    "performance": {"title": "would change"},
                },
                {"clientId": "bomb", "performance": {"title": "fail-at-commit"}},
            ],
            period=ACME_ACTIVE,
        ),
    )

    assert body["data"] is None
    assert error_codes(body) == ["INTERNAL"]
    assert body["errors"][0]["extensions"]["retryable"] is True
    # The database refused the commit: the outcome is known, unlike a lost connection's.
    assert "nothing was saved" in body["errors"][0]["message"]
    text_of_body = str(body)
    assert "deferred" not in text_of_body and "FOREIGN KEY" not in text_of_body
    assert "Traceback" not in text_of_body and "INSERT" not in text_of_body
    assert await goals_of(graphql) == before
    assert await event_count(app) == 0  # the history went with the rolled-back batch

    again = results(
        await graphql(
            BATCH,
            batch_input(
                [
                    {"clientId": "fine", "performance": {"title": "now saves"}},
                ],
                period=ACME_ACTIVE,
            ),
        )
    )
    assert again[0]["__typename"] == "GoalSaved" and again[0]["created"] is True
    assert (await goals_of(graphql))["fine"]["title"] == "now saves"
    assert [r["kind"] for r in await event_rows(app)] == ["CREATED"]


@pytest.mark.usefixtures("row_fault")
async def test_all_or_nothing_holds_when_the_database_refuses_an_item(
    app: FastAPI, graphql: GraphQL
) -> None:
    before = await goals_of(graphql)
    out = results(
        await graphql(
            BATCH,
            batch_input(
                [
                    {"clientId": "good", "performance": {"title": "fine"}},
                    {
                        "clientId": "upd",
                        "id": goal_id("alice", "alice-perf-1"),
                        "performance": {"title": "edited"},
                    },
                    {"clientId": "bad", "performance": {"title": "boom"}},
                ],
                period=ACME_ACTIVE,
                errorPolicy="ALL_OR_NOTHING",
            ),
        )
    )
    assert [(r["__typename"], r["code"]) for r in out] == [
        ("GoalSaveFailed", "BATCH_REJECTED"),
        ("GoalSaveFailed", "BATCH_REJECTED"),
        ("GoalSaveFailed", "SAVE_FAILED"),
    ]
    assert await goals_of(graphql) == before
    assert await event_count(app) == 0

"""Real database faults during a review: one refused row fails alone (the savepoint
fallback), a failed commit writes nothing (INTERNAL); no history event survives either."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from tests.batch.helpers import goals_of
from tests.batch.history_helpers import event_count
from tests.batch.test_database_faults import run_sql
from tests.conftest import GraphQL, error_codes
from tests.review.helpers import REVIEW, review_input, reviewed, submit_all

# Triggers that refuse a review whose comment is 'boom' (at once) or 'fail-at-commit'.
FAULTS = {
    "sqlite": [
        """CREATE TRIGGER refuse_review BEFORE UPDATE ON goals WHEN NEW.review_comment = 'boom'
           BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END""",
        """CREATE TABLE no_such_parent (id INTEGER PRIMARY KEY)""",
        """CREATE TABLE commit_bomb (ref INTEGER REFERENCES no_such_parent (id)
           DEFERRABLE INITIALLY DEFERRED)""",
        """CREATE TRIGGER arm_commit_bomb AFTER UPDATE ON goals
           WHEN NEW.review_comment = 'fail-at-commit'
           BEGIN INSERT INTO commit_bomb (ref) VALUES (42); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION refuse_review() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN IF NEW.review_comment = 'boom' THEN RAISE EXCEPTION 'refused by test trigger';
           END IF; RETURN NEW; END $$""",
        """CREATE TRIGGER refuse_review BEFORE UPDATE ON goals
           FOR EACH ROW EXECUTE FUNCTION refuse_review()""",
        """CREATE FUNCTION review_fails_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN IF NEW.review_comment = 'fail-at-commit' THEN
             RAISE EXCEPTION 'deferred check failed'; END IF; RETURN NULL; END $$""",
        """CREATE CONSTRAINT TRIGGER review_fails_at_commit AFTER UPDATE ON goals
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION review_fails_at_commit()""",
    ],
}
CLEANUP = {
    "sqlite": [
        "DROP TRIGGER refuse_review",
        "DROP TRIGGER arm_commit_bomb",
        "DROP TABLE commit_bomb",
        "DROP TABLE no_such_parent",
    ],
    "postgresql": [
        "DROP TRIGGER refuse_review ON goals",
        "DROP FUNCTION refuse_review()",
        "DROP TRIGGER review_fails_at_commit ON goals",
        "DROP FUNCTION review_fails_at_commit()",
    ],
}


@pytest.fixture
async def faults(app: FastAPI, dialect: str) -> AsyncIterator[None]:
    await run_sql(app, FAULTS[dialect])
    yield
    await run_sql(app, CLEANUP[dialect])


@pytest.mark.usefixtures("faults")
async def test_a_refused_row_fails_alone_and_a_failed_commit_writes_nothing(
    app: FastAPI, graphql: GraphQL
) -> None:
    goals = await submit_all(graphql, "alice")
    a, b, c = goals["alice-perf-1"], goals["alice-perf-2"], goals["alice-core-1"]
    items = [
        {"clientId": "a", "goalId": a["id"], "decision": "APPROVE"},
        {"clientId": "b", "goalId": b["id"], "decision": "RETURN", "comment": "boom"},
        {"clientId": "c", "goalId": c["id"], "decision": "RETURN", "comment": "fine"},
    ]
    before = await event_count(app)
    out = reviewed(await graphql(REVIEW, review_input(items), user="carol"))
    assert [(r["__typename"], r.get("code"), r.get("retryable")) for r in out] == [
        ("GoalReviewed", None, None),
        ("GoalSaveFailed", "SAVE_FAILED", True),
        ("GoalReviewed", None, None),
    ]
    assert await event_count(app) == before + 2
    now = await goals_of(graphql)
    statuses = [now[k]["status"] for k in ("alice-perf-1", "alice-perf-2", "alice-core-1")]
    assert statuses == ["APPROVED", "SUBMITTED", "REJECTED"]

    # The same refusal under ALL_OR_NOTHING: nothing at all.
    retry = [{"clientId": "b", "goalId": b["id"], "decision": "RETURN", "comment": "boom"}]
    extra = {"clientId": "d", "goalId": goals["alice-comp-1"]["id"], "decision": "APPROVE"}
    out = reviewed(
        await graphql(
            REVIEW, review_input([extra, *retry], errorPolicy="ALL_OR_NOTHING"), user="carol"
        )
    )
    assert [r.get("code") for r in out] == ["BATCH_REJECTED", "SAVE_FAILED"]
    assert (await goals_of(graphql))["alice-comp-1"]["status"] == "SUBMITTED"

    # A commit that fails: INTERNAL, and neither the goals nor their events were written.
    failing = [
        {"clientId": "d", "goalId": goals["alice-comp-1"]["id"], "decision": "APPROVE"},
        {"clientId": "e", "goalId": b["id"], "decision": "RETURN", "comment": "fail-at-commit"},
    ]
    body = await graphql(REVIEW, review_input(failing), user="carol")
    assert error_codes(body) == ["INTERNAL"]
    assert await event_count(app) == before + 2
    now = await goals_of(graphql)
    assert (now["alice-comp-1"]["status"], now["alice-perf-2"]["status"]) == (
        "SUBMITTED",
        "SUBMITTED",
    )

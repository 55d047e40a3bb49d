"""The goal history (docs/history.md): one event per change, in the change's transaction, shown as
`Goal.history` without N+1, and enough to rebuild a goal from its creation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from goalpost.models import Goal
from goalpost.services.demo import demo_id, demo_rows
from goalpost.testing import StatementCounter
from tests.batch.helpers import BATCH, batch_input, competency_id, goal_id, results
from tests.batch.history_helpers import event_count, event_rows, goals_with_history
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE, GraphQL

ALICE = str(demo_id("user", "alice"))
SUBMIT = """
mutation ($period: ID!) {
  submitGoals(orgSlug: "acme", periodId: $period) { submitted problems { code message } }
}
"""


async def save(graphql: GraphQL, items: list[dict[str, Any]], **extra: Any) -> list[dict[str, Any]]:
    headers = extra.pop("headers", None)
    return results(
        await graphql(BATCH, batch_input(items, period=ACME_ACTIVE, **extra), headers=headers)
    )


async def test_one_event_per_item_saved_with_a_change_or_deleted(
    app: FastAPI, graphql: GraphQL
) -> None:
    out = await save(
        graphql,
        [
            {"clientId": "new", "performance": {"title": "Grow ARR", "weight": 40}},
            {
                "clientId": "changed",
                "id": goal_id("alice", "alice-perf-1"),
                "expectedVersion": 1,
                "performance": {"title": "Grow ARR by 25%", "specificGoal": None},
            },
            {  # the same title again: a no-op, saved without a write
                "clientId": "same",
                "id": goal_id("alice", "alice-perf-2"),
                "performance": {"title": "Ship the onboarding flow"},
            },
            {"clientId": "gone", "id": goal_id("alice", "alice-core-1"), "delete": True},
            {"clientId": "too-long", "performance": {"title": "x" * 201}},
            {"clientId": "bobs", "id": goal_id("bob", "bob-perf-1"), "delete": True},
            {
                "clientId": "locked",
                "id": goal_id("alice", "alice-perf-submitted"),
                "performance": {"title": "no"},
            },
            {
                "clientId": "stale",
                "id": goal_id("alice", "alice-comp-1"),
                "expectedVersion": 7,
                "competency": {"actionPlan": "late"},
            },
        ],
        headers={"x-request-id": "history-test-1"},
    )
    assert [r["__typename"] for r in out] == [
        "GoalSaved",
        "GoalSaved",
        "GoalSaved",
        "GoalDeleted",
        "GoalValidationFailed",
        "GoalNotFound",
        "GoalNotEditable",
        "GoalVersionConflict",
    ]
    new_id = out[0]["goal"]["id"]

    rows = await event_rows(app)
    assert [(str(r["goal_id"]), r["kind"], r["version"]) for r in rows] == [
        (new_id, "CREATED", 1),
        (goal_id("alice", "alice-perf-1"), "UPDATED", 2),
        (goal_id("alice", "alice-core-1"), "DELETED", 2),
    ]
    assert {str(r["actor_id"]) for r in rows} == {ALICE}
    assert {r["request_id"] for r in rows} == {"history-test-1"}
    assert rows[2]["changes"] == [  # a deletion clears every field it had
        {"field": "weight", "before": 0.0, "after": None},
        {"field": "status", "before": "DRAFT", "after": None},
        {"field": "core_value_plan", "before": "Mentor a new hire", "after": None},
    ]

    mine = await goals_with_history(graphql)
    (created,) = mine["new"]["history"]
    assert created["kind"] == "CREATED" and created["version"] == 1
    assert created["goalId"] == new_id
    assert created["actor"] == {"id": ALICE, "name": "Alice Anders"}
    assert created["requestId"] == "history-test-1" and created["comment"] is None
    assert created["changes"] == [
        {"field": "weight", "before": None, "after": 40.0},
        {"field": "status", "before": None, "after": "DRAFT"},
        {"field": "title", "before": None, "after": "Grow ARR"},
    ]
    seeded, updated = mine["alice-perf-1"]["history"]  # the demo seed created it
    assert (seeded["kind"], seeded["requestId"]) == ("CREATED", "seed-demo")
    assert (updated["kind"], updated["version"]) == ("UPDATED", 2)
    assert updated["changes"] == [  # GraphQL's field names
        {"field": "title", "before": "Grow ARR by 20%", "after": "Grow ARR by 25%"},
        {"field": "specificGoal", "before": "Close three enterprise deals", "after": None},
    ]
    for untouched in ("alice-perf-2", "alice-perf-submitted", "alice-comp-1"):
        assert {e["requestId"] for e in mine[untouched]["history"]} == {"seed-demo"}


async def test_batch_results_show_the_history_too(graphql: GraphQL) -> None:
    body = await graphql(
        """mutation ($period: ID!) { batchSaveGoals(input: {orgSlug: "acme", periodId: $period,
             items: [{clientId: "h", performance: {title: "t"}}]}) {
             results { ... on GoalSaved { goal { history { kind version } } } } } }""",
        {"period": ACME_ACTIVE},
    )
    assert body["data"]["batchSaveGoals"]["results"] == [
        {"goal": {"history": [{"kind": "CREATED", "version": 1}]}}
    ]


async def test_a_rejected_all_or_nothing_batch_writes_no_event(
    app: FastAPI, graphql: GraphQL
) -> None:
    out = await save(
        graphql,
        [
            {"clientId": "fine", "performance": {"title": "would save"}},
            {
                "clientId": "upd",
                "id": goal_id("alice", "alice-perf-1"),
                "performance": {"title": "x"},
            },
            {"clientId": "del", "id": goal_id("alice", "alice-perf-2"), "delete": True},
            {"clientId": "bad", "performance": {"title": "x" * 201}},
        ],
        errorPolicy="ALL_OR_NOTHING",
    )
    assert [r["code"] for r in out] == ["BATCH_REJECTED"] * 3 + ["VALIDATION_FAILED"]
    assert await event_count(app) == 0


async def test_submit_writes_one_submitted_event_per_goal_in_one_insert(
    app: FastAPI, graphql: GraphQL, count_statements: Callable[[], StatementCounter]
) -> None:
    complete = {"goalType": "QUANTITATIVE", "specificGoal": "s", "achievementCriteria": "a"}
    complete["meansMethods"] = "m"
    await save(
        graphql,
        [
            {"clientId": c, "id": goal_id("alice", c), "performance": {"title": "t", **complete}}
            for c in ("alice-perf-1", "alice-perf-2", "alice-perf-rejected")
        ],
    )
    before = await event_count(app)
    with count_statements() as counter:
        body = await graphql(SUBMIT, {"period": ACME_ACTIVE})
    assert body["data"]["submitGoals"] == {"submitted": True, "problems": []}, body
    inserts = [s for s in counter.statements if "INSERT INTO goal_events" in s]
    assert len(inserts) == 1

    submitted = (await event_rows(app))[before:]
    editable = (
        "alice-perf-1",
        "alice-perf-2",
        "alice-comp-1",
        "alice-core-1",
        "alice-perf-rejected",
    )
    assert sorted(str(r["goal_id"]) for r in submitted) == sorted(
        goal_id("alice", c) for c in editable
    )
    mine = await goals_with_history(graphql)
    for client_id in editable:
        last = mine[client_id]["history"][-1]
        assert last["kind"] == "SUBMITTED"
        assert last["version"] == mine[client_id]["version"]
        assert last["changes"] == [{"field": "status", "before": "DRAFT", "after": "SUBMITTED"}]
    # It was submitted already: its history is the demo seed's.
    assert {e["requestId"] for e in mine["alice-perf-submitted"]["history"]} == {"seed-demo"}


def replay(events: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """A goal's fields and version rebuilt from nothing by applying its events in order."""
    fields: dict[str, Any] = {}
    version = 0
    for event in events:
        assert event["version"] == version + 1  # each change is the next version
        version = event["version"]
        for change in event["changes"]:
            assert fields.get(change["field"]) == change["before"]
            fields[change["field"]] = change["after"]
    return fields, version


def assert_replay_rebuilds(goal: dict[str, Any]) -> None:
    """The goal's history, replayed from its CREATED event, gives its tracked fields (every
    field it shows) and its version."""
    fields, version = replay(goal["history"])
    assert goal["history"][0]["kind"] == "CREATED", goal["clientId"]
    assert version == goal["version"], goal["clientId"]
    for name, value in fields.items():
        assert goal[name] == value, (goal["clientId"], name)
    shown = {k for k, v in goal.items() if v not in (None, [], "") and k != "history"}
    untracked = {"__typename", "id", "clientId", "category", "version", "createdAt", "updatedAt"}
    assert shown - untracked - {"review"} <= set(fields), goal["clientId"]


async def test_replaying_a_seeded_goals_events_rebuilds_it(graphql: GraphQL) -> None:
    """The demo goals have a history too (docs/demo.md, docs/history.md): created by their
    owner, submitted, returned by the supervisor with the comment the goal shows, all in the request
    `seed-demo`."""
    seeded = {v["id"]: v for model, v in demo_rows() if model is Goal}
    found: dict[str, dict[str, Any]] = {}
    for owner, org, period in (
        ("alice", "acme", ACME_ACTIVE),
        ("bob", "acme", ACME_ACTIVE),
        ("carol", "globex", GLOBEX_ACTIVE),
        ("dave", "globex", GLOBEX_ACTIVE),
    ):
        found |= {
            g["id"]: g for g in (await goals_with_history(graphql, owner, org, period)).values()
        }
    assert set(found) == {str(i) for i in seeded}
    for goal in found.values():
        assert_replay_rebuilds(goal)
        assert {e["requestId"] for e in goal["history"]} == {"seed-demo"}
        owner = seeded[uuid.UUID(goal["id"])]["owner_id"]
        assert goal["history"][0]["actor"]["id"] == str(owner)

    kinds = {g["clientId"]: [e["kind"] for e in g["history"]] for g in found.values()}
    assert kinds["alice-perf-1"] == ["CREATED"]
    assert kinds["alice-perf-submitted"] == ["CREATED", "SUBMITTED"]
    assert kinds["alice-perf-rejected"] == ["CREATED", "SUBMITTED", "RETURNED"]
    rejected = next(g for g in found.values() if g["clientId"] == "alice-perf-rejected")
    returned = rejected["history"][-1]
    assert returned["actor"]["name"] == "Carol Chen"
    assert returned["comment"] == rejected["review"]["comment"]
    assert rejected["review"]["decision"] == "RETURN"


async def test_replaying_a_goals_events_rebuilds_it(graphql: GraphQL) -> None:
    comm, own = competency_id("acme", "Communication"), competency_id("acme", "Ownership")
    first = await save(
        graphql,
        [
            {
                "clientId": "p",
                "performance": {"title": "A", "weight": 10, "goalType": "QUALITATIVE"},
            },
            {"clientId": "c", "competency": {"competencyIds": [comm], "actionPlan": "plan"}},
            {"clientId": "v", "coreValue": {"coreValuePlan": "value", "weight": 5}},
        ],
    )
    ids = {r["clientId"]: r["goal"]["id"] for r in first}
    edits: list[list[dict[str, Any]]] = [
        [
            {"clientId": "p", "id": ids["p"], "performance": {"title": "B", "weight": 12.5}},
            {
                "clientId": "c",
                "id": ids["c"],
                "competency": {
                    "competencyIds": [comm, own],
                    "selectedIdealActions": [
                        {"competencyId": comm, "actions": ["Writes clear summaries"]}
                    ],
                },
            },
        ],
        [
            {"clientId": "p", "id": ids["p"], "performance": {"goalType": None, "weight": None}},
            {"clientId": "v", "id": ids["v"], "coreValue": {"coreValuePlan": None}},
        ],
        [
            {"clientId": "p", "id": ids["p"], "performance": {"specificGoal": "s", "title": "C"}},
            {"clientId": "c", "id": ids["c"], "competency": {"actionPlan": "plan 2"}},
        ],
    ]
    for batch in edits:
        assert {r["__typename"] for r in await save(graphql, batch)} == {"GoalSaved"}

    mine = await goals_with_history(graphql)
    for client_id in ("p", "c", "v"):
        assert_replay_rebuilds(mine[client_id])


async def test_history_of_50_goals_costs_the_statements_of_5(
    graphql: GraphQL, count_statements: Callable[[], StatementCounter]
) -> None:
    measured = {}
    for total in (5, 50):
        have = len(await goals_with_history(graphql))
        await save(
            graphql,
            [
                {"clientId": f"n{total}-{i}", "performance": {"title": "t"}}
                for i in range(total - have)
            ],
        )
        with count_statements() as counter:
            mine = await goals_with_history(graphql)
        assert len(mine) == max(total, have)
        measured[total] = counter.count
    assert measured[5] == measured[50], measured

"""Reviews in the goal history (docs/history.md): one APPROVED / RETURNED event per decided item,
with the comment and the supervisor as actor; none for failed items or a refused batch; a
reviewed goal's events still replay to the goal."""

from __future__ import annotations

from fastapi import FastAPI

from tests.batch.helpers import BATCH, batch_input, results
from tests.batch.history_helpers import event_count, goals_with_history
from tests.batch.test_history import replay
from tests.conftest import ACME_ACTIVE, GraphQL
from tests.review.helpers import REVIEW, SUBMIT, review_input, reviewed, submit_all


async def test_one_event_per_decided_item_and_replay_still_rebuilds_the_goal(
    app: FastAPI, graphql: GraphQL
) -> None:
    goals = await submit_all(graphql, "alice", extra=3)
    x0, x1, x2 = goals["alice-x0"], goals["alice-x1"], goals["alice-x2"]

    # A refused ALL_OR_NOTHING batch writes no event.
    before = await event_count(app)
    refused = [
        {"clientId": "a", "goalId": x0["id"], "decision": "APPROVE"},
        {"clientId": "b", "goalId": x2["id"], "decision": "RETURN"},
    ]
    out = reviewed(
        await graphql(REVIEW, review_input(refused, errorPolicy="ALL_OR_NOTHING"), user="carol")
    )
    assert [r.get("code") for r in out] == ["BATCH_REJECTED", "VALIDATION_FAILED"]
    assert await event_count(app) == before

    items = [
        {"clientId": "a", "goalId": x0["id"], "decision": "APPROVE"},
        {"clientId": "r", "goalId": x1["id"], "decision": "RETURN", "comment": "Say by when"},
        {"clientId": "fail", "goalId": x2["id"], "decision": "RETURN"},
        {
            "clientId": "stale",
            "goalId": goals["alice-perf-1"]["id"],
            "expectedVersion": 1,
            "decision": "APPROVE",
        },
    ]
    out = reviewed(await graphql(REVIEW, review_input(items), user="carol"))
    assert [r["__typename"] for r in out] == [
        "GoalReviewed",
        "GoalReviewed",
        "GoalValidationFailed",
        "GoalVersionConflict",
    ]
    assert await event_count(app) == before + 2

    # alice edits the returned goal (a draft again) and hands everything in once more.
    edit = batch_input(
        [{"clientId": "alice-x1", "id": x1["id"], "performance": {"title": "by June"}}],
        period=ACME_ACTIVE,
    )
    assert results(await graphql(BATCH, edit))[0]["goal"]["status"] == "DRAFT"
    assert (await graphql(SUBMIT, {"org": "acme", "period": ACME_ACTIVE}))["data"]["submitGoals"][
        "submitted"
    ]

    mine = await goals_with_history(graphql)
    approved, returned = mine["alice-x0"], mine["alice-x1"]
    assert [e["kind"] for e in approved["history"]] == ["CREATED", "SUBMITTED", "APPROVED"]
    assert [e["kind"] for e in returned["history"]] == [
        "CREATED",
        "SUBMITTED",
        "RETURNED",
        "UPDATED",
        "SUBMITTED",
    ]
    event = returned["history"][2]
    assert event["comment"] == "Say by when" and event["actor"]["name"] == "Carol Chen"
    assert event["changes"] == [{"field": "status", "before": "SUBMITTED", "after": "REJECTED"}]
    assert approved["history"][2]["comment"] is None
    for goal in (approved, returned, mine["alice-x2"]):
        fields, version = replay(goal["history"])
        assert version == goal["version"]
        assert fields["status"] == goal["status"]
        assert fields["title"] == goal["title"]

"""POST /org/{slug}/goals/batch-review: the same guard and use case as reviewGoals."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.batch.helpers import goal_id, goals_of
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE, GraphQL
from tests.review.helpers import submit_all

URL = "/org/{}/goals/batch-review"


async def test_rest_review_answers_reviewed_and_failed(
    http: httpx.AsyncClient, token: Callable[[str], str], graphql: GraphQL
) -> None:
    alice = await submit_all(graphql, "alice")
    perf1, perf2 = alice["alice-perf-1"], alice["alice-perf-2"]
    items = [
        {
            "client_id": "a",
            "goal_id": perf1["id"],
            "expected_version": perf1["version"],
            "decision": "APPROVE",
        },
        {
            "client_id": "r",
            "goal_id": perf2["id"],
            "decision": "RETURN",
            "comment": "Numbers, please",
        },
        {"client_id": "nc", "goal_id": alice["alice-core-1"]["id"], "decision": "RETURN"},
        {"client_id": "own", "goal_id": goal_id("carol", "carol-perf-1"), "decision": "APPROVE"},
        {
            "client_id": "stale",
            "goal_id": alice["alice-comp-1"]["id"],
            "expected_version": 1,
            "decision": "APPROVE",
        },
    ]
    response = await http.post(
        URL.format("acme"),
        json={"period_id": ACME_ACTIVE, "items": items},
        headers={"authorization": f"Bearer {token('carol')}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reviewed"] == [
        {
            "client_id": "a",
            "goal_id": perf1["id"],
            "status": "APPROVED",
            "version": perf1["version"] + 1,
        },
        {
            "client_id": "r",
            "goal_id": perf2["id"],
            "status": "REJECTED",
            "version": perf2["version"] + 1,
        },
    ]
    assert [(f["client_id"], f["code"]) for f in body["failed"]] == [
        ("nc", "VALIDATION_FAILED"),
        ("own", "NOT_FOUND"),
        ("stale", "VERSION_CONFLICT"),
    ]
    assert body["failed"][0]["field_errors"][0]["field"] == "comment"
    goals = await goals_of(graphql, "alice")
    assert goals["alice-perf-2"]["status"] == "REJECTED"

    # The same goal again: no longer SUBMITTED.
    again = await http.post(
        URL.format("acme"),
        json={
            "period_id": ACME_ACTIVE,
            "items": [items[0] | {"client_id": "b", "expected_version": None}],
        },
        headers={"authorization": f"Bearer {token('carol')}"},
    )
    assert [(f["client_id"], f["code"]) for f in again.json()["failed"]] == [
        ("b", "NOT_REVIEWABLE")
    ]


async def test_rest_review_errors(http: httpx.AsyncClient, token: Callable[[str], str]) -> None:
    carol = {"authorization": f"Bearer {token('carol')}"}
    item = {
        "client_id": "a",
        "goal_id": goal_id("alice", "alice-perf-submitted"),
        "decision": "APPROVE",
    }
    body = {"period_id": ACME_ACTIVE, "items": [item]}

    no_token = await http.post(URL.format("acme"), json=body)
    assert no_token.status_code == 401 and no_token.json()["code"] == "UNAUTHENTICATED"

    bob = {"authorization": f"Bearer {token('bob')}"}
    unknown = await http.post(URL.format("nope"), json=body, headers=bob)
    foreign = await http.post(
        URL.format("globex"), json={**body, "period_id": GLOBEX_ACTIVE}, headers=bob
    )
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.content == foreign.content

    camel = await http.post(
        URL.format("acme"),
        json={"period_id": ACME_ACTIVE, "items": [{**item, "goalId": "x"}]},
        headers=carol,
    )
    assert camel.status_code == 422
    extra = await http.post(URL.format("acme"), json={**body, "errorPolicy": "x"}, headers=carol)
    assert extra.status_code == 422
    bad_decision = await http.post(
        URL.format("acme"),
        json={"period_id": ACME_ACTIVE, "items": [{**item, "decision": "MAYBE"}]},
        headers=carol,
    )
    assert bad_decision.status_code == 422

    too_many = await http.post(
        URL.format("acme"),
        headers=carol,
        json={
            "period_id": ACME_ACTIVE,
            "items": [{**item, "client_id": f"g{i}"} for i in range(201)],
        },
    )
    assert too_many.status_code == 413 and too_many.json()["code"] == "BATCH_TOO_LARGE"

    # Nothing of the above changed the goal.
    ok = await http.post(URL.format("acme"), json=body, headers=carol)
    assert [r["status"] for r in ok.json()["reviewed"]] == ["APPROVED"]


async def test_rest_review_is_documented_in_openapi(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    operation = spec["paths"]["/org/{org_slug}/goals/batch-review"]["post"]
    assert "GoalBatchReviewRequest" in str(operation["requestBody"])
    assert "GoalBatchReviewResponse" in str(operation["responses"]["200"])

"""POST /org/{slug}/goals/batch-save: the same guard and service behind REST."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.batch.helpers import goal_id
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE

URL = "/org/{}/goals/batch-save"


def mixed_goals() -> list[dict[str, object]]:
    return [
        {"client_id": "tmp-1", "performance": {"title": "Grow ARR", "weight": 40}},
        {"client_id": "tmp-2", "core_value": {"core_value_plan": "Pair weekly"}},
        {
            "client_id": "p1",
            "id": goal_id("alice", "alice-perf-1"),
            "expected_version": 1,
            "performance": {"title": "Grow ARR by 25%"},
        },
        {"client_id": "p2", "id": goal_id("alice", "alice-perf-2"), "delete": True},
        {"client_id": "tmp-3", "performance": {"title": "x" * 201}},
        {"client_id": "bobs", "id": goal_id("bob", "bob-perf-1"), "performance": {"title": "no"}},
    ]


async def test_rest_twin_reports_the_mixed_batch_as_saved_and_failed(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    response = await http.post(
        URL.format("acme"),
        json={"period_id": ACME_ACTIVE, "goals": mixed_goals()},
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    assert response.status_code == 200
    body = response.json()
    saved = [(s["client_id"], s["created"], s["deleted"], s["version"]) for s in body["saved"]]
    assert saved == [
        ("tmp-1", True, False, 1),
        ("tmp-2", True, False, 1),
        ("p1", False, False, 2),
        ("p2", False, True, None),
    ]
    assert body["saved"][3]["id"] == goal_id("alice", "alice-perf-2")
    failed = [(f["client_id"], f["code"]) for f in body["failed"]]
    assert failed == [("tmp-3", "VALIDATION_FAILED"), ("bobs", "NOT_FOUND")]
    assert body["failed"][0]["field_errors"][0]["field"] == "performance.title"
    assert body["weight_totals"]["performance"] == 40 + 40 + 20 + 10  # new, edited, two more


async def test_rest_twin_errors(http: httpx.AsyncClient, token: Callable[[str], str]) -> None:
    alice = {"authorization": f"Bearer {token('alice')}"}
    body = {"period_id": ACME_ACTIVE, "goals": [{"client_id": "a", "performance": {}}]}

    no_token = await http.post(URL.format("acme"), json=body)
    assert no_token.status_code == 401 and no_token.json()["code"] == "UNAUTHENTICATED"

    unknown = await http.post(URL.format("nope"), json=body, headers=alice)
    foreign = await http.post(
        URL.format("globex"), json={**body, "period_id": GLOBEX_ACTIVE}, headers=alice
    )
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.content == foreign.content

    wrong_shape = await http.post(URL.format("acme"), json={"goals": "nope"}, headers=alice)
    assert wrong_shape.status_code == 422

    too_many = await http.post(
        URL.format("acme"),
        headers=alice,
        json={"period_id": ACME_ACTIVE, "goals": [{"client_id": f"g{i}"} for i in range(201)]},
    )
    assert too_many.status_code == 413 and too_many.json()["code"] == "BATCH_TOO_LARGE"


async def test_rest_twin_is_documented_in_openapi(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    operation = spec["paths"]["/org/{org_slug}/goals/batch-save"]["post"]
    assert "GoalBatchSaveRequest" in str(operation["requestBody"])
    assert "GoalBatchSaveResponse" in str(operation["responses"]["200"])
    assert {"GoalBatchItem", "GoalBatchSaveRequest", "GoalBatchSaveResponse"} <= set(
        spec["components"]["schemas"]
    )

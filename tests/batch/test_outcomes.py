"""The outcomes of an item are declared once, in the core (services/batch/results.py); the
GraphQL unions, the GoalSaveProblem interface and REST's saved/failed split follow from it."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from goalpost.services import batch
from tests.batch.helpers import goal_id
from tests.conftest import ACME_ACTIVE, GraphQL

POSSIBLE_TYPES = "query T($name: String!) { __type(name: $name) { possibleTypes { name } } }"


async def members(graphql: GraphQL, name: str) -> list[str]:
    body = await graphql(POSSIBLE_TYPES, {"name": name})
    return [t["name"] for t in body["data"]["__type"]["possibleTypes"]]


async def test_the_served_unions_are_the_cores_outcomes(graphql: GraphQL) -> None:
    save = [o.__name__ for o in batch.SAVE_OUTCOMES]
    review = [o.__name__ for o in batch.REVIEW_OUTCOMES]
    assert sorted(await members(graphql, "GoalSaveResult")) == sorted(save)
    assert sorted(await members(graphql, "GoalReviewResult")) == sorted(review)
    problems = {o.__name__ for o in (*batch.SAVE_OUTCOMES, *batch.REVIEW_OUTCOMES)}
    problems -= {
        o.__name__
        for o in (*batch.SAVE_OUTCOMES, *batch.REVIEW_OUTCOMES)
        if issubclass(o, batch.Success)
    }
    assert sorted(await members(graphql, "GoalSaveProblem")) == sorted(problems)
    successes = [o.__name__ for o in batch.SAVE_OUTCOMES if issubclass(o, batch.Success)]
    assert sorted(await members(graphql, "GoalSaveSuccess")) == sorted(successes)


def every_save_outcome() -> list[dict[str, object]]:
    """One item for each outcome a SAVE_VALID batch can have without a database fault."""
    return [
        {"client_id": "new", "performance": {"title": "Grow ARR"}},
        {"client_id": "p1", "id": goal_id("alice", "alice-perf-1"), "performance": {"weight": 5}},
        {"client_id": "p2", "id": goal_id("alice", "alice-perf-2"), "delete": True},
        {"client_id": "bad", "performance": {"title": "x" * 201}},
        {"client_id": "new", "performance": {"title": "again"}},
        {
            "client_id": "stale",
            "id": goal_id("alice", "alice-comp-1"),
            "expected_version": 9,
            "competency": {"action_plan": "x"},
        },
        {"client_id": "bobs", "id": goal_id("bob", "bob-perf-1"), "delete": True},
        {"client_id": "done", "id": goal_id("alice", "alice-perf-submitted"), "delete": True},
    ]


async def test_rest_answers_every_item_once_saved_or_failed(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    """REST splits by the core's own kinds: no outcome can fall between saved and failed."""
    goals = every_save_outcome()
    response = await http.post(
        "/org/acme/goals/batch-save",
        json={"period_id": ACME_ACTIVE, "goals": goals},
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["client_id"] for s in body["saved"]] == ["new", "p1", "p2"]
    failed = [(f["client_id"], f["code"]) for f in body["failed"]]
    assert failed == [
        ("bad", "VALIDATION_FAILED"),
        ("new", "DUPLICATE_IN_BATCH"),
        ("stale", "VERSION_CONFLICT"),
        ("bobs", "NOT_FOUND"),
        ("done", "NOT_EDITABLE"),
    ]
    assert len(body["saved"]) + len(body["failed"]) == len(goals)

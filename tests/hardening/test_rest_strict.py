"""The REST twin refuses keys it does not know, and asks who is calling before anything else.

Unknown keys used to be dropped: `expectedVersion` (for `expected_version`) skipped the version
check and saved over a newer version, and `coreValuePlan` saved nothing yet said "saved".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from goalpost.config import Settings
from goalpost.services.auth import issue_dev_token
from goalpost.services.demo import subject_of
from goalpost.testing import StatementCounter, demo_token
from tests.batch.helpers import BATCH, batch_input, goal_id, goals_of, results
from tests.conftest import ACME_ACTIVE, GraphQL
from tests.review.helpers import submit_all

URL = "/org/acme/goals/batch-save"
PERF = goal_id("alice", "alice-perf-1")
CORE = goal_id("alice", "alice-core-1")


def alice(token: Callable[[str], str]) -> dict[str, str]:
    return {"authorization": f"Bearer {token('alice')}"}


def refused_keys(response: httpx.Response) -> list[list[Any]]:
    """The `loc` of every unknown key a 422 names."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert {d["type"] for d in detail} == {"extra_forbidden"}
    return [d["loc"] for d in detail]


async def test_camel_case_expected_version_is_refused_not_a_lost_update(
    http: httpx.AsyncClient, graphql: GraphQL, token: Callable[[str], str]
) -> None:
    # Someone else's edit: version 1 → 2.
    newer = {"client_id": "mine", "id": CORE, "expected_version": 1}
    first = await http.post(
        URL,
        json={"period_id": ACME_ACTIVE, "goals": [{**newer, "core_value": {"weight": 30}}]},
        headers=alice(token),
    )
    assert first.json()["saved"][0]["version"] == 2

    stale = {
        "client_id": "c",
        "id": CORE,
        "expectedVersion": 1,
        "core_value": {"core_value_plan": "overwrites the newer version"},
    }
    response = await http.post(
        URL, json={"period_id": ACME_ACTIVE, "goals": [stale]}, headers=alice(token)
    )
    assert refused_keys(response) == [["body", "goals", 0, "expectedVersion"]]
    goal = (await goals_of(graphql))["alice-core-1"]
    assert goal["version"] == 2
    assert goal["coreValuePlan"] != "overwrites the newer version"


async def test_camel_case_patch_key_is_refused_not_saved_as_nothing(
    http: httpx.AsyncClient, graphql: GraphQL, token: Callable[[str], str]
) -> None:
    before = await goals_of(graphql)
    response = await http.post(
        URL,
        json={
            "period_id": ACME_ACTIVE,
            "goals": [{"client_id": "new", "core_value": {"coreValuePlan": "x"}}],
        },
        headers=alice(token),
    )
    assert refused_keys(response) == [["body", "goals", 0, "core_value", "coreValuePlan"]]
    assert await goals_of(graphql) == before


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"errorPolicy": "ALL_OR_NOTHING"}, ["body", "errorPolicy"]),
        ({"goals": [{"client_id": "a", "clientId": "a"}]}, ["body", "goals", 0, "clientId"]),
        (
            {"goals": [{"client_id": "a", "performance": {"goalType": "KPI"}}]},
            ["body", "goals", 0, "performance", "goalType"],
        ),
        (
            {"goals": [{"client_id": "a", "competency": {"actionPlan": "x"}}]},
            ["body", "goals", 0, "competency", "actionPlan"],
        ),
        (
            {"goals": [{"client_id": "a", "id": PERF, "performance": {"weight": 5, "colour": 1}}]},
            ["body", "goals", 0, "performance", "colour"],
        ),
    ],
)
async def test_unknown_keys_at_every_level_are_a_422_naming_the_key(
    http: httpx.AsyncClient,
    graphql: GraphQL,
    token: Callable[[str], str],
    body: dict[str, Any],
    where: list[Any],
) -> None:
    before = await goals_of(graphql)
    sent = {"period_id": ACME_ACTIVE, "goals": [], **body}
    response = await http.post(URL, json=sent, headers=alice(token))
    assert refused_keys(response) == [where]
    assert await goals_of(graphql) == before


async def test_loose_values_are_still_item_failures_not_a_422(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    """Only shape and unknown keys are 422: the item rules stay the service's."""
    response = await http.post(
        URL,
        json={
            "period_id": ACME_ACTIVE,
            "goals": [{"client_id": "long", "performance": {"title": "x" * 201, "weight": 500}}],
        },
        headers=alice(token),
    )
    assert response.status_code == 200
    assert [f["code"] for f in response.json()["failed"]] == ["VALIDATION_FAILED"]


def bad_tokens(settings: Settings) -> dict[str, dict[str, str]]:
    now = int(time.time())
    return {
        "none": {},
        "not a bearer": {"authorization": "Basic YWxpY2U6cHc="},
        "garbage": {"authorization": "Bearer not-a-jwt"},
        "expired": {"authorization": f"Bearer {demo_token(settings, 'alice', ttl_seconds=-60)}"},
        "other key": {
            "authorization": "Bearer "
            + jwt.encode({"sub": subject_of("alice"), "exp": now + 600}, "x" * 40, "HS256")
        },
        "unknown user": {"authorization": f"Bearer {issue_dev_token(settings, 'demo|mallory')}"},
    }


MALFORMED_BODIES: dict[str, bytes] = {
    "wrong shape": b'{"goals": "nope"}',
    "unknown key": b'{"period_id": "x", "goals": [], "errorPolicy": 1}',
    "not an object": b"[1, 2]",
    "not JSON": b"{nope",
    "not UTF-8": b'{"period_id": "\xff"}',
    "empty": b"",
}


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
async def test_no_valid_token_is_a_401_whatever_the_body(
    http: httpx.AsyncClient, settings: Settings, body: bytes
) -> None:
    for name, headers in bad_tokens(settings).items():
        response = await http.post(
            URL, content=body, headers={"content-type": "application/json", **headers}
        )
        assert response.status_code == 401, (name, response.text)
        assert response.json()["code"] == "UNAUTHENTICATED"


async def test_a_member_with_a_malformed_body_gets_the_body_errors(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    expected = {
        "wrong shape": 422,
        "unknown key": 422,
        "not an object": 400,
        "not JSON": 400,
        "not UTF-8": 400,
        "empty": 400,
    }
    for name, body in MALFORMED_BODIES.items():
        response = await http.post(
            URL, content=body, headers={"content-type": "application/json", **alice(token)}
        )
        assert response.status_code == expected[name], (name, response.text)


async def test_authenticating_first_costs_one_statement_the_save_is_graphqls(
    http: httpx.AsyncClient,
    graphql: GraphQL,
    token: Callable[[str], str],
    count_statements: Callable[[], StatementCounter],
) -> None:
    """The caller lookup (for a 401 before the body is looked at) opens the write
    transaction the save then shares; from there the save sends what GraphQL's does, whose
    guard asks for the caller, the org and the period in one statement."""
    items = [{"title": f"goal {i}", "weight": 1} for i in range(3)]
    with count_statements() as rest:
        response = await http.post(
            URL,
            json={
                "period_id": ACME_ACTIVE,
                "goals": [{"client_id": f"r{i}", "performance": p} for i, p in enumerate(items)],
            },
            headers=alice(token),
        )
    assert len(response.json()["saved"]) == 3
    with count_statements() as gql:
        body = await graphql(
            BATCH,
            batch_input(
                [{"clientId": f"g{i}", "performance": p} for i, p in enumerate(items)],
                period=ACME_ACTIVE,
            ),
        )
    assert len(results(body)) == 3
    lookups = [s for s in rest.statements if "FROM users" in s and "memberships" not in s]
    assert len(lookups) == 1  # the caller alone, before the body
    rest.statements.remove(lookups[0])
    assert rest.statements == gql.statements


async def test_unknown_and_foreign_orgs_stay_the_same_404(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    body = {"period_id": ACME_ACTIVE, "goals": [{"client_id": "a", "performance": {}}]}
    unknown = await http.post("/org/nope/goals/batch-save", json=body, headers=alice(token))
    foreign = await http.post("/org/globex/goals/batch-save", json=body, headers=alice(token))
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.content == foreign.content


async def test_openapi_tells_clients_that_unknown_keys_are_refused(
    http: httpx.AsyncClient,
) -> None:
    schemas = (await http.get("/openapi.json")).json()["components"]["schemas"]
    for name in (
        "GoalBatchSaveRequest",
        "GoalBatchItem",
        "PerformancePatch",
        "CompetencyPatch",
        "CoreValuePatch",
    ):
        assert schemas[name]["additionalProperties"] is False, name


def refused_types(response: httpx.Response) -> list[tuple[list[Any], str]]:
    """The `loc` and error type of every value a 422 refuses."""
    assert response.status_code == 422, response.text
    return [(d["loc"], d["type"]) for d in response.json()["detail"]]


async def test_a_string_for_a_boolean_does_not_delete_the_goal(
    http: httpx.AsyncClient, graphql: GraphQL, token: Callable[[str], str]
) -> None:
    """`"delete": "yes"` and `"expected_version": true` were coerced: the goal was deleted."""
    before = await goals_of(graphql)
    item = {"client_id": "x", "id": PERF, "expected_version": True, "delete": "yes"}
    response = await http.post(
        URL, json={"period_id": ACME_ACTIVE, "goals": [item]}, headers=alice(token)
    )
    assert refused_types(response) == [
        (["body", "goals", 0, "expected_version"], "int_type"),
        (["body", "goals", 0, "delete"], "bool_type"),
    ]
    assert await goals_of(graphql) == before


@pytest.mark.parametrize(
    ("item", "where", "kind"),
    [
        (
            {"client_id": "w", "id": PERF, "performance": {"weight": "40"}},
            ["performance", "weight"],
            "float_type",
        ),
        (
            {"client_id": "v", "id": PERF, "expected_version": "1", "performance": {"weight": 40}},
            ["expected_version"],
            "int_type",
        ),
        ({"client_id": "d", "id": PERF, "delete": 1}, ["delete"], "bool_type"),
        (
            {"client_id": "c", "id": CORE, "core_value": {"weight": True}},
            ["core_value", "weight"],
            "float_type",
        ),
    ],
)
async def test_a_value_of_the_wrong_json_type_is_a_422_naming_it_and_saves_nothing(
    http: httpx.AsyncClient,
    graphql: GraphQL,
    token: Callable[[str], str],
    item: dict[str, Any],
    where: list[Any],
    kind: str,
) -> None:
    before = await goals_of(graphql)
    response = await http.post(
        URL, json={"period_id": ACME_ACTIVE, "goals": [item]}, headers=alice(token)
    )
    assert refused_types(response) == [(["body", "goals", 0, *where], kind)]
    assert await goals_of(graphql) == before


async def test_json_numbers_enums_and_malformed_ids_are_still_taken(
    http: httpx.AsyncClient, graphql: GraphQL, token: Callable[[str], str]
) -> None:
    """Strict is about JSON types only: an integer weight is a number, an enum is its name,
    and a malformed id string is a goal that is not found (docs/batch-save.md)."""
    goals = [
        {"client_id": "int", "id": PERF, "expected_version": 1, "performance": {"weight": 40}},
        {"client_id": "new", "performance": {"weight": 40.5, "goal_type": "QUALITATIVE"}},
        {"client_id": "bad-id", "id": "not-a-uuid", "performance": {"weight": 1}},
    ]
    response = await http.post(
        URL,
        json={"period_id": ACME_ACTIVE, "goals": goals, "error_policy": "SAVE_VALID"},
        headers=alice(token),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["client_id"] for s in body["saved"]] == ["int", "new"]
    assert [(f["client_id"], f["code"]) for f in body["failed"]] == [("bad-id", "NOT_FOUND")]
    after = await goals_of(graphql)
    assert after["alice-perf-1"]["weight"] == 40
    assert after["new"]["weight"] == 40.5
    assert after["new"]["goalType"] == "QUALITATIVE"


REVIEW_URL = "/org/acme/goals/batch-review"


@pytest.mark.parametrize(
    ("change", "where", "kind"),
    [
        # The goal's current version, as a string: it was taken as the number.
        (lambda version: {"expected_version": str(version)}, ["expected_version"], "int_type"),
        (lambda version: {"expected_version": True}, ["expected_version"], "int_type"),
        # A decision is its name (this one was refused before strict mode too).
        (lambda version: {"decision": 1}, ["decision"], "enum"),
    ],
)
async def test_the_review_twin_takes_json_types_strictly_too(
    http: httpx.AsyncClient,
    graphql: GraphQL,
    token: Callable[[str], str],
    change: Callable[[int], dict[str, Any]],
    where: list[Any],
    kind: str,
) -> None:
    submitted = (await submit_all(graphql, "alice"))["alice-perf-1"]
    item = {
        "client_id": "r",
        "goal_id": submitted["id"],
        "expected_version": submitted["version"],
        "decision": "APPROVE",
        **change(submitted["version"]),
    }
    response = await http.post(
        REVIEW_URL,
        json={"period_id": ACME_ACTIVE, "items": [item]},
        headers={"authorization": f"Bearer {token('carol')}"},
    )
    assert refused_types(response) == [(["body", "items", 0, *where], kind)]
    after = (await goals_of(graphql))["alice-perf-1"]
    assert (after["status"], after["version"]) == ("SUBMITTED", submitted["version"])

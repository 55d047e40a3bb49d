"""One core, two casings: the same invalid items give the same field errors, spelled the
GraphQL way over GraphQL (`coreValue.coreValuePlan`) and the REST way over REST
(`core_value.core_value_plan`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.batch.helpers import BATCH, batch_input, results
from tests.conftest import ACME_ACTIVE, GraphQL

BAD_COMPETENCY = "00000000-0000-0000-0000-000000000000"


async def test_graphql_spells_paths_in_camel_case(graphql: GraphQL) -> None:
    items = [
        {"clientId": "a", "coreValue": {"coreValuePlan": "x" * 5001}},
        {"clientId": "b", "competency": {"competencyIds": [BAD_COMPETENCY], "actionPlan": "p"}},
        {"clientId": "c"},
    ]
    out = results(await graphql(BATCH, batch_input(items, period=ACME_ACTIVE)))
    assert [[e["field"] for e in r["fieldErrors"]] for r in out] == [
        ["coreValue.coreValuePlan"],
        ["competency.competencyIds.0"],
        ["performance"],
    ]
    assert out[0]["message"].startswith("coreValue.coreValuePlan: ")


async def test_rest_spells_paths_in_snake_case(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    goals: list[dict[str, Any]] = [
        {"client_id": "a", "core_value": {"core_value_plan": "x" * 5001}},
        {"client_id": "b", "competency": {"competency_ids": [BAD_COMPETENCY], "action_plan": "p"}},
        {"client_id": "c"},
    ]
    response = await http.post(
        "/org/acme/goals/batch-save",
        json={"period_id": ACME_ACTIVE, "goals": goals},
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    failed = response.json()["failed"]
    assert [[e["field"] for e in f["field_errors"]] for f in failed] == [
        ["core_value.core_value_plan"],
        ["competency.competency_ids.0"],
        ["performance"],
    ]
    assert failed[0]["message"].startswith("core_value.core_value_plan: ")

"""GOALPOST_MAX_BATCH_ITEMS is one budget per request: every batch field of the operation
(aliases and fragments included) counts, and over it nothing at all is written."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from goalpost.app import create_app
from goalpost.config import Settings
from tests.batch.helpers import MY_GOALS
from tests.conftest import ACME_ACTIVE, error_codes

LIMIT = 5
RESULT = "savedCount"


@pytest.fixture
async def small_budget(settings: Settings, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database (the `app` fixture has reset the demo data)."""
    app = create_app(settings.model_copy(update={"max_batch_items": LIMIT, "max_aliases": 50}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://goalpost.test"
    ) as client:
        yield client
    await app.state.engine.dispose()


def creates(prefix: str, count: int) -> list[dict[str, Any]]:
    return [
        {"clientId": f"{prefix}-{i}", "coreValue": {"coreValuePlan": "x"}} for i in range(count)
    ]


def aliased_batches(count: int) -> str:
    fields = " ".join(f"b{i}: batchSaveGoals(input: $input) {{ {RESULT} }}" for i in range(count))
    return f"mutation Many($input: BatchSaveGoalsInput!) {{ {fields} }}"


async def post(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    return body


async def alice_client_ids(client: httpx.AsyncClient, token: str) -> set[str]:
    body = await post(client, token, MY_GOALS, {"org": "acme", "period": ACME_ACTIVE})
    return {g["clientId"] for g in body["data"]["organization"]["period"]["myGoals"]}


@pytest.fixture
def alice(token: Callable[[str], str]) -> str:
    return token("alice")


async def test_aliases_sharing_one_variable_share_one_budget(
    small_budget: httpx.AsyncClient, alice: str
) -> None:
    before = await alice_client_ids(small_budget, alice)
    variables = {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": creates("a", 3)}}
    body = await post(small_budget, alice, aliased_batches(2), variables)  # 6 items > 5
    assert body["data"] is None
    # The first field refused ends the mutation (its payload is non-null): nothing runs after.
    assert error_codes(body) == ["BATCH_TOO_LARGE"]
    assert (
        "request (all its batch fields together) holds at most 5 items; this one has 6"
        in (body["errors"][0]["message"])
    )
    assert await alice_client_ids(small_budget, alice) == before


async def test_within_the_budget_every_alias_saves(
    small_budget: httpx.AsyncClient, alice: str
) -> None:
    items = creates("w", 2)
    variables = {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": items}}
    body = await post(small_budget, alice, aliased_batches(2), variables)  # 4 items <= 5
    assert body["data"] == {"b0": {RESULT: 2}, "b1": {RESULT: 2}}  # the second is idempotent


async def test_save_goal_aliases_and_literal_items_count_too(
    small_budget: httpx.AsyncClient, alice: str
) -> None:
    before = await alice_client_ids(small_budget, alice)
    save = (
        'saveGoal(input: {{orgSlug: "acme", periodId: "{p}", item: '
        '{{clientId: "s{n}", coreValue: {{coreValuePlan: "x"}}}}}}) {{ __typename }}'
    )
    literal_batch = (
        f'batchSaveGoals(input: {{orgSlug: "acme", periodId: "{ACME_ACTIVE}", items: ['
        '{clientId: "l1", coreValue: {coreValuePlan: "x"}}, '
        '{clientId: "l2", coreValue: {coreValuePlan: "x"}}]}) { savedCount }'
    )
    four_saves = " ".join(f"s{n}: " + save.format(p=ACME_ACTIVE, n=n) for n in range(4))
    body = await post(small_budget, alice, f"mutation {{ {four_saves} lit: {literal_batch} }}")
    assert error_codes(body) == ["BATCH_TOO_LARGE"]  # 4 + 2 = 6 items > 5
    assert "this one has 6" in body["errors"][0]["message"]
    assert await alice_client_ids(small_budget, alice) == before

    # Through a fragment on Mutation, the same count.
    fragment = f"mutation {{ ...M }} fragment M on Mutation {{ {four_saves} lit: {literal_batch} }}"
    assert error_codes(await post(small_budget, alice, fragment)) == ["BATCH_TOO_LARGE"]
    assert await alice_client_ids(small_budget, alice) == before


async def test_thirty_aliases_of_a_full_batch_write_nothing(
    http: httpx.AsyncClient, alice: str
) -> None:
    """The attack as reported: 30 aliases x 200 items under the default limits."""
    before = await alice_client_ids(http, alice)
    variables = {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": creates("x", 200)}}
    body = await post(http, alice, aliased_batches(30), variables)
    assert body["data"] is None
    assert error_codes(body) == ["BATCH_TOO_LARGE"]
    assert "this one has 6000" in body["errors"][0]["message"]
    assert await alice_client_ids(http, alice) == before

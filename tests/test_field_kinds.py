"""Every declared field, of every kind, through the server's two doors: a batch over GraphQL
and one over REST, read back over GraphQL. A kind a surface cannot take or show fails here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from goalpost.models import GoalCategory
from tests.batch.helpers import BATCH, goals_of
from tests.conftest import ACME_ACTIVE, GraphQL
from tests.field_kinds import every_kind_is_declared, graphql_patch, patch_key, rest_patch, shown


def test_every_kind_is_walked() -> None:
    every_kind_is_declared()


def held(goal: dict[str, Any], category: GoalCategory) -> dict[str, Any]:
    return {name: goal[name] for name in shown(category)}


@pytest.mark.parametrize("category", list(GoalCategory))
async def test_graphql_takes_and_shows_every_field(
    graphql: GraphQL, category: GoalCategory
) -> None:
    item = {"clientId": "walk", patch_key(category): graphql_patch(category)}
    body = await graphql(
        BATCH, {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": [item]}}
    )
    assert body["data"]["batchSaveGoals"]["savedCount"] == 1, body
    assert held((await goals_of(graphql))["walk"], category) == shown(category)


@pytest.mark.parametrize("category", list(GoalCategory))
async def test_rest_takes_every_field(
    http: httpx.AsyncClient,
    token: Callable[[str], str],
    graphql: GraphQL,
    category: GoalCategory,
) -> None:
    goal = {"client_id": "walk", category.value.lower(): rest_patch(category)}
    response = await http.post(
        "/org/acme/goals/batch-save",
        json={"period_id": ACME_ACTIVE, "goals": [goal]},
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["failed"] == []
    assert held((await goals_of(graphql))["walk"], category) == shown(category)

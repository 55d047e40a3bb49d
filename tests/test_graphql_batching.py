"""Strawberry's query batching (a JSON list of operations in one request) is a setting.

It is off by default: `batchSaveGoals` is how a client saves many goals in one request. The
benchmarks turn it on (GOALPOST_GRAPHQL_BATCHING) to compare against transport batching.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from goalpost.app import create_app
from goalpost.config import Settings
from goalpost.testing import StatementCounter, reset_database
from tests.batch.helpers import SAVE_ONE
from tests.conftest import ACME_ACTIVE

ME = "query Me { me { email } }"


def save_one(client_id: str) -> dict[str, Any]:
    item = {"clientId": client_id, "performance": {"title": client_id, "weight": 1}}
    return {
        "query": SAVE_ONE,
        "variables": {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "item": item}},
    }


async def post(
    app: FastAPI, body: Any, token: Callable[[str], str], user: str = "alice"
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://goalpost.test") as client:
        return await client.post(
            "/graphql", json=body, headers={"authorization": f"Bearer {token(user)}"}
        )


@asynccontextmanager
async def batching_app(settings: Settings, max_operations: int) -> AsyncIterator[FastAPI]:
    application = create_app(settings.model_copy(update={"graphql_batching": max_operations}))
    await reset_database(application.state.engine)
    yield application
    await application.state.engine.dispose()


def test_batching_is_off_by_default() -> None:
    assert Settings().graphql_batching == 0


async def test_a_list_of_operations_is_refused_when_batching_is_off(
    app: FastAPI, token: Callable[[str], str]
) -> None:
    response = await post(app, [{"query": ME}, {"query": ME}], token)
    assert response.status_code == 400
    assert "Batching is not enabled" in response.text


async def test_with_batching_on_one_request_runs_every_operation(
    settings: Settings, token: Callable[[str], str]
) -> None:
    async with batching_app(settings, 10) as app:
        with StatementCounter(app.state.engine) as counter:
            response = await post(app, [save_one(f"tb-{i}") for i in range(3)], token)
        assert response.status_code == 200
        bodies = response.json()
        assert isinstance(bodies, list) and len(bodies) == 3
        assert [b["data"]["saveGoal"]["__typename"] for b in bodies] == ["GoalSaved"] * 3
        assert sorted(b["data"]["saveGoal"]["clientId"] for b in bodies) == [
            "tb-0",
            "tb-1",
            "tb-2",
        ]
        # One request, one guard: the caller, org and period are looked up once (in one
        # statement), not per item.
        lookups = [s for s in counter.statements if "FROM users" in s or "FROM organizations" in s]
        assert len(lookups) == 1, lookups


async def test_more_operations_than_the_setting_allows_are_refused(
    settings: Settings, token: Callable[[str], str]
) -> None:
    async with batching_app(settings, 2) as app:
        response = await post(app, [{"query": ME}] * 3, token)
        assert response.status_code == 400
        assert "Too many operations" in response.text

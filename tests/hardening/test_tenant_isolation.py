"""Tenant isolation matrix: every caller who is not alice, by every way to reach her goals."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import insert

from goalpost.config import Settings
from goalpost.models import User
from goalpost.services.demo import subject_of
from goalpost.testing import demo_token
from tests.batch.helpers import BATCH, MY_GOALS, batch_input, goal_id
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE

ALICE_GOAL = goal_id("alice", "alice-perf-1")
ALICE_SECRET_TEXT = "Grow ARR by 20%"  # the title of ALICE_GOAL; must never reach a stranger


def token_for(caller: str, settings: Settings) -> str | None:
    now = int(time.time())
    if caller in ("bob", "dave", "loner"):
        return demo_token(settings, caller)
    if caller == "expired":
        return demo_token(settings, "alice", ttl_seconds=-60)
    if caller == "other-key":
        return jwt.encode({"sub": subject_of("alice"), "exp": now + 600}, "x" * 40, "HS256")
    if caller == "alg-none":
        return jwt.encode({"sub": subject_of("alice"), "exp": now + 600}, None, "none")
    return None


CALLERS = ["bob", "dave", "loner", "no-token", "expired", "other-key", "alg-none"]
UNAUTHENTICATED = {"no-token", "expired", "other-key", "alg-none"}


def graphql_actions() -> dict[str, tuple[str, dict[str, Any]]]:
    update = {"clientId": "x", "id": ALICE_GOAL, "performance": {"title": "hijacked"}}
    delete = {"clientId": "x", "id": ALICE_GOAL, "delete": True}
    create = {"clientId": "planted", "performance": {"title": "planted"}}
    return {
        "read-acme": (MY_GOALS, {"org": "acme", "period": ACME_ACTIVE}),
        "update-via-acme": (BATCH, batch_input([update], period=ACME_ACTIVE)),
        "delete-via-acme": (BATCH, batch_input([delete], period=ACME_ACTIVE)),
        "update-via-globex": (BATCH, batch_input([update], org="globex", period=GLOBEX_ACTIVE)),
        "create-in-acme-period-via-globex": (
            BATCH,
            batch_input([create], org="globex", period=ACME_ACTIVE),
        ),
        "create-in-acme": (BATCH, batch_input([create], period=ACME_ACTIVE)),
    }


def expected_outcome(caller: str, action: str) -> str:
    """The one right answer for each cell of the matrix."""
    if caller in UNAUTHENTICATED:
        return "UNAUTHENTICATED"
    member_of = {"bob": {"acme"}, "dave": {"globex"}, "loner": set()}[caller]
    org = "globex" if "via-globex" in action else "acme"
    if org not in member_of:
        return "ORG_NOT_FOUND"
    if action == "create-in-acme-period-via-globex":
        return "PERIOD_NOT_FOUND"
    if action == "read-acme":
        return "OWN_GOALS_ONLY"
    if action == "create-in-acme":
        return "OWN_GOAL_CREATED"
    return "NOT_FOUND"


@pytest.fixture
async def loner(app: FastAPI) -> None:
    """A known user with no membership anywhere."""
    async with app.state.engine.begin() as conn:
        await conn.execute(
            insert(User).values(
                id=uuid.uuid4(),
                subject=subject_of("loner"),
                email="loner@nowhere.example",
                name="Loner",
            )
        )


async def alice_goals(http: httpx.AsyncClient, settings: Settings) -> list[dict[str, Any]]:
    response = await http.post(
        "/graphql",
        json={"query": MY_GOALS, "variables": {"org": "acme", "period": ACME_ACTIVE}},
        headers={"authorization": f"Bearer {demo_token(settings, 'alice')}"},
    )
    goals: list[dict[str, Any]] = response.json()["data"]["organization"]["period"]["myGoals"]
    return goals


@pytest.mark.usefixtures("loner")
@pytest.mark.parametrize("caller", CALLERS)
async def test_graphql_matrix(http: httpx.AsyncClient, settings: Settings, caller: str) -> None:
    before = await alice_goals(http, settings)
    token = token_for(caller, settings)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    for action, (query, variables) in graphql_actions().items():
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        expected = expected_outcome(caller, action)
        assert ALICE_SECRET_TEXT not in response.text, (caller, action)
        assert ALICE_GOAL not in response.text or expected == "NOT_FOUND", (caller, action)
        if expected in ("UNAUTHENTICATED", "ORG_NOT_FOUND", "PERIOD_NOT_FOUND"):
            assert body["data"] is None, (caller, action)
            assert [e["extensions"]["code"] for e in body["errors"]] == [expected]
        elif expected == "OWN_GOALS_ONLY":
            goals = body["data"]["organization"]["period"]["myGoals"]
            assert {g["id"] for g in goals}.isdisjoint({g["id"] for g in before})
        elif expected == "OWN_GOAL_CREATED":
            result = body["data"]["batchSaveGoals"]["results"][0]
            assert result["__typename"] == "GoalSaved" and result["created"] is True
        else:
            result = body["data"]["batchSaveGoals"]["results"][0]
            assert result["__typename"] == "GoalNotFound", (caller, action, result)
    assert await alice_goals(http, settings) == before


@pytest.mark.usefixtures("loner")
@pytest.mark.parametrize("caller", CALLERS)
async def test_rest_matrix(http: httpx.AsyncClient, settings: Settings, caller: str) -> None:
    before = await alice_goals(http, settings)
    token = token_for(caller, settings)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    edits = [
        {"client_id": "x", "id": ALICE_GOAL, "performance": {"title": "hijack"}},
        {"client_id": "y", "id": ALICE_GOAL, "delete": True},
    ]
    for (org, period), edit in itertools.product(
        (("acme", ACME_ACTIVE), ("globex", GLOBEX_ACTIVE)), edits
    ):
        response = await http.post(
            f"/org/{org}/goals/batch-save",
            headers=headers,
            json={"period_id": period, "goals": [edit]},
        )
        assert ALICE_SECRET_TEXT not in response.text
        expected = expected_outcome(
            caller, "update-via-globex" if org == "globex" else "update-via-acme"
        )
        status = {"UNAUTHENTICATED": 401, "ORG_NOT_FOUND": 404}.get(expected, 200)
        assert response.status_code == status, (caller, org, response.text)
        if status == 200:
            assert [f["code"] for f in response.json()["failed"]] == ["NOT_FOUND"]
    assert await alice_goals(http, settings) == before

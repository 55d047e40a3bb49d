"""Inputs the fuzzer found: text PostgreSQL cannot store must be refused, not crash a batch."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import jwt

from goalpost.config import DEV_JWT_SECRET
from tests.batch.helpers import BATCH, batch_input, results
from tests.conftest import ACME_ACTIVE, GraphQL, error_codes


async def test_unstorable_client_ids_fail_their_items_alone(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    variables = batch_input(
        [
            {"clientId": "a\u0000b", "performance": {"title": "x"}},
            {"clientId": "\ud800", "performance": {"title": "lone surrogate"}},
            {"clientId": "fine", "performance": {"title": "saved"}},
        ],
        period=ACME_ACTIVE,
    )
    # json.dumps escapes the lone surrogate as \ud800, as a browser's JSON.stringify would.
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": BATCH, "variables": variables}),
        headers={"content-type": "application/json", "authorization": f"Bearer {token('alice')}"},
    )
    out = results(response.json())
    assert [r["__typename"] for r in out] == [
        "GoalValidationFailed",
        "GoalValidationFailed",
        "GoalSaved",
    ]
    assert [e["field"] for e in out[0]["fieldErrors"]] == ["clientId"]
    assert [e["field"] for e in out[1]["fieldErrors"]] == ["clientId"]


async def test_an_impossible_org_slug_is_not_found(graphql: GraphQL) -> None:
    for slug in ("ac\u0000me", "ACME", "a", "x" * 64, "acme "):
        body = await graphql(
            BATCH, batch_input([{"clientId": "k", "coreValue": {}}], org=slug, period=ACME_ACTIVE)
        )
        assert error_codes(body) == ["ORG_NOT_FOUND"], slug


async def test_a_token_subject_with_nul_is_unauthenticated(graphql: GraphQL) -> None:
    token = jwt.encode(
        {"sub": "demo|al\u0000ice", "exp": int(time.time()) + 60}, DEV_JWT_SECRET, "HS256"
    )
    body = await graphql("{ me { id } }", headers={"authorization": f"Bearer {token}"})
    assert error_codes(body) == ["UNAUTHENTICATED"]

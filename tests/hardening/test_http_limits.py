"""Protection at the HTTP edge: media types, masking, and each configured limit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from goalpost.app import create_app
from goalpost.config import Settings
from tests.conftest import ACME_ACTIVE

RESPONSE_JSON = "application/graphql-response+json"


async def post(
    http: httpx.AsyncClient,
    query: str,
    *,
    accept: str = "application/json",
    token: str | None = None,
) -> httpx.Response:
    headers = {"accept": accept}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await http.post("/graphql", json={"query": query}, headers=headers)


async def test_graphql_response_json_gets_its_media_type_and_status_codes(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    ok = await post(http, "{ me { email } }", accept=RESPONSE_JSON, token=token("alice"))
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith(RESPONSE_JSON)

    for broken in ("{ me { email ", "{ noSuchField }"):  # parse error, validation error
        bad = await post(http, broken, accept=RESPONSE_JSON)
        assert bad.status_code == 400
        assert "data" not in bad.json() and bad.json()["errors"]

    # A field error during execution keeps 200 and its data entry (here null).
    denied = await post(http, "{ me { email } }", accept=RESPONSE_JSON)
    assert denied.status_code == 200 and denied.json()["data"] is None

    legacy = await post(http, "{ noSuchField }")
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")


async def test_request_ids_are_echoed_or_made(http: httpx.AsyncClient) -> None:
    mine = await http.get("/healthz", headers={"x-request-id": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    made = await http.get("/healthz", headers={"x-request-id": "no\nnewlines please"})
    assert made.headers["x-request-id"] != "no\nnewlines please"
    assert len(made.headers["x-request-id"]) == 32


@pytest.fixture
def tight_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "max_query_depth": 3,
            "max_aliases": 3,
            "max_tokens": 120,
            "max_body_bytes": 2000,
            "introspection": False,
        }
    )


@pytest.fixture
async def tight(tight_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(tight_settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://goalpost.test"
    ) as client:
        yield client
    await app.state.engine.dispose()


async def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


async def test_depth_limit(
    tight: httpx.AsyncClient, http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    deep = (
        f'{{ organization(slug: "acme") {{ period(id: "{ACME_ACTIVE}") {{ myGoals {{ '
        "... on CompetencyGoal { competencies { name } } } } } }"
    )
    refused = await post(tight, deep, token=token("alice"))
    assert await codes(refused) == ["BAD_USER_INPUT"]
    assert "exceeds maximum operation depth" in refused.json()["errors"][0]["message"]
    allowed = await post(http, deep, token=token("alice"))  # the default limit allows it
    assert "errors" not in allowed.json()


async def test_alias_limit(tight: httpx.AsyncClient) -> None:
    refused = await post(tight, "{ a: me { id } b: me { id } c: me { id } d: me { id } }")
    assert await codes(refused) == ["BAD_USER_INPUT"]
    assert "alias" in refused.json()["errors"][0]["message"].lower()


async def test_token_limit(tight: httpx.AsyncClient) -> None:
    refused = await post(tight, "{ me { " + "id " * 200 + "} }")
    assert await codes(refused) == ["BAD_USER_INPUT"]
    assert "token" in refused.json()["errors"][0]["message"].lower()


async def test_body_size_limit(tight: httpx.AsyncClient) -> None:
    too_big = await tight.post(
        "/graphql",
        content=b'{"query": "' + b" " * 5000 + b'{ me { id } }"}',
        headers={"content-type": "application/json"},
    )
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "BODY_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"query": "'
        for _ in range(10):
            yield b" " * 500
        yield b'{ me { id } }"}'

    streamed = await tight.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_introspection_can_be_turned_off(
    tight: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    query = "{ __schema { queryType { name } } }"
    assert (await post(http, query)).json()["data"]["__schema"]["queryType"]["name"] == "Query"
    refused = await post(tight, query)
    assert set(await codes(refused)) == {"BAD_USER_INPUT"}
    assert "introspection" in str(refused.json()["errors"]).lower()

"""CORS (GOALPOST_CORS_ORIGINS, docs/http.md): a frontend on a listed origin may call /graphql
and the REST twin with a bearer token; any other origin gets no CORS header at all."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from pydantic import ValidationError

from goalpost.app import create_app
from goalpost.config import Settings
from tests.conftest import ACME_ACTIVE

FRONTEND = "http://localhost:5173"
ELSEWHERE = "https://goals.example.com"
STRANGER = "http://localhost:6666"
ME = "{ me { email } }"
PATHS = ("/graphql", "/org/acme/goals/batch-save", "/org/acme/goals/batch-review")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        env="dev",
        database_url=database_url,
        cors_origins=(FRONTEND, ELSEWHERE),
        max_body_bytes=10_000,
    )


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization,content-type",
    }


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


@pytest.mark.parametrize("path", PATHS)
async def test_a_listed_origin_may_send_a_token_and_json(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.options(path, headers=preflight(FRONTEND))
    assert response.status_code == 200
    allowed = cors_headers(response)
    assert allowed["access-control-allow-origin"] == FRONTEND
    assert "POST" in allowed["access-control-allow-methods"].split(", ")
    assert {"authorization", "content-type"} <= {
        h.strip().lower() for h in allowed["access-control-allow-headers"].split(",")
    }
    assert "access-control-allow-credentials" not in allowed  # a token, no cookies


async def test_a_listed_origin_reads_graphql_answers(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    alice = {"authorization": f"Bearer {token('alice')}", "origin": ELSEWHERE}
    posted = await http.post("/graphql", json={"query": ME}, headers=alice)
    assert posted.json() == {"data": {"me": {"email": "alice@acme.example"}}}
    assert posted.headers["access-control-allow-origin"] == ELSEWHERE
    assert "Origin" in posted.headers["vary"]

    got = await http.get("/graphql", params={"query": ME}, headers=alice)
    assert got.json() == {"data": {"me": {"email": "alice@acme.example"}}}
    assert got.headers["access-control-allow-origin"] == ELSEWHERE
    assert (await http.options("/graphql", headers=preflight(ELSEWHERE, "GET"))).status_code == 200


async def test_a_listed_origin_reads_refusals_too(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    """A 401 or 413 the frontend cannot read would look like a network failure to it."""
    body = {"period_id": ACME_ACTIVE, "goals": []}
    no_token = await http.post(PATHS[1], json=body, headers={"origin": FRONTEND})
    assert no_token.status_code == 401
    assert no_token.headers["access-control-allow-origin"] == FRONTEND

    alice = {"authorization": f"Bearer {token('alice')}", "origin": FRONTEND}
    too_big = await http.post("/graphql", json={"query": ME + " " * 20_000}, headers=alice)
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "BODY_TOO_LARGE"
    assert too_big.headers["access-control-allow-origin"] == FRONTEND


@pytest.mark.parametrize("path", PATHS)
async def test_another_origin_gets_no_cors_headers(
    http: httpx.AsyncClient, token: Callable[[str], str], path: str
) -> None:
    refused = await http.options(path, headers=preflight(STRANGER))
    assert refused.status_code == 400
    assert cors_headers(refused) == {}

    # The server answers (it cannot stop a request); the browser keeps the answer from the page.
    alice = {"authorization": f"Bearer {token('alice')}", "origin": STRANGER}
    answered = await http.post("/graphql", json={"query": ME}, headers=alice)
    assert answered.status_code == 200
    assert cors_headers(answered) == {}


async def test_by_default_only_the_same_origin(database_url: str) -> None:
    app = create_app(Settings(env="dev", database_url=database_url))
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://goalpost.test") as http:
            refused = await http.options("/graphql", headers=preflight(FRONTEND))
            assert refused.status_code == 405
            assert cors_headers(refused) == {}
            posted = await http.post("/graphql", json={"query": ME}, headers={"origin": FRONTEND})
            assert cors_headers(posted) == {}
    finally:
        await app.state.engine.dispose()


def test_origins_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOALPOST_CORS_ORIGINS", f" {FRONTEND} ,HTTPS://Goals.Example.com:8443,")
    assert Settings().cors_origins == (FRONTEND, "https://goals.example.com:8443")
    monkeypatch.setenv("GOALPOST_CORS_ORIGINS", "")
    assert Settings().cors_origins == ()


@pytest.mark.parametrize("entry", [f"{FRONTEND}/", f"{FRONTEND}/app", "localhost:5173", "*"])
def test_an_entry_that_is_no_origin_is_refused(monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    """A browser's Origin never has a path: such an entry would silently match nothing."""
    monkeypatch.setenv("GOALPOST_CORS_ORIGINS", entry)
    with pytest.raises(ValidationError, match="origin"):
        Settings()

"""Bearer-token authentication (docs/auth.md), checked through GraphQL over HTTP.

Bad tokens are built with PyJWT directly, so each test names exactly one way a token can be wrong.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from goalpost.app import create_app
from goalpost.config import DEV_JWT_SECRET, Settings
from goalpost.logging import configure_logging
from goalpost.services.demo import subject_of
from tests.conftest import GraphQL, error_codes

ME = "{ me { id email name } }"
PROD_SECRET = "a-production-secret-of-at-least-32-characters"


def hs256(claims: dict[str, Any], secret: str = DEV_JWT_SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def valid_claims(name: str = "alice", **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": subject_of(name), "iat": now, "exp": now + 600, **overrides}


def unsigned(claims: dict[str, Any]) -> str:
    """An `alg: none` token, assembled by hand: header.payload. with an empty signature."""

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def assert_unauthenticated(body: dict[str, Any]) -> None:
    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_valid_token_identifies_the_caller(graphql: GraphQL) -> None:
    body = await graphql(ME, headers=bearer(hs256(valid_claims("alice"))))
    assert "errors" not in body
    assert body["data"]["me"]["email"] == "alice@acme.example"
    assert body["data"]["me"]["name"] == "Alice Anders"


async def test_no_token_is_unauthenticated(graphql: GraphQL) -> None:
    assert_unauthenticated(await graphql(ME, user=None))


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "{token}", "Token {token}"],
    ids=["empty", "bearer-without-token", "bearer-blank", "basic", "no-scheme", "other-scheme"],
)
async def test_malformed_authorization_header_is_unauthenticated(
    graphql: GraphQL, authorization: str
) -> None:
    """Only the Bearer scheme carries a token, even when what follows is a valid JWT."""
    header = authorization.format(token=hs256(valid_claims()))
    assert_unauthenticated(await graphql(ME, headers={"authorization": header}))


async def test_bearer_scheme_is_case_insensitive(graphql: GraphQL) -> None:
    body = await graphql(ME, headers={"authorization": f"bearer {hs256(valid_claims())}"})
    assert body.get("errors") is None
    assert body["data"]["me"]["email"] == "alice@acme.example"


async def test_expired_token_is_unauthenticated(graphql: GraphQL) -> None:
    now = int(time.time())
    token = hs256(valid_claims(iat=now - 3600, exp=now - 60))
    body = await graphql(ME, headers=bearer(token))
    assert_unauthenticated(body)
    assert "expired" in body["errors"][0]["message"].lower()


async def test_token_signed_with_another_secret_is_unauthenticated(graphql: GraphQL) -> None:
    token = hs256(valid_claims(), secret="not-the-server-secret-but-long-enough-for-hs256")
    assert_unauthenticated(await graphql(ME, headers=bearer(token)))


async def test_token_with_another_hmac_algorithm_is_unauthenticated(graphql: GraphQL) -> None:
    """Right secret, wrong algorithm: only HS256 is accepted for shared-secret tokens."""
    token = jwt.encode(valid_claims(), DEV_JWT_SECRET, algorithm="HS512")
    assert_unauthenticated(await graphql(ME, headers=bearer(token)))


async def test_token_not_yet_valid_is_unauthenticated(graphql: GraphQL) -> None:
    token = hs256(valid_claims(nbf=int(time.time()) + 3600))
    assert_unauthenticated(await graphql(ME, headers=bearer(token)))


async def test_alg_none_token_is_unauthenticated(graphql: GraphQL) -> None:
    token = unsigned(valid_claims())
    assert jwt.get_unverified_header(token)["alg"] == "none"
    assert_unauthenticated(await graphql(ME, headers=bearer(token)))


@pytest.mark.parametrize(
    "token",
    ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.%%%.sig", "x" * 300],
    ids=["no-dots", "garbage-segments", "bad-base64", "long-junk"],
)
async def test_malformed_token_is_unauthenticated(graphql: GraphQL, token: str) -> None:
    assert_unauthenticated(await graphql(ME, headers=bearer(token)))


async def test_token_without_exp_is_unauthenticated(graphql: GraphQL) -> None:
    claims = valid_claims()
    del claims["exp"]
    body = await graphql(ME, headers=bearer(hs256(claims)))
    assert_unauthenticated(body)
    assert "exp" in body["errors"][0]["message"]


async def test_token_without_sub_is_unauthenticated(graphql: GraphQL) -> None:
    claims = valid_claims()
    del claims["sub"]
    assert_unauthenticated(await graphql(ME, headers=bearer(hs256(claims))))


async def test_valid_token_for_unknown_subject_is_unauthenticated(graphql: GraphQL) -> None:
    token = hs256(valid_claims(sub="demo|mallory"))
    assert_unauthenticated(await graphql(ME, headers=bearer(token)))


async def test_token_is_not_echoed_in_the_error(graphql: GraphQL) -> None:
    token = hs256(valid_claims(), secret="not-the-server-secret-but-long-enough-for-hs256")
    body = await graphql(ME, headers=bearer(token))
    assert_unauthenticated(body)
    assert token not in json.dumps(body)


async def test_org_scoped_fields_require_a_token(graphql: GraphQL) -> None:
    body = await graphql('{ organization(slug: "acme") { slug } }', user=None)
    assert_unauthenticated(body)


# --- production settings -------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read GOALPOST_* variables; the tests below must not see the caller's."""
    for name in ("ENV", "JWT_SECRET", "JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"):
        monkeypatch.delenv(f"GOALPOST_{name}", raising=False)


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    "keys",
    [
        {},
        {"jwt_secret": "too-short"},
        {"jwt_secret": "x" * 31},
        {"jwt_secret": DEV_JWT_SECRET},
        {"jwks_url": "https://issuer.example/.well-known/jwks.json"},
        {"jwks_url": "https://issuer.example/jwks", "jwt_issuer": "https://issuer.example"},
    ],
    ids=["nothing", "short-secret", "31-chars", "dev-secret", "jwks-alone", "jwks-no-audience"],
)
def test_prod_settings_without_real_keys_are_refused(keys: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(env="prod", **keys)


@pytest.mark.usefixtures("clean_env")
def test_prod_settings_accept_a_long_secret_or_a_full_jwks_config() -> None:
    settings = Settings(env="prod", jwt_secret=PROD_SECRET)
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == PROD_SECRET
    jwks = Settings(
        env="prod",
        jwks_url="https://issuer.example/jwks",
        jwt_issuer="https://issuer.example",
        jwt_audience="goalpost",
        cursor_secret="a-cursor-secret-of-at-least-32-characters",
    )
    assert jwks.jwt_secret is None


@pytest.mark.usefixtures("clean_env")
def test_prod_settings_are_refused_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOALPOST_ENV", "prod")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("GOALPOST_JWT_SECRET", PROD_SECRET)
    assert Settings().env == "production"  # "prod" is an alias


@pytest.fixture
async def prod_http(
    database_url: str, app: FastAPI, clean_env: None
) -> AsyncIterator[httpx.AsyncClient]:
    """An app in prod mode over the same database; `app` has just reset the demo data."""
    settings = Settings(env="prod", database_url=database_url, jwt_secret=PROD_SECRET)
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://prod.test") as client:
            yield client
    finally:
        await application.state.engine.dispose()
        # A prod app switches structlog to JSON; the rest of the run keeps the dev renderer.
        configure_logging(json=False)


async def test_prod_app_accepts_its_secret_and_refuses_the_dev_secret(
    prod_http: httpx.AsyncClient,
) -> None:
    async def me(token: str) -> dict[str, Any]:
        response = await prod_http.post("/graphql", json={"query": ME}, headers=bearer(token))
        body: dict[str, Any] = response.json()
        return body

    accepted = await me(hs256(valid_claims("bob"), secret=PROD_SECRET))
    assert accepted.get("errors") is None
    assert accepted["data"]["me"]["email"] == "bob@acme.example"
    assert_unauthenticated(await me(hs256(valid_claims("bob"))))

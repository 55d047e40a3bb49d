"""Production auth: RS256 and ES256 tokens checked against a JWKS endpoint, issuer, audience."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from goalpost.app import create_app
from goalpost.config import DEV_JWT_SECRET, Settings
from goalpost.services.demo import subject_of
from goalpost.testing import reset_database

ISSUER = "https://issuer.goalpost.test/"
AUDIENCE = "goalpost-api"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict[str, Any]:
    rsa_jwk = json.loads(RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
    ec_jwk = json.loads(ECAlgorithm.to_jwk(EC_KEY.public_key()))
    return {
        "keys": [
            {**rsa_jwk, "kid": "rsa-1", "use": "sig", "alg": "RS256"},
            {**ec_jwk, "kid": "ec-1", "use": "sig", "alg": "ES256"},
        ]
    }


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    body = json.dumps(jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
async def prod_http(database_url: str, jwks_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        env="prod",
        database_url=database_url,
        jwks_url=jwks_url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        cursor_secret="a-cursor-secret-of-at-least-32-characters",
    )
    app = create_app(settings)
    await reset_database(app.state.engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://goalpost.test"
    ) as client:
        yield client
    await app.state.engine.dispose()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": subject_of("carol"),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        **overrides,
    }


async def me(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": "{ me { email } }"}, headers={"authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = response.json()
    return body


async def test_rs256_and_es256_tokens_from_the_jwks_are_accepted(
    prod_http: httpx.AsyncClient,
) -> None:
    for key, alg, kid in ((RSA_KEY, "RS256", "rsa-1"), (EC_KEY, "ES256", "ec-1")):
        token = jwt.encode(claims(), key, alg, headers={"kid": kid})
        assert await me(prod_http, token) == {"data": {"me": {"email": "carol@acme.example"}}}


@pytest.mark.parametrize(
    "make_token",
    [
        lambda: jwt.encode(claims(aud="someone-else"), RSA_KEY, "RS256", headers={"kid": "rsa-1"}),
        lambda: jwt.encode(
            claims(iss="https://evil.test/"), RSA_KEY, "RS256", headers={"kid": "rsa-1"}
        ),
        lambda: jwt.encode(
            claims(exp=int(time.time()) - 10), RSA_KEY, "RS256", headers={"kid": "rsa-1"}
        ),
        lambda: jwt.encode(claims(), STRANGER_KEY, "RS256", headers={"kid": "rsa-1"}),
        lambda: jwt.encode(claims(), STRANGER_KEY, "RS256", headers={"kid": "unknown-kid"}),
        lambda: jwt.encode(claims(), "x" * 64, "HS256", headers={"kid": "rsa-1"}),
        lambda: jwt.encode(
            {k: v for k, v in claims().items() if k != "exp"},
            RSA_KEY,
            "RS256",
            headers={"kid": "rsa-1"},
        ),
    ],
    ids=[
        "wrong-audience",
        "wrong-issuer",
        "expired",
        "foreign-key",
        "unknown-kid",
        "hs256-instead",
        "no-exp",
    ],
)
async def test_bad_production_tokens_are_unauthenticated(
    prod_http: httpx.AsyncClient, make_token: Any
) -> None:
    body = await me(prod_http, make_token())
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_dev_tokens_are_refused_in_production(prod_http: httpx.AsyncClient) -> None:
    body = await me(prod_http, jwt.encode(claims(), DEV_JWT_SECRET, "HS256"))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]

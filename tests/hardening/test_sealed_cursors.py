"""Feed cursors are sealed: opaque, bound to their org and period, and made with the server's
secret (docs/history.md).

They were base64 of `c1:<transaction>:<seq>`, both counters global: a globex user reading
their own cursors saw how much acme wrote, and a cursor of another org or period was taken
as a place in this one.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError
from sqlalchemy import text

from goalpost.app import create_app
from goalpost.config import Settings
from goalpost.testing import demo_token
from tests.conftest import ACME_ACTIVE, ACME_CLOSED, GLOBEX_ACTIVE, GraphQL, error_codes
from tests.test_goal_changes import FEED, head, page, read_on, save, settled

GLOBEX = {"org": "globex", "period": GLOBEX_ACTIVE}
SECRET = "a-cursor-secret-of-at-least-32-characters"


@pytest.fixture
def settle(app: FastAPI) -> Callable[[], Awaitable[None]]:
    return lambda: settled(app.state.engine)


async def feed_error(
    graphql: GraphQL, after: str, *, user: str = "alice", org: str = "acme", period: str
) -> list[str]:
    body = await graphql(
        FEED, {"org": org, "period": period, "after": after, "first": 5}, user=user
    )
    assert body["data"] is None, body
    return error_codes(body)


def sealed_bytes(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def spelled(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_a_globex_cursor_is_bad_in_acme(graphql: GraphQL) -> None:
    """Carol is a member of both orgs: her globex cursor names no place in acme's feed,
    for her or for anyone else there."""
    globex_cursor = await head(graphql, "carol", **GLOBEX)
    assert globex_cursor is not None
    for user in ("carol", "alice"):
        assert await feed_error(graphql, globex_cursor, user=user, period=ACME_ACTIVE) == [
            "BAD_CURSOR"
        ]
    # In its own org and period it still reads.
    assert (await page(graphql, "carol", globex_cursor, **GLOBEX))["hasMore"] is False


async def test_a_cursor_of_one_period_is_bad_in_another(graphql: GraphQL) -> None:
    active = await head(graphql, "alice")
    closed = await head(graphql, "alice", period=ACME_CLOSED)
    assert active is not None and closed is not None
    assert await feed_error(graphql, active, period=ACME_CLOSED) == ["BAD_CURSOR"]
    assert await feed_error(graphql, closed, period=ACME_ACTIVE) == ["BAD_CURSOR"]


async def test_tampered_truncated_or_respelled_cursors_are_bad(
    graphql: GraphQL, settle: Callable[[], Awaitable[None]]
) -> None:
    await save(graphql, "alice", [{"clientId": "t", "performance": {"title": "t"}}])
    await settle()
    cursor = await head(graphql, "alice")
    assert cursor is not None
    raw = sealed_bytes(cursor)
    tampered = [
        spelled(raw[:i] + bytes([raw[i] ^ bit]) + raw[i + 1 :])
        for i in (0, len(raw) // 2, len(raw) - 1)
        for bit in (1, 0x80)
    ]
    for bad in [
        *tampered,
        cursor[:-1],
        spelled(raw[:-1]),
        spelled(raw + b"\0"),
        cursor + "A",
        cursor[:-1] + chr(ord(cursor[-1]) + 1),  # the same bytes, spelled another way
        spelled(bytes(len(raw))),
    ]:
        assert await feed_error(graphql, bad, period=ACME_ACTIVE) == ["BAD_CURSOR"], bad


async def test_cursors_of_consecutive_events_show_no_counter(
    app: FastAPI, graphql: GraphQL, settle: Callable[[], Awaitable[None]]
) -> None:
    await settle()  # the seed's events readable first, so that `start` is past them
    start = await head(graphql, "alice")
    await save(graphql, "alice", [{"clientId": "a", "performance": {"title": "a"}}])
    await save(graphql, "alice", [{"clientId": "b", "performance": {"title": "b"}}])
    await settle()
    ids, _, cursors = await read_on(graphql, "alice", start, first=1)
    assert len(ids) == 2
    first, second = cursors[0], cursors[1]
    async with app.state.engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT CAST(xact_id AS TEXT), seq FROM goal_events ORDER BY seq DESC LIMIT 2")
            )
        ).all()
    counters = {int(n) for row in rows for n in row if n is not None}
    assert len(counters) >= 2
    for cursor in (first, second):
        raw = sealed_bytes(cursor)
        assert b"c1:" not in raw
        for n in counters:
            assert str(n).encode() not in raw, (cursor, n)
            assert n.to_bytes(8, "big") not in raw and n.to_bytes(8, "little") not in raw
    # Nothing in common that would count up: no shared prefix beyond chance.
    assert sealed_bytes(first)[:4] != sealed_bytes(second)[:4]


@asynccontextmanager
async def other_server(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Another instance over the same database, with its own settings."""
    app = create_app(settings.model_copy(update=changes))
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://other.test") as client:
            yield client
    finally:
        await app.state.engine.dispose()


async def test_every_instance_with_the_same_secret_opens_the_cursor_none_other(
    database_url: str, graphql: GraphQL
) -> None:
    shared = Settings(env="dev", database_url=database_url, cursor_secret=SECRET)
    variables = {"org": "acme", "period": ACME_ACTIVE, "first": 5}
    headers = {"authorization": f"Bearer {demo_token(shared, 'alice')}"}

    async def feed(client: httpx.AsyncClient, after: str | None) -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": FEED, "variables": {**variables, "after": after}},
            headers=headers,
        )
        body: dict[str, Any] = response.json()
        return body

    async with other_server(shared) as one, other_server(shared) as two:
        cursor = (await feed(one, None))["data"]["organization"]["period"]["goalChanges"]["cursor"]
        assert "errors" not in await feed(two, cursor)
    async with other_server(shared, cursor_secret=SecretStr("another-" + SECRET)) as stranger:
        assert error_codes(await feed(stranger, cursor)) == ["BAD_CURSOR"]
    # The test app's own secret (derived from the dev JWT secret) is another one again.
    assert await feed_error(graphql, cursor, period=ACME_ACTIVE) == ["BAD_CURSOR"]


@pytest.mark.parametrize(
    "cursor_secret",
    [None, "short", "x" * 31],
    ids=["unset", "short", "31-chars"],
)
def test_production_without_a_real_cursor_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch, cursor_secret: str | None
) -> None:
    """With JWKS there is no JWT secret to derive the key from: the setting is needed."""
    for name in ("ENV", "JWT_SECRET", "JWKS_URL", "CURSOR_SECRET"):
        monkeypatch.delenv(f"GOALPOST_{name}", raising=False)
    jwks = {
        "env": "production",
        "jwks_url": "https://issuer.example/jwks",
        "jwt_issuer": "https://issuer.example",
        "jwt_audience": "goalpost",
    }
    with pytest.raises(ValidationError, match="GOALPOST_CURSOR_SECRET"):
        Settings(**jwks, cursor_secret=cursor_secret)
    assert Settings(**jwks, cursor_secret=SECRET).cursor_secret is not None

"""The socket itself: the handshake, the token in connection_init, the guard's errors with
their codes, pings, and a subscriber that leaves taking everything of its with it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets

from goalpost.testing import LiveServer
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE
from tests.live.conftest import Sockets, live_subscribers, subscribers
from tests.live.ws import PROTOCOL, LiveSocket


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic YWxpY2U6cGFzcw=="},
        {"Authorization": 42},
    ],
    ids=["missing", "malformed", "not-bearer", "not-a-string"],
)
async def test_a_bad_token_closes_the_socket_with_4403(
    server: LiveServer, payload: dict[str, Any]
) -> None:
    socket = await LiveSocket.open(server.graphql_url, None, payload=payload)
    assert await socket.closed() == (4403, "Forbidden")


async def test_an_expired_token_closes_the_socket_with_4403(
    server: LiveServer, goalpost_token: Callable[..., str]
) -> None:
    socket = await LiveSocket.open(server.graphql_url, goalpost_token("alice", ttl_seconds=-60))
    assert await socket.closed() == (4403, "Forbidden")


async def test_subscribing_before_connection_init_closes_with_4401(server: LiveServer) -> None:
    url = server.graphql_url.replace("http://", "ws://")
    async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        socket = LiveSocket(ws)
        await socket.subscribe("acme", ACME_ACTIVE)
        assert (await socket.closed())[0] == 4401


async def test_the_legacy_graphql_ws_protocol_is_refused(server: LiveServer) -> None:
    url = server.graphql_url.replace("http://", "ws://")
    async with websockets.connect(url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        assert (await LiveSocket(ws).closed())[0] == 4406


async def test_a_websocket_upgrade_is_never_a_500(server: LiveServer) -> None:
    """It was: the context's dependency asked for an HTTP Request, which a WebSocket is not."""
    headers = {
        "connection": "Upgrade",
        "upgrade": "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-protocol": PROTOCOL,
    }
    async with (
        httpx.AsyncClient(base_url=server.url) as http,
        http.stream("GET", "/graphql", headers=headers) as response,
    ):
        assert response.status_code == 101
        assert response.headers["sec-websocket-protocol"] == PROTOCOL


@pytest.mark.parametrize(
    ("org", "period", "code"),
    [
        ("nope", ACME_ACTIVE, "ORG_NOT_FOUND"),
        ("globex", GLOBEX_ACTIVE, "ORG_NOT_FOUND"),  # exists, alice is not a member
        ("acme", GLOBEX_ACTIVE, "PERIOD_NOT_FOUND"),  # another org's period
        ("acme", "not-a-uuid", "PERIOD_NOT_FOUND"),
    ],
)
async def test_the_guard_answers_a_subscription_as_it_answers_a_query(
    socket_for: Sockets, org: str, period: str, code: str
) -> None:
    alice = await socket_for("alice")
    await alice.subscribe(org, period)
    message = await alice.message()
    assert message["type"] == "next", message
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == [code]
    assert (await alice.message())["type"] == "complete"


async def test_a_document_that_does_not_validate_is_a_coded_error(socket_for: Sockets) -> None:
    alice = await socket_for("alice")
    await alice.ws.send(
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "subscription { nope }"}})
    )
    message = await alice.message()
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_server_pings_and_answers_pings(socket_for: Sockets) -> None:
    alice = await socket_for("alice")
    await alice.ws.send(json.dumps({"type": "ping"}))
    assert (await alice.message())["type"] == "pong"
    await alice.subscribe("acme", ACME_ACTIVE)
    async with asyncio.timeout(20):
        while alice.pings == 0:
            await asyncio.wait_for(alice.ws.recv(), 20)
            alice.pings += 1  # the only thing sent on an idle subscription is a ping


async def test_a_subscriber_that_leaves_leaves_nothing_behind(
    server: LiveServer, socket_for: Sockets, graphql: Any
) -> None:
    assert live_subscribers(server.url) == 0
    sockets = [await socket_for(user) for user in ("alice", "carol", "alice")]
    for socket in sockets:
        await socket.subscribe("acme", ACME_ACTIVE)
    await subscribers(server.url, 3)

    await sockets[0].ws.send(json.dumps({"id": "1", "type": "complete"}))  # unsubscribe
    await subscribers(server.url, 2)
    await sockets[1].close()  # a polite close
    await subscribers(server.url, 1)
    sockets[2].ws.transport.abort()  # a dropped connection
    await subscribers(server.url, 0)

    # The feed still serves a newcomer after everyone left.
    again = await socket_for("alice")
    await again.subscribe("acme", ACME_ACTIVE)
    await subscribers(server.url, 1)
    body = await graphql(
        "mutation($i: BatchSaveGoalsInput!) { batchSaveGoals(input: $i) { savedCount } }",
        {
            "i": {
                "orgSlug": "acme",
                "periodId": ACME_ACTIVE,
                "items": [{"clientId": "n", "performance": {"title": "hi"}}],
            }
        },
        user="alice",
    )
    assert body["data"]["batchSaveGoals"]["savedCount"] == 1
    assert (await again.notice())["kind"] == "CREATED"

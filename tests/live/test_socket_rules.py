"""The socket's rules (docs/live.md "Rules of the socket"), over a real socket on the real
uvicorn server: subscriptions only, no longer than the token, the guard asked again while a
subscription runs, each operation on its own context, caps, and protocol errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import websockets

from goalpost.config import Settings
from goalpost.testing import LiveServer
from tests.batch.helpers import BATCH
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import Sockets, subscribers
from tests.live.ws import GOAL_CHANGED, LiveSocket, LoggedErrors

LIMIT = 60.0  # seconds for a whole test: one that would hang fails instead
# How often a subscription asks the guard again on `watched`: small, so a test that removes
# a membership or closes a period sees the subscription end without waiting long.
RECHECK_SECONDS = 0.3

MY_GOALS = """
query($period: ID!) { organization(slug: "acme") { period(id: $period) { myGoals { clientId } } } }
"""
REMOVE_ALICE_FROM_ACME = (
    "DELETE FROM memberships"
    " WHERE user_id = (SELECT id FROM users WHERE email = 'alice@acme.example')"
    " AND organization_id = (SELECT id FROM organizations WHERE slug = 'acme')"
)
CLOSE_ACME_ACTIVE = (
    "UPDATE evaluation_periods SET status = 'CLOSED'"
    " WHERE organization_id = (SELECT id FROM organizations WHERE slug = 'acme')"
    " AND status = 'ACTIVE'"
)


def subscribe(op_id: str, query: str, variables: dict[str, Any] | None = None) -> str:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return json.dumps({"id": op_id, "type": "subscribe", "payload": payload})


def codes(message: dict[str, Any]) -> list[str]:
    """The codes of an `error` message (a list of errors) or of a `next` with errors."""
    payload = message["payload"]
    errors = payload if message["type"] == "error" else payload["errors"]
    return [e["extensions"]["code"] for e in errors]


async def closed(socket: LiveSocket) -> tuple[int | None, str | None]:
    """The close code and reason; fails, rather than waits on pings for ever, if none comes."""
    async with asyncio.timeout(LIMIT):
        return await socket.closed()


async def still_answers(socket: LiveSocket) -> None:
    """The socket is open and served: a ping gets its pong."""
    await socket.ws.send(json.dumps({"type": "ping"}))
    assert (await socket.message())["type"] == "pong"


@pytest.fixture
def logged_errors(server: LiveServer) -> Iterator[LoggedErrors]:
    """What the server logs as a crash while the test runs (LoggedErrors)."""
    with LoggedErrors(server) as errors:
        yield errors


@pytest.fixture(scope="module")
def recheck_server(database_url: str) -> Iterator[LiveServer]:
    """A server of its own with a short GOALPOST_LIVE_RECHECK_SECONDS, on the suite's
    database: the session's server may have been started by another package's tests, with
    other settings."""
    settings = Settings(env="dev", database_url=database_url, live_recheck_seconds=RECHECK_SECONDS)
    with LiveServer(settings) as server:
        yield server


@pytest.fixture
def watched(server: LiveServer, recheck_server: LiveServer) -> LiveServer:
    """recheck_server with the demo data as seeded (`server` has none left subscribed)."""
    recheck_server.reset()
    return recheck_server


# 1. Subscriptions only -----------------------------------------------------------------


async def test_a_mutation_over_the_socket_is_refused_and_writes_nothing(
    socket_for: Sockets, graphql: Any
) -> None:
    alice = await socket_for("alice")
    items = [{"clientId": "over-ws", "performance": {"title": "sent over the socket"}}]
    variables = {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": items}}
    await alice.ws.send(subscribe("1", BATCH, variables))
    message = await alice.message()
    assert (message["type"], message["id"]) == ("error", "1"), message
    assert codes(message) == ["OPERATION_NOT_ALLOWED"]

    await still_answers(alice)
    body = await graphql(MY_GOALS, {"period": ACME_ACTIVE}, user="alice")
    goals = body["data"]["organization"]["period"]["myGoals"]
    assert "over-ws" not in [g["clientId"] for g in goals]
    # HTTP still takes it.
    saved = await graphql(BATCH, variables, user="alice")
    assert saved["data"]["batchSaveGoals"]["savedCount"] == 1


async def test_a_query_over_the_socket_is_refused(socket_for: Sockets) -> None:
    alice = await socket_for("alice")
    await alice.ws.send(subscribe("q", MY_GOALS, {"period": ACME_ACTIVE}))
    message = await alice.message()
    assert (message["type"], message["id"]) == ("error", "q"), message
    assert codes(message) == ["OPERATION_NOT_ALLOWED"]


# 2. No longer than the token -------------------------------------------------------------


async def test_the_socket_closes_with_4403_when_its_token_expires(
    server: LiveServer, goalpost_token: Callable[..., str]
) -> None:
    socket = await LiveSocket.open(server.graphql_url, goalpost_token("alice", ttl_seconds=3))
    try:
        await socket.acked()
        await socket.subscribe("acme", ACME_ACTIVE)
        await subscribers(server.url, 1)
        assert await closed(socket) == (4403, "Token expired")
        await subscribers(server.url, 0)  # nothing of it runs any more
    finally:
        await socket.close()


# 3. The guard asked again while a subscription runs ------------------------------------


async def test_a_removed_membership_ends_the_subscription_with_org_not_found(
    watched: LiveServer, socket_for: Sockets
) -> None:
    async with asyncio.timeout(LIMIT):
        alice = await socket_for("alice", url=watched.graphql_url)
        await alice.subscribe("acme", ACME_ACTIVE)
        await subscribers(watched.url, 1)
        watched.execute_sql(REMOVE_ALICE_FROM_ACME)
        message = await alice.message()
        assert (message["type"], message["id"]) == ("error", "1"), message
        assert codes(message) == ["ORG_NOT_FOUND"]
        await subscribers(watched.url, 0)
        await still_answers(alice)  # the subscription ended, not the socket


async def test_a_closed_period_ends_the_subscription_with_period_closed(
    watched: LiveServer, socket_for: Sockets
) -> None:
    async with asyncio.timeout(LIMIT):
        carol = await socket_for("carol", url=watched.graphql_url)
        await carol.subscribe("acme", ACME_ACTIVE)
        await subscribers(watched.url, 1)
        watched.execute_sql(CLOSE_ACME_ACTIVE)
        message = await carol.message()
        assert (message["type"], message["id"]) == ("error", "1"), message
        assert codes(message) == ["PERIOD_CLOSED"]
        await subscribers(watched.url, 0)


# 7. Each operation on its own context ----------------------------------------------------


async def test_each_subscription_asks_the_guard_afresh(
    watched: LiveServer, socket_for: Sockets
) -> None:
    """The second subscription of a socket is not let in by what the first one was told."""
    async with asyncio.timeout(LIMIT):
        alice = await socket_for("alice", url=watched.graphql_url)
        await alice.subscribe("acme", ACME_ACTIVE, op_id="first")
        await subscribers(watched.url, 1)
        watched.execute_sql(REMOVE_ALICE_FROM_ACME)
        await alice.subscribe("acme", ACME_ACTIVE, op_id="second")
        while True:
            message = await alice.message()
            if message.get("id") == "second":
                break
        assert message["type"] == "next", message
        assert codes(message) == ["ORG_NOT_FOUND"]


# 4. Caps ------------------------------------------------------------------------------------


async def test_a_user_holds_at_most_ten_sockets(
    server: LiveServer, socket_for: Sockets, goalpost_token: Callable[..., str]
) -> None:
    async with asyncio.timeout(LIMIT):
        held = [await socket_for("bob") for _ in range(10)]
        refused = await LiveSocket.open(server.graphql_url, goalpost_token("bob"))
        try:
            code, reason = await closed(refused)
        finally:
            await refused.close()
        assert code == 1008
        assert reason is not None and reason.startswith("TOO_MANY_SOCKETS")
        await still_answers(await socket_for("alice"))  # another user is not held back

        await held[0].close()
        while True:  # the server counts the closed one out as it sees it go
            again = await LiveSocket.open(server.graphql_url, goalpost_token("bob"))
            try:
                message = json.loads(await again.ws.recv())
            except websockets.ConnectionClosed:
                message = {"type": "refused"}
            await again.close()
            if message["type"] == "connection_ack":
                break
            await asyncio.sleep(0.05)


async def test_a_socket_runs_at_most_twenty_subscriptions(
    server: LiveServer, socket_for: Sockets
) -> None:
    async with asyncio.timeout(LIMIT):
        alice = await socket_for("alice")
        for n in range(20):
            await alice.subscribe("acme", ACME_ACTIVE, op_id=str(n))
        # The twenty have the same document: they share one stream, one subscriber of the feed.
        await subscribers(server.url, 1)
        await alice.subscribe("acme", ACME_ACTIVE, op_id="21st")
        message = await alice.message()
        assert (message["type"], message["id"]) == ("error", "21st"), message
        assert codes(message) == ["TOO_MANY_SUBSCRIPTIONS"]

        await alice.ws.send(json.dumps({"id": "0", "type": "complete"}))
        await alice.subscribe("acme", ACME_ACTIVE, op_id="21st")  # a place is free again
        await alice.subscribe("acme", ACME_ACTIVE, op_id="22nd")  # and now none is
        message = await alice.message()
        assert (message["type"], message["id"]) == ("error", "22nd"), message
        assert codes(message) == ["TOO_MANY_SUBSCRIPTIONS"]


async def test_a_message_over_the_body_limit_closes_the_socket_with_1009(
    server: LiveServer, socket_for: Sockets, logged_errors: LoggedErrors
) -> None:
    limit = server.settings.max_body_bytes
    alice = await socket_for("alice")

    def ping(size: int) -> str:
        frame = json.dumps({"type": "ping", "payload": {"pad": ""}})
        return json.dumps({"type": "ping", "payload": {"pad": "x" * (size - len(frame))}})

    await alice.ws.send(ping(limit))  # at the limit: served
    assert (await alice.message())["type"] == "pong"
    await alice.ws.send(ping(limit + 1))
    code, _ = await closed(alice)
    assert code == 1009
    assert logged_errors.records == []


# 5. Protocol errors --------------------------------------------------------------------------

QUERY = {"query": GOAL_CHANGED, "variables": {"org": "acme", "period": ACME_ACTIVE}}
NOT_OF_THE_PROTOCOL: dict[str, Any] = {
    "array": [],
    "array-of-message": [{"type": "ping"}],
    "string": "ping",
    "number": 1,
    "null": None,
    "no-type": {},
    "type-not-a-string": {"type": 1},
    "unknown-type": {"type": "nope"},
    "server-only-type": {"type": "next", "id": "1", "payload": {}},
    "payload-a-string": {"type": "subscribe", "id": "1", "payload": "subscription { x }"},
    "no-payload": {"type": "subscribe", "id": "1"},
    "id-a-number": {"type": "subscribe", "id": 1, "payload": QUERY},
    "id-empty": {"type": "subscribe", "id": "", "payload": QUERY},
    "no-id": {"type": "subscribe", "payload": QUERY},
    "query-not-a-string": {"type": "subscribe", "id": "1", "payload": {"query": 1}},
    "variables-an-array": {"type": "subscribe", "id": "1", "payload": {**QUERY, "variables": []}},
    "operation-name-a-number": {
        "type": "subscribe",
        "id": "1",
        "payload": {**QUERY, "operationName": 3},
    },
    "complete-without-id": {"type": "complete"},
    "ping-payload-a-string": {"type": "ping", "payload": "x"},
}


@pytest.mark.parametrize("message", NOT_OF_THE_PROTOCOL.values(), ids=NOT_OF_THE_PROTOCOL)
async def test_a_message_not_of_the_protocol_closes_with_4400(
    socket_for: Sockets, logged_errors: LoggedErrors, message: Any
) -> None:
    alice = await socket_for("alice")
    await alice.ws.send(json.dumps(message))
    code, reason = await closed(alice)
    assert code == 4400, reason
    assert logged_errors.records == []


@pytest.mark.parametrize(
    "frame",
    [b"\x00\x01", "{not json", "[" * 100_000, '{"type": "ping", "payload": {"n": NaN}}'],
    ids=["binary", "not-json", "nested-too-deeply", "nan"],
)
async def test_a_frame_that_is_not_json_text_closes_with_4400(
    socket_for: Sockets, logged_errors: LoggedErrors, frame: str | bytes
) -> None:
    alice = await socket_for("alice")
    await alice.ws.send(frame)
    assert (await closed(alice))[0] == 4400
    assert logged_errors.records == []


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        ("subscription {", None),
        ("", None),
        ("subscription A { __typename } subscription B { __typename }", None),
        (GOAL_CHANGED, "NoSuchOperation"),
    ],
    ids=["syntax-error", "empty", "which-operation", "unknown-operation-name"],
)
async def test_a_document_that_does_not_parse_or_validate_is_a_coded_error_message(
    socket_for: Sockets, logged_errors: LoggedErrors, query: str, operation_name: str | None
) -> None:
    alice = await socket_for("alice")
    payload = {**QUERY, "query": query, "operationName": operation_name}
    await alice.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    message = await alice.message()
    assert (message["type"], message["id"]) == ("error", "1"), message
    assert set(codes(message)) == {"BAD_USER_INPUT"}
    await still_answers(alice)  # the socket stays open
    assert logged_errors.records == []


# 6. A subscription over HTTP -------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_subscription_over_http_is_a_400_with_its_code(
    http: httpx.AsyncClient, goalpost_token: Callable[..., str], method: str
) -> None:
    params = {"query": GOAL_CHANGED, "variables": json.dumps(QUERY["variables"])}
    headers = {"authorization": f"Bearer {goalpost_token('alice')}"}
    if method == "POST":
        response = await http.post(
            "/graphql", json={**params, "variables": QUERY["variables"]}, headers=headers
        )
    else:
        response = await http.get("/graphql", params=params, headers=headers)
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "SUBSCRIPTION_OVER_HTTP"}

"""Hypothesis-generated graphql-transport-ws traffic over a real socket on the real uvicorn
server: messages of the protocol (some valid, most subtly wrong) and garbage (any JSON, any
text, binary frames). Whatever comes, the server answers or closes with a code of the
protocol, never abnormally (1006), logs no traceback, and still serves afterwards.
Derandomized by default so CI is reproducible; GOALPOST_FUZZ_EXAMPLES asks for more.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator

import httpx
import pytest
import websockets
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from goalpost.config import Settings
from goalpost.testing import LiveServer, demo_token, fresh_sqlite_database
from tests.conftest import ACME_ACTIVE
from tests.live.ws import GOAL_CHANGED, PROTOCOL, LiveSocket, LoggedErrors

EXAMPLES = int(os.environ.get("GOALPOST_FUZZ_EXAMPLES", "40"))
WAIT = 20.0  # seconds for an answer that must come; never a measurement
INIT = "connection_init with a good token"  # replaced by the real message when sent
# The codes the server may close with (docs/live.md): the protocol's, the size cap's, and
# the per-user cap's (never reached here: one socket at a time).
CLOSE_CODES = {1000, 1008, 1009, 4400, 4401, 4403, 4408, 4409, 4429}

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
ids = st.one_of(st.sampled_from(["1", "2", "x" * 300]), st.text(max_size=8), json_values)
queries = st.one_of(
    st.sampled_from(
        [
            GOAL_CHANGED,
            "subscription {",
            "subscription { goalChanged }",
            "query { __typename }",
            "mutation { submitGoals }",
            "{ me { id } }",
            "",
        ]
    ),
    st.text(max_size=60),
    json_values,
)
variables = st.one_of(
    st.just({"org": "acme", "period": ACME_ACTIVE}),
    st.fixed_dictionaries({"org": st.text(max_size=10), "period": st.text(max_size=40)}),
    json_values,
)
subscribe_payloads = st.fixed_dictionaries(
    {"query": queries},
    optional={
        "variables": variables,
        "operationName": st.one_of(st.none(), st.text(max_size=10), json_values),
        "extensions": json_values,
    },
)
messages = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["subscribe"]), "id": ids, "payload": subscribe_payloads}
    ),
    st.fixed_dictionaries(
        {
            "type": st.one_of(
                st.sampled_from(
                    ["connection_init", "ping", "pong", "subscribe", "complete", "next", "error"]
                ),
                json_values,
            )
        },
        optional={"id": ids, "payload": st.one_of(subscribe_payloads, json_values)},
    ),
    json_values,
)
frames = st.one_of(
    messages.map(json.dumps),
    st.just(INIT),
    st.text(max_size=40),
    st.binary(max_size=40),
)
traffic = st.tuples(st.booleans(), st.lists(frames, min_size=1, max_size=6))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("fuzz-socket") / "goalpost.db"
    with (
        fresh_sqlite_database(str(path)) as url,
        LiveServer(Settings(env="dev", database_url=url)) as server,
    ):
        server.reset()
        yield server


async def ends_well(ws: websockets.ClientConnection) -> None:
    """After the traffic: either the socket still answers a ping (whatever else it sends
    first), or the server closed it with a code of the protocol. Never an abnormal close."""
    try:
        await ws.send(json.dumps({"type": "ping"}))
        async with asyncio.timeout(WAIT):
            while True:
                reply = await ws.recv()
                assert isinstance(reply, str)
                if json.loads(reply)["type"] == "pong":
                    return
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None, "closed abnormally (no close frame: 1006)"
        assert closed.rcvd.code in CLOSE_CODES, closed.rcvd


async def still_serves(server: LiveServer, token: str) -> None:
    socket = await LiveSocket.open(server.graphql_url, token)
    try:
        await socket.acked()
        await socket.ws.send(json.dumps({"type": "ping"}))
        assert (await socket.message())["type"] == "pong"
    finally:
        await socket.close()
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get("/healthz")).status_code == 200


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(traffic=traffic)
@example(traffic=(True, [json.dumps([])]))  # a JSON array: a crash (1006) once
@example(traffic=(True, [json.dumps({"type": "subscribe", "id": "1", "payload": "x"})]))
@example(traffic=(True, [json.dumps({"type": "subscribe", "id": "x" * 300, "payload": {}})]))
@example(traffic=(False, [INIT, INIT]))
async def test_random_protocol_traffic_never_crashes_the_socket(
    traffic: tuple[bool, list[str | bytes]], live: LiveServer
) -> None:
    init_first, sent = traffic
    token = demo_token(live.settings, "alice")
    init = json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    url = live.graphql_url.replace("http://", "ws://", 1)
    with LoggedErrors(live) as errors:
        async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
            try:
                for frame in [init] * init_first + sent:
                    await ws.send(init if frame == INIT else frame)
            except websockets.ConnectionClosed:
                pass  # closed by the server mid-way: ends_well says how
            await ends_well(ws)
        await still_serves(live, token)
        live.wait_for_subscribers(0)
    assert errors.records == []

"""The outbound bound of a live socket (docs/live.md): a socket that falls behind is closed
with LIVE_OVERFLOW while the server goes on serving everyone else; the Python AutoSaver comes
back and catches up with nothing missed; a notice is rendered once per socket and sent once
per subscription; a socket that dies is one log line. On a server with a tight bound
(tests/live/tight.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from goalpost.client import AutoSaver, GoalItem, GoalpostClient
from goalpost.config import Settings
from goalpost.testing import LiveServer, demo_token
from tests.batch.helpers import BATCH, goal_id
from tests.client.conftest import eventually
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import subscribers
from tests.live.tight import OVERFLOW, QUEUE_NOTICES, tight_settings
from tests.live.ws import LiveSocket

BATCH_SIZE = 20


@pytest.fixture(scope="module")
def settings_tight(database_url: str) -> Settings:
    return tight_settings(database_url)


@pytest.fixture(scope="module")
def tight_server_running(settings_tight: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings_tight) as server:
        yield server


@pytest.fixture
def tight(tight_server_running: LiveServer) -> LiveServer:
    tight_server_running.reset()
    return tight_server_running


@pytest.fixture
def token(settings_tight: Settings) -> Callable[[str], str]:
    return lambda user: demo_token(settings_tight, user)


@pytest.fixture
async def sockets(tight: LiveServer, token: Callable[[str], str]) -> AsyncIterator[Any]:
    opened: list[LiveSocket] = []

    async def open_(user: str) -> LiveSocket:
        socket = await LiveSocket.open(tight.graphql_url, token(user))
        opened.append(socket)
        return await socket.acked()

    yield open_
    for socket in opened:
        await socket.close()
    await subscribers(tight.url, 0)


async def save(server: LiveServer, token: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            server.graphql_url,
            json={
                "query": BATCH,
                "variables": {
                    "input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": items}
                },
            },
            headers={"authorization": f"Bearer {token}"},
        )
    payload: dict[str, Any] = response.json()["data"]["batchSaveGoals"]
    return payload


def new_goals(prefix: str, count: int) -> list[dict[str, Any]]:
    return [{"clientId": f"{prefix}-{i}", "performance": {"title": f"{i}"}} for i in range(count)]


def metric(server: LiveServer, name: str) -> float:
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


async def test_a_socket_left_behind_is_closed_with_live_overflow_and_others_go_on(
    tight: LiveServer, sockets: Any, token: Callable[[str], str]
) -> None:
    carol = await sockets("carol")  # bob's supervisor: told of all his changes; never reads
    await carol.subscribe("acme", ACME_ACTIVE)
    alice = await sockets("alice")  # told of her own changes only; reads
    await alice.subscribe("acme", ACME_ACTIVE)
    await subscribers(tight.url, 2)

    assert (await save(tight, token("bob"), new_goals("flood", BATCH_SIZE)))["savedCount"] == 20
    assert await carol.closed() == OVERFLOW
    await subscribers(tight.url, 1)  # carol's subscription ended with her socket

    gid = goal_id("alice", "alice-perf-1")
    one = [{"clientId": "p", "id": gid, "expectedVersion": 1, "performance": {"title": "x"}}]
    assert (await save(tight, token("alice"), one))["savedCount"] == 1
    assert (await alice.notice())["goalId"] == gid  # alice's socket is served as before
    assert metric(tight, "goalpost_live_overflows_total") == 1
    lines = tight.log_lines()
    assert len([line for line in lines if "live_socket_overflow" in line]) == 1
    assert not [line for line in lines if "socket.send() raised exception" in line]


async def test_a_notice_is_rendered_once_per_socket_and_sent_to_each_subscription(
    tight: LiveServer, sockets: Any, token: Callable[[str], str]
) -> None:
    alice = await sockets("alice")
    for op_id in ("a", "b", "c"):
        await alice.subscribe("acme", ACME_ACTIVE, op_id)
    other = await sockets("alice")
    await other.subscribe("acme", ACME_ACTIVE)
    await subscribers(tight.url, 2)  # the three of one socket share one stream
    renders = metric(tight, "goalpost_live_notice_renders_total")
    sends = metric(tight, "goalpost_live_notice_sends_total")

    gid = goal_id("alice", "alice-perf-1")
    one = [{"clientId": "p", "id": gid, "expectedVersion": 1, "performance": {"title": "x"}}]
    assert (await save(tight, token("alice"), one))["savedCount"] == 1
    got = [await alice.message() for _ in range(3)]
    assert sorted(m["id"] for m in got) == ["a", "b", "c"]
    assert {m["payload"]["data"]["goalChanged"]["goalId"] for m in got} == {gid}
    assert (await other.notice())["goalId"] == gid
    assert metric(tight, "goalpost_live_notice_renders_total") == renders + 2  # one per socket
    assert metric(tight, "goalpost_live_notice_sends_total") == sends + 4  # one per subscription

    # One of the three leaves, the first one even: the other two are still told.
    await alice.ws.send('{"id": "a", "type": "complete"}')
    one = [{"clientId": "p", "id": gid, "expectedVersion": 2, "performance": {"title": "y"}}]
    assert (await save(tight, token("alice"), one))["savedCount"] == 1
    got = [await alice.message() for _ in range(2)]
    assert sorted(m["id"] for m in got) == ["b", "c"]
    assert (await other.notice())["version"] == 3


async def test_a_dead_socket_is_one_log_line(
    tight: LiveServer, sockets: Any, token: Callable[[str], str]
) -> None:
    carol = await sockets("carol")
    for op_id in ("a", "b"):
        await carol.subscribe("acme", ACME_ACTIVE, op_id)
    await subscribers(tight.url, 1)
    before = len(tight.log_lines())
    carol.ws.transport.abort()  # gone without a close: writes to it fail
    for round_ in range(3):
        await save(tight, token("bob"), new_goals(f"after-{round_}", 2))
    await subscribers(tight.url, 0)
    lines = tight.log_lines()[before:]
    assert not [line for line in lines if "socket.send() raised exception" in line]
    assert len([line for line in lines if "live_socket" in line]) <= 1


def live_saver(client: GoalpostClient) -> AutoSaver:
    return AutoSaver(client, "acme", ACME_ACTIVE, live=True, debounce=0.05, max_wait=0.2)


async def test_the_autosaver_comes_back_from_live_overflow_with_every_change(
    tight: LiveServer, token: Callable[[str], str]
) -> None:
    async with (
        GoalpostClient(tight.graphql_url, token("alice")) as alice,
        GoalpostClient(tight.graphql_url, token("alice")) as laptop,
    ):
        created = [GoalItem(f"more-{i}", "PERFORMANCE", {"title": "new"}) for i in range(6)]
        assert (await laptop.batch_save("acme", ACME_ACTIVE, created)).saved_count == 6
        saver = live_saver(alice)
        await saver.load()
        await subscribers(tight.url, 1)
        mine = await laptop.my_goals("acme", ACME_ACTIVE)
        goals = [g for g in mine if g.client_id.startswith("more-")]
        assert len(goals) > QUEUE_NOTICES  # one batch touching them all overflows the socket

        for round_ in range(3):
            items = [
                GoalItem(
                    g.client_id,
                    g.category,
                    {"title": f"laptop {round_}"},
                    id=g.id,
                    expected_version=g.version + round_,
                )
                for g in goals
            ]
            result = await laptop.batch_save("acme", ACME_ACTIVE, items)
            assert result.saved_count == len(goals), result

            def seen(r: int = round_) -> bool:
                return all(saver.state(g.id).version == g.version + r + 1 for g in goals)

            await eventually(seen, f"round {round_} to be seen")
        for g in goals:
            state = saver.state(g.id)
            assert state.goal is not None and state.goal["title"] == "laptop 2"
            assert state.conflict is None
        assert saver.live is not None and saver.live.overflows >= 1
        assert saver.live.error is None
        await saver.aclose()
    await subscribers(tight.url, 0)

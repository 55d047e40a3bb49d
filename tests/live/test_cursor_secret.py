"""A live AutoSaver whose cursor the server no longer opens (its cursor secret changed: a new
deployment) reads every goal again and goes on following, instead of retrying a catch-up that
can never work (docs/history.md: cursors are sealed with the server's secret)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from goalpost.client import AutoSaver, GoalItem, GoalpostClient
from goalpost.config import Settings
from goalpost.testing import LiveServer, TcpProxy, demo_token
from tests.client.conftest import eventually
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import subscribers


def server_with_secret(database_url: str, secret: str) -> Settings:
    return Settings(env="dev", database_url=database_url, cursor_secret=secret * 32)


@pytest.fixture(scope="module")
def old_and_new(database_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two servers on one database, as before and after a deployment that changed the secret."""
    with (
        LiveServer(server_with_secret(database_url, "a")) as old,
        LiveServer(server_with_secret(database_url, "b")) as new,
    ):
        old.reset()
        yield old, new


async def test_a_refused_cursor_makes_the_saver_read_every_goal_again(
    old_and_new: tuple[LiveServer, LiveServer],
) -> None:
    old, new = old_and_new
    token = demo_token(old.settings, "alice")
    async with (
        TcpProxy(old.host, old.port) as proxy,
        GoalpostClient(proxy.url("/graphql"), token) as alice,
        GoalpostClient(old.graphql_url, token) as laptop_then,
        GoalpostClient(new.graphql_url, token) as laptop,
    ):
        created = [GoalItem("secret-1", "PERFORMANCE", {"title": "v1"})]
        [saved] = (await laptop_then.batch_save("acme", ACME_ACTIVE, created)).saved
        goal_id = saved.goal.id
        saver = AutoSaver(alice, "acme", ACME_ACTIVE, live=True, debounce=0.05)
        await saver.load()
        await subscribers(old.url, 1)

        async def retitle(title: str, version: int, via: GoalpostClient = laptop) -> None:
            """Through one server or the other: on SQLite a server hears only its own commits."""
            item = GoalItem(
                "secret-1",
                "PERFORMANCE",
                {"title": title},
                id=goal_id,
                expected_version=version,
            )
            assert (await via.batch_save("acme", ACME_ACTIVE, [item])).saved_count == 1

        def titled(title: str) -> bool:
            goal = saver.state(goal_id).goal
            return goal is not None and goal["title"] == title

        await retitle("v2", 1, via=laptop_then)
        await eventually(lambda: titled("v2"), "the notice through the old server")
        assert saver.live is not None and saver.live.cursor is not None

        proxy.target = (new.host, new.port)  # the deployment: the same address, a new secret
        proxy.cut_all()
        await retitle("v3", 2)  # while the saver is away
        await eventually(lambda: titled("v3"), "the goal read again from the new server")
        await subscribers(new.url, 1)
        await retitle("v4", 3)
        await eventually(lambda: titled("v4"), "the new server's notices followed")
        assert saver.live.error is None
        await saver.aclose()

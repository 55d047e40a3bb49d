"""A commit whose answer is lost: the server cannot know whether it was saved, and says so.

The connection to PostgreSQL goes through a TCP proxy that forwards the COMMIT and then cuts
the connection before PostgreSQL's answer comes back: the batch is committed, yet the server
used to answer "nothing was saved, please retry". A client that believed it would have thrown
away a save, or told the person their edits were lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url

from goalpost.config import Settings
from goalpost.testing import TcpProxy
from tests.batch.helpers import BATCH, batch_input, goal_id, goals_of, results
from tests.batch.history_helpers import event_rows
from tests.conftest import ACME_ACTIVE, GraphQL, error_codes

UNKNOWN = "may or may not have been saved; resending is safe"


@pytest.fixture
async def postgres_proxy(database_url: str) -> AsyncIterator[TcpProxy]:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs in the process: there is no connection to lose")
    url = make_url(database_url)
    async with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


@pytest.fixture
def settings(settings: Settings, postgres_proxy: TcpProxy) -> Settings:
    """The app reaches PostgreSQL through the proxy; no server-side retries to hide a fault,
    and no ping of an idle connection, so the exchange a test cuts is one of the request's."""
    url = make_url(settings.database_url).set(host="127.0.0.1", port=postgres_proxy.port)
    return settings.model_copy(
        update={
            "database_url": url.render_as_string(hide_password=False),
            "db_write_retries": 0,
            "database_ping_after_idle_s": 3600.0,
        }
    )


@pytest.fixture
def cut_next_commit(app: FastAPI, postgres_proxy: TcpProxy) -> Callable[[], None]:
    """Arms the proxy for the app's next COMMIT: it reaches PostgreSQL, its answer does not."""
    armed: list[bool] = []

    def before_commit(_connection: Connection) -> None:
        if armed:
            armed.clear()
            postgres_proxy.drop_next(after_server=True)

    event.listen(app.state.engine.sync_engine, "commit", before_commit)
    return lambda: armed.append(True)


def items() -> list[dict[str, Any]]:
    return [
        {"clientId": "new", "performance": {"title": "committed, answer lost"}},
        {
            "clientId": "upd",
            "id": goal_id("alice", "alice-perf-1"),
            "expectedVersion": 1,
            "performance": {"title": "changed"},
        },
    ]


async def test_a_commit_whose_answer_is_lost_says_it_may_have_been_saved(
    app: FastAPI,
    graphql: GraphQL,
    postgres_proxy: TcpProxy,
    cut_next_commit: Callable[[], None],
) -> None:
    before = await goals_of(graphql)
    cut_next_commit()
    body = await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE))

    assert postgres_proxy.dropped == 1
    assert body["data"] is None, body
    assert error_codes(body) == ["INTERNAL"]
    error = body["errors"][0]
    assert error["extensions"]["retryable"] is True
    assert UNKNOWN in error["message"]
    assert "nothing was saved" not in error["message"]
    # It was saved: "nothing was saved" would have been untrue.
    after = await goals_of(graphql)
    assert after["new"]["title"] == "committed, answer lost"
    assert after["alice-perf-1"]["version"] == before["alice-perf-1"]["version"] + 1

    # Resending is safe: the create is the same goal, the update is a version conflict.
    resent = results(await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE)))
    assert [r["__typename"] for r in resent] == ["GoalSaved", "GoalVersionConflict"]
    assert resent[0]["goal"]["id"] == after["new"]["id"]
    assert set(await goals_of(graphql)) == set(before) | {"new"}
    kinds = sorted(r["kind"] for r in await event_rows(app))
    assert kinds == ["CREATED", "UPDATED"]  # the resend changed nothing


async def test_the_rest_twin_says_so_too(
    http: httpx.AsyncClient,
    graphql: GraphQL,
    token: Callable[[str], str],
    cut_next_commit: Callable[[], None],
) -> None:
    cut_next_commit()
    response = await http.post(
        "/org/acme/goals/batch-save",
        json={
            "period_id": ACME_ACTIVE,
            "goals": [{"client_id": "rest", "performance": {"title": "via REST"}}],
        },
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    assert response.status_code == 500
    body = response.json()
    assert (body["code"], body["retryable"]) == ("INTERNAL", True)
    assert UNKNOWN in body["message"]
    assert (await goals_of(graphql))["rest"]["title"] == "via REST"


async def test_a_connection_lost_before_the_commit_still_means_nothing_was_saved(
    graphql: GraphQL, postgres_proxy: TcpProxy
) -> None:
    """The outcome is known when the batch never reached COMMIT: rolled back, all of it."""
    before = await goals_of(graphql)
    # The next exchange after the guard's is cut: a statement of the batch, before COMMIT.
    postgres_proxy.drop_next(after_server=False)
    body = await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE))
    assert postgres_proxy.dropped == 1
    assert error_codes(body) == ["INTERNAL"], body
    assert "nothing was saved" in body["errors"][0]["message"]
    assert await goals_of(graphql) == before

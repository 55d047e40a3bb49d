"""The owner's lock rides on the guard's SELECT (issue 15): on PostgreSQL a save or a submit
locks the caller's membership row in the statement that looks up the caller, the org and the
period, one round trip less than a SELECT of its own. A write whose guard answers from the
request's cache (a second write in one request) took no lock in its own transaction, and
still locks, in a statement of its own, before it reads the owner's goals. SQLite locks
nothing (BEGIN IMMEDIATE serializes every writer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from goalpost.testing import StatementCounter
from tests.batch.helpers import BATCH, TWO_BATCHES, batch_input, results, two_batches_input
from tests.conftest import ACME_ACTIVE, GraphQL
from tests.review.helpers import SUBMIT

OWNER_LOCK = "for no key update"
GUARD_LOCK = "for no key update of memberships"


def lowered(counter: StatementCounter) -> list[str]:
    return [" ".join(s.lower().split()) for s in counter.statements]


def locks(statements: list[str]) -> list[str]:
    return [s for s in statements if OWNER_LOCK in s]


async def save(graphql: GraphQL, http: httpx.AsyncClient, token: Callable[[str], str]) -> None:
    item = {"clientId": "locked", "performance": {"title": "Locked"}}
    assert results(await graphql(BATCH, batch_input([item], period=ACME_ACTIVE)))


async def submit(graphql: GraphQL, http: httpx.AsyncClient, token: Callable[[str], str]) -> None:
    body = await graphql(SUBMIT, {"org": "acme", "period": ACME_ACTIVE})
    assert body.get("errors") is None, body


async def rest_save(graphql: GraphQL, http: httpx.AsyncClient, token: Callable[[str], str]) -> None:
    response = await http.post(
        "/org/acme/goals/batch-save",
        json={
            "period_id": ACME_ACTIVE,
            "goals": [{"client_id": "r", "performance": {"title": "R"}}],
        },
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("write", [save, submit, rest_save], ids=["batch", "submit", "rest"])
async def test_a_write_locks_the_owner_in_the_guards_select(
    graphql: GraphQL,
    http: httpx.AsyncClient,
    token: Callable[[str], str],
    count_statements: Callable[[], StatementCounter],
    dialect: str,
    write: Callable[..., Any],
) -> None:
    with count_statements() as counter:
        await write(graphql, http, token)
    statements = lowered(counter)
    if dialect != "postgresql":
        assert locks(statements) == []
        return
    # One lock, and it is the guard's: no separate SELECT of the membership to lock it.
    (lock,) = locks(statements)
    assert "from users" in lock and lock.endswith(GUARD_LOCK), lock
    assert not any(s.startswith("select memberships.id") for s in statements), statements
    # Taken before anything of the owner's goals is read.
    reads = [i for i, s in enumerate(statements) if "from goals" in s]
    assert reads and statements.index(lock) < reads[0], statements


async def test_a_second_write_in_one_request_still_locks_the_owner(
    graphql: GraphQL, count_statements: Callable[[], StatementCounter], dialect: str
) -> None:
    """The second batch's guard answers from the request's cache, on a transaction of its own
    (each write commits): its lock is a statement of its own, before its tally."""
    with count_statements() as counter:
        body = await graphql(TWO_BATCHES, two_batches_input(ACME_ACTIVE))
    assert body.get("errors") is None, body
    assert body["data"]["a"]["savedCount"] == body["data"]["b"]["savedCount"] == 1
    statements = lowered(counter)
    if dialect != "postgresql":
        assert locks(statements) == []
        return
    guard_lock, own_lock = locks(statements)
    assert "from users" in guard_lock and guard_lock.endswith(GUARD_LOCK)
    assert own_lock.startswith("select memberships.id") and "from users" not in own_lock
    # Each before that write's tally of the owner's goals.
    tallies = [i for i, s in enumerate(statements) if "group by goals.category" in s]
    lock_at = [statements.index(guard_lock), statements.index(own_lock)]
    assert len(tallies) == 2 and lock_at[0] < tallies[0] < lock_at[1] < tallies[1], statements

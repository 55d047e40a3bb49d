"""The change feed, `period { goalChanges(after, first) }` (docs/history.md): who sees which events,
and a reader paging from any cursor sees every event exactly once, even while transactions
commit out of order (PostgreSQL)."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from goalpost.models import GoalEventKind
from goalpost.services.demo import demo_id
from goalpost.services.history import EVENTS
from goalpost.testing import StatementCounter
from tests.batch.helpers import BATCH, batch_input, goal_id, results
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE, GraphQL, error_codes
from tests.test_readme import fenced, section

FEED = """
query Feed($org: String!, $period: ID!, $after: String, $first: Int!) {
  organization(slug: $org) { period(id: $period) {
    goalChanges(after: $after, first: $first) {
      events { id goalId kind version actor { name } }
      cursor hasMore
    }
  } }
}
"""


async def settled(engine: AsyncEngine) -> None:
    """Wait until every committed event is readable: no transaction older than its writer is
    still in progress. Transaction ids are server-wide, so on a shared PostgreSQL another
    database's open transaction holds the feed back too (never a miss: only later)."""
    if engine.dialect.name != "postgresql":
        return
    pending = text(
        "SELECT EXISTS (SELECT 1 FROM goal_events"
        " WHERE xact_id >= pg_snapshot_xmin(pg_current_snapshot()))"
    )
    try:
        async with asyncio.timeout(120):
            while True:
                async with engine.connect() as conn:
                    if not await conn.scalar(pending):
                        return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError("a transaction older than the last event never ended") from None


@pytest.fixture
def settle(app: FastAPI) -> Callable[[], Awaitable[None]]:
    return lambda: settled(app.state.engine)


async def page(
    graphql: GraphQL,
    user: str,
    after: str | None = None,
    first: int = 100,
    *,
    org: str = "acme",
    period: str = ACME_ACTIVE,
) -> dict[str, Any]:
    body = await graphql(
        FEED, {"org": org, "period": period, "after": after, "first": first}, user=user
    )
    assert "errors" not in body, body
    feed: dict[str, Any] = body["data"]["organization"]["period"]["goalChanges"]
    return feed


async def read_on(
    graphql: GraphQL, user: str, after: str | None = None, first: int = 2, **where: str
) -> tuple[list[str], str | None, list[str]]:
    """Every page from `after` until hasMore is false: (event ids, last cursor, cursors)."""
    ids: list[str] = []
    cursors: list[str] = []
    cursor = after
    while True:
        feed = await page(graphql, user, cursor, first, **where)
        assert len(feed["events"]) <= first
        ids += [e["id"] for e in feed["events"]]
        cursor = feed["cursor"]
        cursors.append(cursor)
        if not feed["hasMore"]:
            return ids, cursor, cursors


async def head(graphql: GraphQL, user: str, **where: str) -> str | None:
    """The cursor at the end of what the user can read now: past the demo seed's events, so
    that a test reads from it only what it writes itself."""
    return (await read_on(graphql, user, first=500, **where))[1]


async def save(
    graphql: GraphQL, user: str, items: list[dict[str, Any]], period: str = ACME_ACTIVE
) -> list[dict[str, Any]]:
    org = "acme" if period == ACME_ACTIVE else "globex"
    return results(await graphql(BATCH, batch_input(items, org=org, period=period), user=user))


# The events a test wrote: the demo seed's own (request "seed-demo") left out.
NOT_SEEDED = "WHERE request_id IS NULL OR request_id <> 'seed-demo'"


async def stored_ids(app: FastAPI, *owners: str) -> list[str]:
    """The stored events of these owners' goals but the demo seed's, in seq order."""
    wanted = {demo_id("user", o) for o in owners}
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(
            text(f"SELECT id, owner_id FROM goal_events {NOT_SEEDED} ORDER BY seq")
        )
        return [str(uuid.UUID(str(i))) for i, owner in rows if uuid.UUID(str(owner)) in wanted]


async def test_paging_from_any_cursor_returns_every_event_once_in_order(
    app: FastAPI, graphql: GraphQL, settle: Callable[[], Awaitable[None]]
) -> None:
    await settle()
    start = await head(graphql, "alice")
    for n in range(4):
        await save(
            graphql,
            "alice",
            [
                {"clientId": f"a{n}", "performance": {"title": f"Goal {n}"}},
                {"clientId": f"b{n}", "performance": {"title": f"Other {n}"}},
            ],
        )
        await save(graphql, "bob", [{"clientId": f"bob{n}", "performance": {"title": "b"}}])
    await settle()
    expected = await stored_ids(app, "alice")
    assert len(expected) == 8

    one_by_one, end, cursors = await read_on(graphql, "alice", start, first=1)
    assert one_by_one == expected
    for first in (2, 3, 8, 500):
        assert (await read_on(graphql, "alice", start, first=first))[0] == expected
    # From every cursor a reader was given, the rest follows: nothing missed, nothing twice.
    for position, cursor in enumerate(cursors):
        assert (await read_on(graphql, "alice", cursor, first=3))[0] == expected[position + 1 :]

    # At the end: no events, the same cursor back, until something new is written.
    idle = await page(graphql, "alice", end)
    assert idle == {"events": [], "cursor": end, "hasMore": False}
    await save(graphql, "alice", [{"clientId": "late", "performance": {"title": "late"}}])
    await settle()
    assert (await read_on(graphql, "alice", end))[0] == (await stored_ids(app, "alice"))[8:]


async def test_a_batchs_events_follow_the_order_of_its_items(
    graphql: GraphQL, settle: Callable[[], Awaitable[None]]
) -> None:
    """A batch's history is one INSERT of all its events: they are numbered in the order of
    the batch's items, not in the order its goal rows were written (creates by clientId,
    updates and deletes by id)."""
    client_ids = ("e", "b", "d", "a", "c")
    created = await save(
        graphql, "alice", [{"clientId": c, "performance": {"title": c}} for c in client_ids]
    )
    ids = [r["goal"]["id"] for r in created]
    await save(
        graphql,
        "alice",
        [
            {"clientId": "d", "id": ids[2], "performance": {"title": "d2"}},
            {"clientId": "e", "id": ids[0], "delete": True},
            {"clientId": "c", "id": ids[4], "performance": {"title": "c2"}},
        ],
    )
    await settle()
    events = [(e["goalId"], e["kind"]) for e in (await page(graphql, "alice"))["events"]]
    assert [e for e in events if e[0] in ids] == [
        *((i, "CREATED") for i in ids),
        (ids[2], "UPDATED"),
        (ids[0], "DELETED"),
        (ids[4], "UPDATED"),
    ]


async def test_the_owner_and_their_supervisor_see_the_events_deleted_goals_included(
    graphql: GraphQL, settle: Callable[[], Awaitable[None]]
) -> None:
    await settle()
    heads = {user: await head(graphql, user) for user in ("alice", "bob", "carol")}
    globex = {"period": GLOBEX_ACTIVE, "org": "globex"}
    globex_heads = {user: await head(graphql, user, **globex) for user in ("carol", "dave")}
    created = await save(graphql, "alice", [{"clientId": "x", "performance": {"title": "x"}}])
    new_id = created[0]["goal"]["id"]
    await save(graphql, "alice", [{"clientId": "x", "id": new_id, "performance": {"title": "y"}}])
    await save(graphql, "alice", [{"clientId": "x", "id": new_id, "delete": True}])
    await save(
        graphql,
        "bob",
        [
            {
                "clientId": "bob-perf-1",
                "id": goal_id("bob", "bob-perf-1"),
                "performance": {"title": "Cut build time by 60%"},
            }
        ],
    )
    await save(graphql, "carol", [{"clientId": "c", "performance": {"title": "carol's"}}])
    await save(
        graphql, "carol", [{"clientId": "g", "performance": {"title": "g"}}], period=GLOBEX_ACTIVE
    )

    await settle()

    def kinds(feed: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [(e["actor"]["name"], e["goalId"], e["kind"]) for e in feed["events"]]

    alices = [
        ("Alice Anders", new_id, "CREATED"),
        ("Alice Anders", new_id, "UPDATED"),
        ("Alice Anders", new_id, "DELETED"),
    ]
    bobs = [("Bob Brandt", goal_id("bob", "bob-perf-1"), "UPDATED")]
    assert kinds(await page(graphql, "alice", heads["alice"])) == alices
    assert kinds(await page(graphql, "bob", heads["bob"])) == bobs
    carols = kinds(await page(graphql, "carol", heads["carol"]))
    assert carols[:4] == alices + bobs and len(carols) == 5
    assert carols[4][0] == "Carol Chen"
    # In globex carol reports to dave: he sees her globex event, none of acme's.
    daves = kinds(await page(graphql, "dave", globex_heads["dave"], **globex))
    assert [k for _, _, k in daves] == ["CREATED"]
    assert kinds(await page(graphql, "carol", globex_heads["carol"], **globex)) == daves
    outsider = await graphql(
        FEED, {"org": "acme", "period": ACME_ACTIVE, "after": None, "first": 10}, user="dave"
    )
    assert error_codes(outsider) == ["ORG_NOT_FOUND"] and outsider["data"] is None
    # Another org's period through one's own org: not found, nothing shown.
    crossed = await graphql(
        FEED, {"org": "globex", "period": ACME_ACTIVE, "after": None, "first": 10}, user="carol"
    )
    assert error_codes(crossed) == ["PERIOD_NOT_FOUND"]


async def test_a_page_costs_one_select_of_events_however_many_owners_and_actors(
    graphql: GraphQL,
    count_statements: Callable[[], StatementCounter],
    settle: Callable[[], Awaitable[None]],
) -> None:
    await settle()
    start = await head(graphql, "carol")
    measured = {}
    for owners in (("alice",), ("alice", "bob", "carol")):
        for owner in owners:
            await save(
                graphql,
                owner,
                [{"clientId": f"{owner}{n}", "performance": {"title": "t"}} for n in range(5)],
            )
        await settle()
        with count_statements() as counter:
            feed = await page(graphql, "carol", start, first=500)
        selects = [s for s in counter.statements if "goal_events" in s]
        assert len(selects) == 1, selects
        measured[len({e["actor"]["name"] for e in feed["events"]})] = counter.count
    assert list(measured) == [1, 3]
    assert measured[1] == measured[3], measured


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    "after",
    [
        "",
        "not a cursor",
        "%%%",
        _b64("c1:1:x"),
        _b64("c1:-1:2"),
        _b64("c2:0:0"),
        _b64("c1:01:2"),
        _b64("c1:0:" + "9" * 30),
        _b64(f"c1:{2**64}:1"),
        _b64(f"c1:1:{2**63}"),
        "\u00e9t\u00e9",
        _b64("c1:0:0") * 20,
    ],
)
async def test_a_malformed_cursor_is_bad_cursor(graphql: GraphQL, after: str) -> None:
    body = await graphql(FEED, {"org": "acme", "period": ACME_ACTIVE, "after": after, "first": 5})
    assert error_codes(body) == ["BAD_CURSOR"], body
    assert body["data"] is None
    assert "cursor" in body["errors"][0]["message"]


@pytest.mark.parametrize("first", [0, -1, 501, 2**31 - 1])
async def test_first_outside_1_to_500_is_bad_page_size(graphql: GraphQL, first: int) -> None:
    body = await graphql(
        FEED, {"org": "acme", "period": ACME_ACTIVE, "after": None, "first": first}
    )
    assert error_codes(body) == ["BAD_PAGE_SIZE"], body
    assert "between 1 and 500" in body["errors"][0]["message"]


# --- PostgreSQL: transactions that commit out of order ------------------------------------


def alice_event(seq_hint: str) -> dict[str, Any]:
    """An event of one of alice's goals, written by a raw transaction (not the API)."""
    return {
        "id": uuid.uuid4(),
        "goal_id": demo_id("goal", "alice", "alice-perf-1"),
        "organization_id": demo_id("org", "acme"),
        "owner_id": demo_id("user", "alice"),
        "period_id": uuid.UUID(ACME_ACTIVE),
        "kind": GoalEventKind.UPDATED,
        "version": 2,
        "at": datetime.now(UTC),
        "actor_id": demo_id("user", "alice"),
        "request_id": seq_hint,
        "changes": [],
        "comment": None,
    }


async def open_transaction(app: FastAPI) -> AsyncConnection:
    conn = await app.state.engine.connect()
    await conn.begin()
    return conn


async def test_a_slow_transaction_that_began_first_and_commits_last_is_not_skipped(
    app: FastAPI, graphql: GraphQL, dialect: str
) -> None:
    if dialect != "postgresql":
        pytest.skip("SQLite serializes writers: seq order is commit order")
    await settled(app.state.engine)
    seen: list[str] = []
    cursor = await head(graphql, "carol")
    slow = await open_transaction(app)
    try:
        await slow.execute(insert(EVENTS), [alice_event("slow")])  # the smallest seq of all
        for n in range(3):
            await save(graphql, "alice", [{"clientId": f"a{n}", "performance": {"title": "a"}}])
            await save(graphql, "bob", [{"clientId": f"b{n}", "performance": {"title": "b"}}])
            more, cursor, _ = await read_on(graphql, "carol", cursor, first=2)
            seen += more
        read_while_open = list(seen)
        await slow.commit()
    finally:
        await slow.close()
    await settled(app.state.engine)
    more, cursor, _ = await read_on(graphql, "carol", cursor, first=2)
    seen += more
    assert sorted(seen) == sorted(await stored_ids(app, "alice", "bob"))
    assert len(seen) == len(set(seen)) == 7
    # Committed later events were held back while the slow one could still commit before them.
    assert read_while_open == []
    assert (await event_rows_with_ids(app))[0]["request_id"] == "slow"


async def test_a_younger_transaction_with_a_smaller_seq_is_not_skipped(
    app: FastAPI, graphql: GraphQL, dialect: str
) -> None:
    """Why the order is (transaction, seq) and not seq: the older transaction takes its id
    first, the younger one takes the smaller seq and commits last."""
    if dialect != "postgresql":
        pytest.skip("SQLite serializes writers: seq order is commit order")
    await settled(app.state.engine)
    start = await head(graphql, "alice")
    older = await open_transaction(app)
    younger = await open_transaction(app)
    try:
        await older.execute(text("SELECT pg_current_xact_id()"))  # its id is taken first
        await younger.execute(insert(EVENTS), [alice_event("younger")])  # the smaller seq
        await older.execute(insert(EVENTS), [alice_event("older")])
        await older.commit()
        await settled(app.state.engine)  # the younger one is not committed: not waited for
        first_read, cursor, _ = await read_on(graphql, "alice", start, first=1)
        await younger.commit()
    finally:
        await older.close()
        await younger.close()
    await settled(app.state.engine)
    rest, _, _ = await read_on(graphql, "alice", cursor, first=1)
    by_request = {str(r["id"]): r["request_id"] for r in await event_rows_with_ids(app)}
    assert [by_request[i] for i in first_read] == ["older"]
    assert [by_request[i] for i in rest] == ["younger"]


async def event_rows_with_ids(app: FastAPI) -> list[dict[str, Any]]:
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(
            text(f"SELECT id, request_id FROM goal_events {NOT_SEEDED} ORDER BY seq")
        )
        return [{"id": uuid.UUID(str(i)), "request_id": r} for i, r in rows]


async def test_the_readme_paging_example_runs_as_printed(
    graphql: GraphQL, settle: Callable[[], Awaitable[None]]
) -> None:
    [query] = [
        q for q in fenced(section("History and the change feed"), "graphql") if "goalChanges" in q
    ]
    await settle()
    start = await head(graphql, "carol")
    await save(graphql, "alice", [{"clientId": "r", "performance": {"title": "readme"}}])
    await save(graphql, "bob", [{"clientId": "r", "performance": {"title": "readme"}}])
    await settle()
    after = start
    names = []
    for _ in range(2):
        body = await graphql(query, {"period": ACME_ACTIVE, "after": after}, user="carol")
        assert "errors" not in body, body
        feed = body["data"]["organization"]["period"]["goalChanges"]
        names += [e["actor"]["name"] for e in feed["events"]]
        after = feed["cursor"]
        assert feed["hasMore"] is False
    assert names == ["Alice Anders", "Bob Brandt"]


async def test_the_feed_and_the_goals_read_together_in_one_request(
    graphql: GraphQL, settle: Callable[[], Awaitable[None]]
) -> None:
    await save(graphql, "alice", [{"clientId": "both", "performance": {"title": "t"}}])
    await settle()
    body = await graphql(
        """query ($period: ID!) { organization(slug: "acme") { period(id: $period) {
             myGoals { clientId history { id } }
             goalChanges { events { id } hasMore }
             weightTotals { performance } } } }""",
        {"period": ACME_ACTIVE},
    )
    assert "errors" not in body, body
    period = body["data"]["organization"]["period"]
    (mine,) = [g for g in period["myGoals"] if g["clientId"] == "both"]
    # From the start: the seeded goals' events, then this test's, which end the feed.
    feed = period["goalChanges"]
    assert feed["hasMore"] is False and feed["events"][-1:] == mine["history"]
    histories = [e for g in period["myGoals"] for e in g["history"]]
    assert sorted(e["id"] for e in feed["events"]) == sorted(e["id"] for e in histories)

"""GoalpostClient.goal_changes: the change feed, typed, paged by the cursor it returns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from goalpost.client import GoalChanges, GoalItem, GoalpostClient, GoalpostError, GoalSaved
from goalpost.db import create_engine
from tests.conftest import ACME_ACTIVE
from tests.test_goal_changes import settled


@pytest.fixture
async def settle(database_url: str) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Wait until every committed event is readable (see tests/test_goal_changes.settled)."""
    engine = create_engine(database_url)
    yield lambda: settled(engine)
    await engine.dispose()


async def read_all(client: GoalpostClient, after: str | None = None) -> GoalChanges:
    """Every readable event from `after` on, one per page; the last page's cursor."""
    events = []
    while True:
        page = await client.goal_changes("acme", ACME_ACTIVE, after=after, first=1)
        events += page.events
        after = page.cursor
        if not page.has_more:
            return GoalChanges(tuple(events), page.cursor, False)


async def test_goal_changes_pages_typed_events_for_owner_and_supervisor(
    alice: GoalpostClient,
    client_for: Callable[..., GoalpostClient],
    settle: Callable[[], Awaitable[None]],
) -> None:
    # Read from the feed's end as it is now: past the demo seed's events.
    await settle()
    carol, bob = client_for("carol"), client_for("bob")
    start = {who: (await read_all(c)).cursor for who, c in (("alice", alice), ("carol", carol))}
    bob_start = (await read_all(bob)).cursor
    saved = await alice.batch_save(
        "acme", ACME_ACTIVE, [GoalItem("new", "PERFORMANCE", {"title": "Launch", "weight": 5})]
    )
    (created,) = saved.results
    assert isinstance(created, GoalSaved)
    await settle()
    mine = await read_all(alice, start["alice"])
    (event,) = mine.events
    assert (event.kind, event.version, event.goal_id) == ("CREATED", 1, created.goal.id)
    assert event.actor_name == "Alice Anders" and event.comment is None
    assert [(c.field, c.before, c.after) for c in event.changes] == [
        ("weight", None, 5.0),
        ("status", None, "DRAFT"),
        ("title", None, "Launch"),
    ]

    deleted = await alice.batch_save(
        "acme", ACME_ACTIVE, [{"clientId": "new", "id": created.goal.id, "delete": True}]
    )
    assert deleted.saved_count == 1, deleted
    await settle()
    later = await read_all(alice, mine.cursor)
    assert [e.kind for e in later.events] == ["DELETED"]

    assert [e.kind for e in (await read_all(carol, start["carol"])).events] == [
        "CREATED",
        "DELETED",
    ]
    assert (await read_all(bob, bob_start)).events == ()


async def test_a_bad_cursor_or_page_size_is_a_coded_error(alice: GoalpostClient) -> None:
    with pytest.raises(GoalpostError) as bad_cursor:
        await alice.goal_changes("acme", ACME_ACTIVE, after="nope")
    assert bad_cursor.value.code == "BAD_CURSOR" and not bad_cursor.value.retryable
    with pytest.raises(GoalpostError) as bad_first:
        await alice.goal_changes("acme", ACME_ACTIVE, first=0)
    assert bad_first.value.code == "BAD_PAGE_SIZE"

"""A subscriber whose socket dies misses notices, not changes: `goalChanges(after: cursor)`
from the last notice's cursor returns every change it missed, exactly once (docs/history.md,
docs/live.md)."""

from __future__ import annotations

from typing import Any

from goalpost.testing import LiveServer
from tests.batch.helpers import BATCH, goal_id
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import Sockets, subscribers

SAVES = 200
KILLED_AFTER = 80

CHANGES = """
query Changes($org: String!, $period: ID!, $after: String) {
  organization(slug: $org) { period(id: $period) {
    goalChanges(after: $after, first: 500) { events { goalId kind version } cursor hasMore }
  } }
}
"""


def update(gid: str, version: int, title: str) -> dict[str, Any]:
    item = {"clientId": "p", "id": gid, "expectedVersion": version, "performance": {"title": title}}
    return {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": [item]}}


async def changes_after(graphql: Any, cursor: str) -> list[tuple[str, str, int]]:
    events: list[tuple[str, str, int]] = []
    while True:
        body = await graphql(
            CHANGES, {"org": "acme", "period": ACME_ACTIVE, "after": cursor}, user="alice"
        )
        page = body["data"]["organization"]["period"]["goalChanges"]
        events += [(e["goalId"], e["kind"], e["version"]) for e in page["events"]]
        cursor = page["cursor"]
        if not page["hasMore"]:
            return events


async def test_every_missed_change_is_caught_up_exactly_once(
    server: LiveServer, socket_for: Sockets, graphql: Any
) -> None:
    gid = goal_id("alice", "alice-perf-1")
    alice = await socket_for("alice")
    await alice.subscribe("acme", ACME_ACTIVE)
    await subscribers(server.url, 1)

    last_cursor = None
    expected_missed = []
    for i in range(SAVES):
        version = i + 1  # the demo goal starts at 1
        body = await graphql(BATCH, update(gid, version, f"save {i}"), user="alice")
        assert body["data"]["batchSaveGoals"]["savedCount"] == 1, body
        if i < KILLED_AFTER:
            notice = await alice.notice()
            assert (notice["goalId"], notice["version"]) == (gid, version + 1)
            last_cursor = notice["cursor"]
        else:
            expected_missed.append((gid, "UPDATED", version + 1))
        if i == KILLED_AFTER - 1:
            alice.ws.transport.abort()  # the connection drops; the saves go on
            await subscribers(server.url, 0)

    again = await socket_for("alice")
    await again.subscribe("acme", ACME_ACTIVE)
    await subscribers(server.url, 1)
    assert last_cursor is not None
    assert await changes_after(graphql, last_cursor) == expected_missed

    # And the new subscription goes on from there.
    await graphql(BATCH, update(gid, SAVES + 1, "after"), user="alice")
    notice = await again.notice()
    assert notice["version"] == SAVES + 2
    assert await changes_after(graphql, last_cursor) == [
        *expected_missed,
        (gid, "UPDATED", SAVES + 2),
    ]
    assert await changes_after(graphql, notice["cursor"]) == []

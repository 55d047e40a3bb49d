"""Who gets a notice, and when: after commit, for every kind of change, to the goal's owner
and the owner's supervisor only (SPEC §12)."""

from __future__ import annotations

from typing import Any

from tests.batch.helpers import BATCH, goal_id
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE
from tests.live.conftest import Sockets

CAROL = "carol"


def save(client_id: str, title: str, **item: Any) -> dict[str, Any]:
    return {"clientId": client_id, "performance": {"title": title}, **item}


def batch(items: list[dict[str, Any]], period: str = ACME_ACTIVE, **extra: Any) -> dict[str, Any]:
    return {"input": {"orgSlug": "acme", "periodId": period, "items": items, **extra}}


async def saved_goal(graphql: Any, user: str, items: list[dict[str, Any]], **extra: Any) -> Any:
    body = await graphql(BATCH, batch(items, **extra), user=user)
    return body["data"]["batchSaveGoals"]


async def test_owner_and_supervisor_are_told_peer_and_other_org_are_not(
    socket_for: Sockets, graphql: Any
) -> None:
    alice, carol, bob = [await socket_for(u) for u in ("alice", "carol", "bob")]
    for socket in (alice, carol, bob):
        await socket.subscribe("acme", ACME_ACTIVE)
    dave = await socket_for("dave")
    await dave.subscribe("globex", GLOBEX_ACTIVE)

    gid = goal_id("alice", "alice-perf-1")
    payload = await saved_goal(
        graphql, "alice", [save("alice-perf-1", "Live", id=gid, expectedVersion=1)]
    )
    assert payload["savedCount"] == 1
    for socket in (alice, carol):
        notice = await socket.notice()
        assert notice["goalId"] == gid
        assert notice["kind"] == "UPDATED"
        assert notice["version"] == 2
        assert notice["cursor"]

    # Notices go out in the feed's order: had bob or dave been told of alice's change,
    # it would come before the notice of their own next change.
    bob_goal = goal_id("bob", "bob-perf-1")
    await saved_goal(graphql, "bob", [save("bob-perf-1", "Mine", id=bob_goal)])
    assert (await bob.notice())["goalId"] == bob_goal
    dave_body = await graphql(
        BATCH,
        {
            "input": {
                "orgSlug": "globex",
                "periodId": GLOBEX_ACTIVE,
                "items": [save("dave-perf-1", "Mine", id=goal_id("dave", "dave-perf-1"))],
            }
        },
        user="dave",
    )
    assert dave_body["data"]["batchSaveGoals"]["savedCount"] == 1
    assert (await dave.notice())["goalId"] == goal_id("dave", "dave-perf-1")
    # Carol supervises bob in acme: she is told of his change too, after alice's.
    assert (await carol.notice())["goalId"] == bob_goal

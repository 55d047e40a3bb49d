"""Who gets a notice, and when: after commit, for every kind of change, to the goal's owner
and the owner's supervisor only (docs/live.md)."""

from __future__ import annotations

from typing import Any

from goalpost.testing import LiveServer
from tests.batch.helpers import BATCH, goal_id, goals_of
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE
from tests.live.conftest import Sockets, subscribers
from tests.review.helpers import REVIEW, review_input, submit_all

CAROL = "carol"


def save(client_id: str, title: str, **item: Any) -> dict[str, Any]:
    return {"clientId": client_id, "performance": {"title": title}, **item}


def batch(items: list[dict[str, Any]], period: str = ACME_ACTIVE, **extra: Any) -> dict[str, Any]:
    return {"input": {"orgSlug": "acme", "periodId": period, "items": items, **extra}}


async def saved_goal(graphql: Any, user: str, items: list[dict[str, Any]], **extra: Any) -> Any:
    body = await graphql(BATCH, batch(items, **extra), user=user)
    return body["data"]["batchSaveGoals"]


async def test_owner_and_supervisor_are_told_peer_and_other_org_are_not(
    server: LiveServer, socket_for: Sockets, graphql: Any
) -> None:
    alice, carol, bob = [await socket_for(u) for u in ("alice", "carol", "bob")]
    for socket in (alice, carol, bob):
        await socket.subscribe("acme", ACME_ACTIVE)
    dave = await socket_for("dave")
    await dave.subscribe("globex", GLOBEX_ACTIVE)
    await subscribers(server.url, 4)

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


async def test_a_rejected_or_failing_batch_tells_no_one(
    server: LiveServer, socket_for: Sockets, graphql: Any
) -> None:
    alice, carol = [await socket_for(u) for u in ("alice", "carol")]
    for socket in (alice, carol):
        await socket.subscribe("acme", ACME_ACTIVE)
    await subscribers(server.url, 2)
    gid = goal_id("alice", "alice-perf-1")
    # ALL_OR_NOTHING with one failing item: the valid create and update are written, then
    # rolled back; their events go with them, and so does the NOTIFY.
    rejected = await saved_goal(
        graphql,
        "alice",
        [
            save("new-one", "would be created"),
            save("alice-perf-1", "would be saved", id=gid, expectedVersion=1),
            save("stale", "conflict", id=goal_id("alice", "alice-perf-2"), expectedVersion=99),
        ],
        errorPolicy="ALL_OR_NOTHING",
    )
    assert rejected["savedCount"] == 0 and rejected["failedCount"] == 3
    # SAVE_VALID where every item fails: nothing written, nothing to tell.
    failed = await saved_goal(
        graphql, "alice", [save("gone", "x", id=goal_id("bob", "bob-perf-1"))]
    )
    assert failed["failedCount"] == 1

    marker = await saved_goal(graphql, "alice", [save("marker", "after the rejections")])
    marker_id = marker["results"][0]["goal"]["id"]
    for socket in (alice, carol):
        notice = await socket.notice()
        assert (notice["goalId"], notice["kind"]) == (marker_id, "CREATED")


async def test_create_delete_submit_and_review_are_told_with_their_kinds(
    server: LiveServer, socket_for: Sockets, graphql: Any
) -> None:
    alice, carol = [await socket_for(u) for u in ("alice", "carol")]
    for socket in (alice, carol):
        await socket.subscribe("acme", ACME_ACTIVE)
    await subscribers(server.url, 2)

    created = await saved_goal(graphql, "alice", [save("to-delete", "short-lived")])
    doomed = created["results"][0]["goal"]["id"]
    deleted = await saved_goal(
        graphql, "alice", [{"clientId": "to-delete", "id": doomed, "delete": True}]
    )
    assert deleted["savedCount"] == 1
    for socket in (alice, carol):
        told = [await socket.notice() for _ in range(2)]
        assert [(n["goalId"], n["kind"], n["version"]) for n in told] == [
            (doomed, "CREATED", 1),
            (doomed, "DELETED", 2),
        ]

    before = {
        g["id"] for g in (await goals_of(graphql, "alice")).values() if g["status"] == "SUBMITTED"
    }
    goals = await submit_all(graphql, "alice")  # completes the drafts (UPDATED), submits
    submitted = {g["id"] for g in goals.values() if g["status"] == "SUBMITTED"} - before
    assert len(submitted) >= 2
    for socket in (alice, carol):
        kinds: dict[str, list[str]] = {}
        while set(kinds) != submitted or any("SUBMITTED" not in k for k in kinds.values()):
            notice = await socket.notice()
            kinds.setdefault(notice["goalId"], []).append(notice["kind"])
        assert all(k[-1] == "SUBMITTED" for k in kinds.values())

    first, second = sorted(submitted)[:2]
    decisions = [
        {"clientId": "r1", "goalId": first, "decision": "APPROVE"},
        {"clientId": "r2", "goalId": second, "decision": "RETURN", "comment": "Be concrete"},
    ]
    body = await graphql(REVIEW, review_input(decisions), user="carol")
    assert body["data"]["reviewGoals"]["reviewedCount"] == 2
    for socket in (alice, carol):
        notices = [await socket.notice() for _ in range(2)]
        told = {n["goalId"]: (n["kind"], n["actorId"]) for n in notices}
        carol_id = notices[0]["actorId"]
        assert told == {first: ("APPROVED", carol_id), second: ("RETURNED", carol_id)}

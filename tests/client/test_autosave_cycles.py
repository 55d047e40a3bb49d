"""AutoSaver save cycles: one request per cycle, debounce, max-wait, one request in flight.

Time is virtual (VirtualClock); HTTP requests are counted by the live server.
"""

from __future__ import annotations

from typing import Any

from goalpost.client import AutoSaveEvent, GoalpostClient
from goalpost.services.demo import demo_id
from goalpost.testing import LiveServer, VirtualClock
from tests.client.conftest import batch_items, eventually, goal_id, saver_on
from tests.conftest import ACME_ACTIVE

COMMUNICATION = str(demo_id("competency", "acme", "Communication"))
OWNERSHIP = str(demo_id("competency", "acme", "Ownership"))
EXISTING = ["alice-perf-1", "alice-perf-2", "alice-comp-1", "alice-core-1"]


def ten_edits(saver: Any) -> list[str]:
    """Edit 4 seeded goals and add 6 (performance and competency); returns the 10 keys."""
    keys = [goal_id("alice", c) for c in EXISTING]
    saver.edit(keys[0], "PERFORMANCE", {"title": "Grow ARR by 25%"})
    saver.edit(keys[1], "PERFORMANCE", {"weight": 25, "goal_type": "QUALITATIVE"})
    saver.edit(keys[2], "COMPETENCY", {"actionPlan": "Weekly written summaries"})
    saver.edit(keys[3], "CORE_VALUE", {"coreValuePlan": "Mentor two new hires"})
    for n in range(3):
        keys.append(saver.add("PERFORMANCE", {"title": f"New goal {n}", "weight": 5}))
        keys.append(
            saver.add(
                "COMPETENCY",
                {
                    "competencyIds": [COMMUNICATION],
                    "selectedIdealActions": [
                        {"competencyId": COMMUNICATION, "actions": ["Writes clear summaries"]}
                    ],
                    "actionPlan": f"Plan {n}",
                },
            )
        )
    return keys


async def goal_count(client: GoalpostClient) -> int:
    return len(await client.my_goals("acme", ACME_ACTIVE))


async def test_ten_goals_in_one_window_are_one_request_and_updates_after(
    alice: GoalpostClient, server: LiveServer, clock: VirtualClock
) -> None:
    saver = saver_on(alice, clock)
    await saver.load()
    before = await goal_count(alice)
    server.recorder.clear()

    keys = ten_edits(saver)
    saver.edit(keys[4], "PERFORMANCE", {"title": "New goal 0, renamed"})  # coalesces
    await clock.advance(0.79)
    assert server.recorder.graphql() == []  # still inside the debounce window
    await clock.advance(0.01)
    await saver.settle()

    (request,) = server.recorder.graphql()
    assert request.operation == "BatchSaveGoals"
    items = batch_items(request)
    assert len(items) == 10
    assert [i["performance"]["title"] for i in items if i["clientId"] == keys[4]] == [
        "New goal 0, renamed"
    ]
    states = {key: saver.state(key) for key in keys}
    assert {s.state for s in states.values()} == {"saved"}
    created = [states[k] for k in keys[4:]]
    assert all(s.id and s.version == 1 for s in created)
    assert await goal_count(alice) == before + 6

    server.recorder.clear()
    categories = ["PERFORMANCE", "PERFORMANCE", "COMPETENCY", "CORE_VALUE"]
    categories += ["PERFORMANCE", "COMPETENCY"] * 3
    for key, category in zip(keys, categories, strict=True):
        saver.edit(key, category, {"weight": 10})
    await clock.advance(0.8)
    await saver.settle()

    (second,) = server.recorder.graphql("BatchSaveGoals")
    sent = {(i["id"], i["expectedVersion"]) for i in batch_items(second)}
    assert sent == {(states[k].id, states[k].version) for k in keys}  # updates, no creates
    assert all(saver.state(k).state == "saved" for k in keys)
    assert await goal_count(alice) == before + 6
    await saver.aclose()


async def test_continuous_typing_saves_at_max_wait(
    alice: GoalpostClient, server: LiveServer, clock: VirtualClock
) -> None:
    saver = saver_on(alice, clock, debounce=0.8, max_wait=5.0)
    saved_at: list[float] = []
    saver.subscribe(lambda e: saved_at.append(clock.now()) if e.state == "saving" else None)
    key = saver.add("PERFORMANCE", {"title": ""})

    typed = ""
    for letter in "typing without a pause":  # 22 keystrokes, one every 0.5 s: 11 s of typing
        typed += letter
        saver.edit(key, "PERFORMANCE", {"title": typed})
        await clock.advance(0.5)
        await saver.settle()

    assert saved_at[:2] == [5.0, 10.0]  # virtual seconds: each save came at max_wait
    first, second = server.recorder.graphql("BatchSaveGoals")
    assert batch_items(first)[0]["performance"]["title"] == "typing wit"  # 10 keys by t=5
    assert "id" not in batch_items(first)[0] and "id" in batch_items(second)[0]

    await clock.advance(0.8)  # the pause
    await saver.settle()
    assert len(server.recorder.graphql("BatchSaveGoals")) == 3
    assert saver.state(key).goal["title"] == typed  # type: ignore[index]
    assert server.recorder.max_in_flight == 1


async def test_edits_during_an_in_flight_save_go_in_exactly_one_more_request(
    alice: GoalpostClient, server: LiveServer, clock: VirtualClock
) -> None:
    saver = saver_on(alice, clock)
    await saver.load()
    server.recorder.clear()
    perf1 = goal_id("alice", "alice-perf-1")
    new = saver.add("PERFORMANCE", {"title": "Draft"})
    saver.edit(perf1, "PERFORMANCE", {"title": "First"})

    server.recorder.hold()
    await clock.advance(0.8)
    await eventually(lambda: server.recorder.held == 1, "the first save to reach the server")
    assert saver.state(new).state == "saving"

    saver.edit(new, "PERFORMANCE", {"title": "Draft, edited before its create returned"})
    saver.edit(perf1, "PERFORMANCE", {"weight": 35})
    later = saver.add("COMPETENCY", {"actionPlan": "Added while saving"})
    await clock.advance(5.0)  # debounce and max-wait both pass while the request is held
    assert len(server.recorder.graphql()) == 1

    server.recorder.release()
    await saver.settle()

    _, second = server.recorder.graphql("BatchSaveGoals")
    assert server.recorder.max_in_flight == 1
    items = {i["clientId"]: i for i in batch_items(second)}
    assert set(items) == {new, "alice-perf-1", later}
    assert items[new]["id"] == saver.state(new).id and items[new]["expectedVersion"] == 1
    assert items[new]["performance"] == {"title": "Draft, edited before its create returned"}
    assert items["alice-perf-1"]["id"] == perf1 and items["alice-perf-1"]["expectedVersion"] == 2
    assert items["alice-perf-1"]["performance"] == {"weight": 35}
    mine = [g for g in await alice.my_goals("acme", ACME_ACTIVE) if g.client_id == new]
    assert len(mine) == 1 and mine[0].version == 2  # created once, then updated
    await saver.aclose()


async def test_per_goal_baseline_sends_one_request_per_goal(
    alice: GoalpostClient, server: LiveServer, clock: VirtualClock
) -> None:
    saver = saver_on(alice, clock, mode="per_goal")
    await saver.load()
    server.recorder.clear()

    keys = ten_edits(saver)
    await clock.advance(0.8)
    await saver.settle()

    requests = server.recorder.graphql()
    assert len(requests) == 10
    assert {r.operation for r in requests} == {"SaveGoal"}
    assert server.recorder.max_in_flight == 1
    assert all(saver.state(k).state == "saved" for k in keys)


async def test_delete_and_events(
    alice: GoalpostClient, server: LiveServer, clock: VirtualClock
) -> None:
    events: list[AutoSaveEvent] = []
    saver = saver_on(alice, clock, on_event=events.append)
    await saver.load()
    server.recorder.clear()
    perf2 = goal_id("alice", "alice-perf-2")
    never_sent = saver.add("CORE_VALUE", {"coreValuePlan": "typo"})
    saver.delete(never_sent)  # forgotten locally: nothing to send
    saver.delete(perf2)
    await saver.flush()

    (request,) = server.recorder.graphql()
    assert batch_items(request) == [
        {"clientId": "alice-perf-2", "id": perf2, "expectedVersion": 1, "delete": True}
    ]
    assert perf2 not in saver and never_sent not in saver
    assert [(e.key, e.deleted) for e in events if e.deleted] == [(never_sent, True), (perf2, True)]
    assert [e.state for e in events if e.key == perf2] == ["pending", "saving", "saved"]
    assert perf2 not in {g.id for g in await alice.my_goals("acme", ACME_ACTIVE)}

"""A patch the server's types refuse must never poison auto-save (issue 13, point 5).

Such a patch makes the server refuse the whole `batchSaveGoals` request (BAD_USER_INPUT). The
saver refuses what it can see at the call site, and when the server still refuses a request for
one item's input, only that item fails: the others are resent in exactly one more request.
"""

from __future__ import annotations

import pytest

from goalpost.client import GoalpostClient
from goalpost.client.models import camel
from goalpost.testing import LiveServer, VirtualClock
from tests.client.conftest import batch_items, goal_id, saver_on
from tests.conftest import ACME_ACTIVE

CORE = goal_id("alice", "alice-core-1")
PERF = goal_id("alice", "alice-perf-1")
COMP = goal_id("alice", "alice-comp-1")


@pytest.mark.parametrize(
    ("category", "patch", "error"),
    [
        ("CORE_VALUE", {"actionPlan": "a field of competency goals"}, ValueError),
        ("CORE_VALUE", {"action_plan": "the same, in Python's spelling"}, ValueError),
        ("CORE_VALUE", {"coreValuePlan": 5}, TypeError),
        ("CORE_VALUE", {"weight": "ten"}, TypeError),
        ("CORE_VALUE", {"weight": True}, TypeError),
        ("CORE_VALUE", {"weight": float("nan")}, TypeError),
        ("PERFORMANCE", {"goalType": 1}, TypeError),
        ("COMPETENCY", {"competencyIds": "not-a-list"}, TypeError),
        ("COMPETENCY", {"selectedIdealActions": [{"competency": "c", "actions": []}]}, TypeError),
    ],
    ids=[
        "other-categorys-field",
        "other-categorys-field-snake-case",
        "number-for-text",
        "string-for-weight",
        "bool-for-weight",
        "nan-weight",
        "number-for-goal-type",
        "string-for-id-list",
        "misshapen-selection",
    ],
)
async def test_a_patch_the_server_would_refuse_raises_at_the_call_site(
    alice: GoalpostClient,
    server: LiveServer,
    clock: VirtualClock,
    category: str,
    patch: dict[str, object],
    error: type[Exception],
) -> None:
    saver = saver_on(alice, clock)
    await saver.load()
    key = {"CORE_VALUE": CORE, "PERFORMANCE": PERF, "COMPETENCY": COMP}[category]
    with pytest.raises(error, match=camel(next(iter(patch)))):
        saver.edit(key, category, patch)
    with pytest.raises(error):
        saver.add(category, patch)
    assert saver.state(key).unsaved == {} and saver.state(key).state == "idle"
    assert len(saver.keys()) == 6  # the refused add recorded nothing

    # Nothing of it was kept: the next edits save in one request, as always.
    saver.edit(CORE, "CORE_VALUE", {"coreValuePlan": "Mentor two new hires"})
    saver.edit(PERF, "PERFORMANCE", {"title": "Grow ARR by 25%", "weight": 40})
    await clock.advance(0.8)
    await saver.settle()
    (batch,) = server.recorder.graphql("BatchSaveGoals")
    assert len(batch_items(batch)) == 2
    assert saver.state(CORE).state == saver.state(PERF).state == "saved"


async def test_an_item_the_server_refuses_as_bad_input_fails_alone(
    alice: GoalpostClient, server: LiveServer, clock: VirtualClock
) -> None:
    """A goal type the server does not know passes the client's check (a string) and makes the
    server refuse the whole request; that goal alone goes to `error`, and the others are saved
    by exactly one more request."""
    saver = saver_on(alice, clock)
    await saver.load()
    server.recorder.clear()
    saver.edit(CORE, "CORE_VALUE", {"coreValuePlan": "Mentor two new hires"})
    saver.edit(PERF, "PERFORMANCE", {"goalType": "BOGUS", "title": "Typed with the bad type"})
    new = saver.add("COMPETENCY", {"actionPlan": "Pair weekly"})
    await clock.advance(0.8)
    await saver.settle()

    first, second = server.recorder.graphql("BatchSaveGoals")
    assert [i["clientId"] for i in batch_items(first)] == ["alice-core-1", "alice-perf-1", new]
    assert [i["clientId"] for i in batch_items(second)] == ["alice-core-1", new]
    assert saver.state(CORE).state == saver.state(new).state == "saved"
    refused = saver.state(PERF)
    assert refused.state == "error"
    assert refused.message is not None and "performance.goalType" in refused.message
    assert refused.unsaved == {"goalType": "BOGUS", "title": "Typed with the bad type"}

    await clock.advance(60)
    await saver.settle()  # not retried on its own: it waits for an edit, like a validation failure
    assert len(server.recorder.graphql("BatchSaveGoals")) == 2

    saver.edit(PERF, "PERFORMANCE", {"goalType": "QUALITATIVE"})
    await clock.advance(0.8)
    await saver.settle()
    third = server.recorder.graphql("BatchSaveGoals")[2]
    assert [i["clientId"] for i in batch_items(third)] == ["alice-perf-1"]
    assert saver.state(PERF).state == "saved"
    goals = {g.client_id: g for g in await alice.my_goals("acme", ACME_ACTIVE)}
    assert goals["alice-perf-1"]["title"] == "Typed with the bad type"
    assert goals["alice-perf-1"]["goalType"] == "QUALITATIVE"
    assert goals["alice-core-1"]["coreValuePlan"] == "Mentor two new hires"

"""AutoSaver(live=True) against the real server (docs/live.md, issue 13 point 6): tracked goals
follow changes made elsewhere, edits waiting meet them at once as a conflict (never a silent
overwrite), a dropped socket catches up from its cursor, and closing ends the subscription."""

from __future__ import annotations

from collections.abc import Callable

from goalpost.client import AutoSaveEvent, AutoSaver, GoalItem, GoalpostClient
from goalpost.testing import LiveServer
from goalpost.testing.proxy import TcpProxy
from tests.client.conftest import batch_items, eventually, goal_id
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import subscribers

PERF_1 = goal_id("alice", "alice-perf-1")


def live_saver(client: GoalpostClient, events: list[AutoSaveEvent], **options: object) -> AutoSaver:
    settings: dict[str, object] = {"debounce": 0.05, "max_wait": 0.2, "random": lambda: 0.0}
    settings.update(options)
    return AutoSaver(client, "acme", ACME_ACTIVE, live=True, on_event=events.append, **settings)  # type: ignore[arg-type]


async def save_elsewhere(other: GoalpostClient, version: int, title: str) -> None:
    """Alice's other device saves alice-perf-1 at `version`."""
    item = GoalItem(
        "alice-perf-1", "PERFORMANCE", {"title": title}, id=PERF_1, expected_version=version
    )
    result = await other.batch_save("acme", ACME_ACTIVE, [item])
    assert result.saved_count == 1, result


async def test_a_tracked_goal_follows_a_change_made_elsewhere_and_saves_over_it(
    server: LiveServer, alice: GoalpostClient, client_for: Callable[..., GoalpostClient]
) -> None:
    events: list[AutoSaveEvent] = []
    saver = live_saver(alice, events)
    await saver.load()
    await subscribers(server.url, 1)

    await save_elsewhere(client_for("alice"), 1, "From the laptop")
    await eventually(lambda: saver.state(PERF_1).version == 2, "the goal to follow")
    state = saver.state(PERF_1)
    assert state.goal is not None and state.goal["title"] == "From the laptop"
    assert state.conflict is None and state.state == "idle"
    (followed,) = [e for e in events if e.refreshed]
    assert followed.key == PERF_1 and followed.goal is not None and followed.goal.version == 2
    assert len(server.recorder.graphql("MyGoals")) == 2  # the load, then one read for the notice

    # The next save of the followed goal goes out at the version it followed: no conflict.
    cursor = saver.live.cursor if saver.live else None
    saver.edit(PERF_1, "PERFORMANCE", {"weight": 7})
    await saver.flush()
    assert saver.state(PERF_1).state == "saved" and saver.state(PERF_1).version == 3
    (request,) = server.recorder.graphql("BatchSaveGoals")[1:]
    assert [(i["id"], i["expectedVersion"]) for i in batch_items(request)] == [(PERF_1, 2)]
    # Its own save's notice comes too, at a version the saver has: no request for it.
    await eventually(lambda: saver.live is not None and saver.live.cursor != cursor, "notice")
    assert len(server.recorder.graphql("MyGoals")) == 2
    await saver.aclose()
    await subscribers(server.url, 0)  # closing the saver closed its subscription


async def test_an_edit_waiting_meets_the_change_as_a_conflict_not_an_overwrite(
    server: LiveServer, alice: GoalpostClient, client_for: Callable[..., GoalpostClient]
) -> None:
    events: list[AutoSaveEvent] = []
    saver = live_saver(alice, events, debounce=600.0, max_wait=600.0)  # no cycle on its own
    await saver.load()
    await subscribers(server.url, 1)
    saver.edit(PERF_1, "PERFORMANCE", {"weight": 42})

    await save_elsewhere(client_for("alice"), 1, "From the laptop")
    await eventually(lambda: saver.state(PERF_1).state == "error", "the conflict")
    state = saver.state(PERF_1)
    assert state.conflict is not None and state.conflict.version == 2
    assert state.conflict["title"] == "From the laptop"
    assert state.unsaved == {"weight": 42}  # kept, not sent, not dropped
    assert [e.problem.code for e in events if e.problem] == ["VERSION_CONFLICT"]
    await saver.flush()  # held: a flush does not send it over the other change
    assert len(server.recorder.graphql("BatchSaveGoals")) == 1  # the laptop's only

    saver.resolve_conflict(PERF_1, "mine")
    await saver.flush()
    assert saver.state(PERF_1).state == "saved"
    (request,) = server.recorder.graphql("BatchSaveGoals")[1:]
    assert batch_items(request)[0]["expectedVersion"] == 2
    (goal,) = [g for g in await alice.my_goals("acme", ACME_ACTIVE) if g.id == PERF_1]
    assert (goal["title"], goal.weight, goal.version) == ("From the laptop", 42, 3)
    await saver.aclose()


async def test_a_change_that_holds_the_edit_waiting_settles_it_without_a_conflict(
    server: LiveServer, alice: GoalpostClient, client_for: Callable[..., GoalpostClient]
) -> None:
    """The notice of a change that already holds what waits here (our own write whose answer
    was lost, seen before the resend; or the same edit elsewhere) is no conflict."""
    events: list[AutoSaveEvent] = []
    saver = live_saver(alice, events, debounce=600.0, max_wait=600.0)  # no cycle on its own
    await saver.load()
    await subscribers(server.url, 1)
    saver.edit(PERF_1, "PERFORMANCE", {"title": "From the laptop"})

    await save_elsewhere(client_for("alice"), 1, "From the laptop")
    await eventually(lambda: saver.state(PERF_1).version == 2, "the goal to settle")
    state = saver.state(PERF_1)
    assert (state.state, state.conflict, state.unsaved) == ("saved", None, {})
    assert not [e for e in events if e.problem]
    await saver.flush()
    assert len(server.recorder.graphql("BatchSaveGoals")) == 1  # the laptop's only

    saver.edit(PERF_1, "PERFORMANCE", {"weight": 7})  # later edits go out at the new version
    await saver.flush()
    (request,) = server.recorder.graphql("BatchSaveGoals")[1:]
    assert batch_items(request)[0]["expectedVersion"] == 2
    assert saver.state(PERF_1).state == "saved"
    await saver.aclose()


async def test_a_dropped_socket_catches_up_from_its_cursor(
    server: LiveServer, client_for: Callable[..., GoalpostClient]
) -> None:
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        alice = client_for("alice", url=proxy.url("/graphql"))
        saver = live_saver(alice, [], backoff_base=1.0)  # down for 0.5 s
        await saver.load()
        await subscribers(server.url, 1)
        laptop = client_for("alice")
        await save_elsewhere(laptop, 1, "Before the drop")
        await eventually(lambda: saver.state(PERF_1).version == 2, "the first notice")

        proxy.cut_all()
        await subscribers(server.url, 0)
        await save_elsewhere(laptop, 2, "While it was down")
        await eventually(lambda: saver.state(PERF_1).version == 3, "the catch-up")
        state = saver.state(PERF_1)
        assert state.goal is not None and state.goal["title"] == "While it was down"
        assert server.recorder.graphql("GoalChanges")  # read from the cursor, not a reload
        assert saver.live is not None and saver.live.connections >= 2
        await saver.aclose()

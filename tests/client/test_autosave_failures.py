"""AutoSaver under failure: invalid items, real network drops, real database faults, conflicts.

Faults are real: a TCP proxy that drops connections, triggers installed in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from goalpost.client import AutoSaveEvent, GoalpostClient
from goalpost.testing import LiveServer, TcpProxy, VirtualClock
from tests.client.conftest import batch_items, goal_id, saver_on
from tests.conftest import ACME_ACTIVE

# A goal titled 'fail-at-commit' makes COMMIT fail (deferred checks): the server answers
# INTERNAL and writes nothing. A goal titled 'boom' is refused by a row trigger: that item
# alone fails with GoalSaveFailed (retryable).
FAULTS = {
    ("commit", "sqlite"): (
        [
            "CREATE TABLE no_such_parent (id INTEGER PRIMARY KEY)",
            """CREATE TABLE commit_bomb (ref INTEGER REFERENCES no_such_parent (id)
               DEFERRABLE INITIALLY DEFERRED)""",
            """CREATE TRIGGER arm_commit_bomb AFTER INSERT ON goals
               WHEN NEW.title = 'fail-at-commit'
               BEGIN INSERT INTO commit_bomb (ref) VALUES (42); END""",
        ],
        ["DROP TRIGGER arm_commit_bomb", "DROP TABLE commit_bomb", "DROP TABLE no_such_parent"],
    ),
    ("commit", "postgresql"): (
        [
            """CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN IF NEW.title = 'fail-at-commit' THEN RAISE EXCEPTION 'deferred check';
               END IF; RETURN NULL; END $$""",
            """CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON goals
               DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_at_commit()""",
        ],
        ["DROP TRIGGER fail_at_commit ON goals", "DROP FUNCTION fail_at_commit()"],
    ),
    ("row", "sqlite"): (
        [
            """CREATE TRIGGER refuse_boom BEFORE INSERT ON goals WHEN NEW.title = 'boom'
               BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END""",
        ],
        ["DROP TRIGGER refuse_boom"],
    ),
    ("row", "postgresql"): (
        [
            """CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN IF NEW.title = 'boom' THEN RAISE EXCEPTION 'refused'; END IF;
               RETURN NEW; END $$""",
            """CREATE TRIGGER refuse_boom BEFORE INSERT ON goals
               FOR EACH ROW EXECUTE FUNCTION refuse_boom()""",
        ],
        ["DROP TRIGGER refuse_boom ON goals", "DROP FUNCTION refuse_boom()"],
    ),
}


class Fault:
    """A fault planted in the server's database until `heal()`."""

    def __init__(self, server: LiveServer, kind: str, dialect: str) -> None:
        self.server = server
        self.plant, self.cleanup = FAULTS[(kind, dialect)]
        self.active = False

    def __enter__(self) -> Fault:
        self.server.execute_sql(*self.plant)
        self.active = True
        return self

    def heal(self) -> None:
        if self.active:
            self.active = False
            self.server.execute_sql(*self.cleanup)

    def __exit__(self, *exc: object) -> None:
        self.heal()


@pytest.fixture
def fault(server: LiveServer, dialect: str) -> Iterator[Callable[[str], Fault]]:
    planted: list[Fault] = []

    def plant(kind: str) -> Fault:
        planted.append(Fault(server, kind, dialect).__enter__())
        return planted[-1]

    yield plant
    for f in planted:
        f.heal()


async def client_ids(client: GoalpostClient) -> list[str]:
    return [g.client_id for g in await client.my_goals("acme", ACME_ACTIVE)]


def heal_on_first_retry(fault: Fault) -> Callable[[AutoSaveEvent], None]:
    """The fault is transient: it is gone by the time the saver retries."""
    return lambda event: fault.heal() if event.message and "(retrying)" in event.message else None


async def test_one_invalid_item_fails_alone_and_only_it_is_resent_after_the_fix(
    alice: GoalpostClient, server: LiveServer, clock: VirtualClock
) -> None:
    toasts: list[AutoSaveEvent] = []
    saver = saver_on(alice, clock)
    saver.subscribe(lambda e: toasts.append(e) if e.state == "error" else None)
    good = [saver.add("PERFORMANCE", {"title": f"Goal {n}", "weight": 5}) for n in range(9)]
    bad = saver.add("PERFORMANCE", {"title": "x" * 201, "weight": 5})
    await clock.advance(0.8)
    await saver.settle()

    (first,) = server.recorder.graphql("BatchSaveGoals")
    assert len(batch_items(first)) == 10
    assert [saver.state(k).state for k in good] == ["saved"] * 9
    failed = saver.state(bad)
    assert failed.state == "error" and failed.problem is not None
    assert [e.field for e in failed.problem.field_errors] == ["performance.title"]
    assert [t.key for t in toasts] == [bad]  # one toast, for the failed goal

    await clock.advance(10)
    await saver.flush()  # nothing is due: the 9 are saved, the invalid one waits for an edit
    assert len(server.recorder.graphql("BatchSaveGoals")) == 1

    saver.edit(bad, "PERFORMANCE", {"title": "A title of a sensible length"})
    await clock.advance(0.8)
    await saver.settle()
    _, fix = server.recorder.graphql("BatchSaveGoals")
    assert batch_items(fix) == [
        {"clientId": bad, "performance": {"title": "A title of a sensible length", "weight": 5}}
    ]
    assert saver.state(bad).state == "saved"
    assert sorted([*good, bad]) == sorted(
        c for c in await client_ids(alice) if c.startswith("tmp-")
    )


async def test_a_database_refused_item_is_retried_alone(
    alice: GoalpostClient,
    server: LiveServer,
    fault: Callable[[str], Fault],
) -> None:
    clock = VirtualClock(auto=True)
    refused = fault("row")
    saver = saver_on(alice, clock, on_event=heal_on_first_retry(refused))
    good = [saver.add("CORE_VALUE", {"coreValuePlan": f"Plan {n}"}) for n in range(9)]
    boom = saver.add("PERFORMANCE", {"title": "boom"})
    await saver.flush()

    first, retry = server.recorder.graphql("BatchSaveGoals")
    assert len(batch_items(first)) == 10
    assert [i["clientId"] for i in batch_items(retry)] == [boom]  # the 9 saved are not resent
    assert all(saver.state(k).state == "saved" for k in [*good, boom])
    assert 0.25 in clock.sleeps  # backoff_base 0.5 x jitter factor 0.5 (random() = 0)
    ids = await client_ids(alice)
    assert sorted(c for c in ids if c.startswith("tmp-")) == sorted([*good, boom])


async def test_internal_error_is_retried_with_backoff_and_saves_once(
    alice: GoalpostClient, server: LiveServer, fault: Callable[[str], Fault]
) -> None:
    clock = VirtualClock(auto=True)
    events: list[AutoSaveEvent] = []
    commit = fault("commit")
    saver = saver_on(alice, clock, on_event=heal_on_first_retry(commit))
    saver.subscribe(events.append)
    await saver.load()
    server.recorder.clear()
    perf1 = goal_id("alice", "alice-perf-1")
    saver.edit(perf1, "PERFORMANCE", {"title": "Grow ARR by 30%"})
    new = [saver.add("PERFORMANCE", {"title": t}) for t in ("fail-at-commit", "Second")]
    await saver.flush()

    first, retry = server.recorder.graphql("BatchSaveGoals")
    assert batch_items(first) == batch_items(retry)  # nothing was written, all is resent
    assert any(e.message and e.message.startswith("INTERNAL") for e in events)
    assert saver.state(perf1).version == 2 and saver.state(perf1).state == "saved"
    ids = await client_ids(alice)
    assert all(ids.count(k) == 1 for k in new)


@pytest.mark.parametrize("after_server", [False, True], ids=["request-lost", "response-lost"])
async def test_a_dropped_connection_is_retried_without_duplicates(
    server: LiveServer,
    client_for: Callable[..., GoalpostClient],
    after_server: bool,
) -> None:
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        alice = client_for("alice", url=proxy.url("/graphql"))
        clock = VirtualClock(auto=True)
        saver = saver_on(alice, clock)
        await saver.load()
        server.recorder.clear()
        perf1 = goal_id("alice", "alice-perf-1")
        saver.edit(perf1, "PERFORMANCE", {"title": "Grow ARR by 30%"})
        new = [saver.add("COMPETENCY", {"actionPlan": f"Plan {n}"}) for n in range(3)]

        proxy.drop_next(after_server=after_server)
        await saver.flush()

        assert proxy.dropped == 1
        reached = server.recorder.graphql("BatchSaveGoals")
        assert len(reached) == (2 if after_server else 1)
        assert all(saver.state(k).state == "saved" for k in [perf1, *new])
        # After a lost response the resend updates its own write: still one version step.
        assert saver.state(perf1).version == 2
        goals = {g.client_id: g for g in await alice.my_goals("acme", ACME_ACTIVE)}
        assert goals["alice-perf-1"].version == 2
        ids = await client_ids(alice)
        assert all(ids.count(k) == 1 for k in new)


async def test_a_version_conflict_exposes_the_servers_goal(
    alice: GoalpostClient,
    server: LiveServer,
    clock: VirtualClock,
    client_for: Callable[..., GoalpostClient],
) -> None:
    saver = saver_on(alice, clock)
    await saver.load()
    perf1 = goal_id("alice", "alice-perf-1")
    elsewhere = client_for("alice")  # the same user in another tab
    await elsewhere.batch_save(
        "acme",
        ACME_ACTIVE,
        [
            {
                "clientId": "alice-perf-1",
                "id": perf1,
                "expectedVersion": 1,
                "performance": {"title": "Changed in another tab"},
            }
        ],
    )
    server.recorder.clear()

    saver.edit(perf1, "PERFORMANCE", {"title": "Changed here"})
    await clock.advance(0.8)
    await saver.settle()

    state = saver.state(perf1)
    assert state.state == "error"
    assert state.conflict is not None
    assert state.conflict.version == 2 and state.conflict["title"] == "Changed in another tab"
    assert state.unsaved == {"title": "Changed here"}  # kept for the app to decide

    saver.edit(perf1, "PERFORMANCE", {"weight": 45})  # still in conflict: nothing is sent
    await clock.advance(0.8)
    await saver.settle()
    assert len(server.recorder.graphql("BatchSaveGoals")) == 1

    saver.resolve_conflict(perf1, keep="mine")
    await clock.advance(0.8)
    await saver.settle()
    _, resolved = server.recorder.graphql("BatchSaveGoals")
    assert batch_items(resolved)[0]["expectedVersion"] == 2
    assert saver.state(perf1).state == "saved" and saver.state(perf1).version == 3
    (goal,) = [g for g in await alice.my_goals("acme", ACME_ACTIVE) if g.id == perf1]
    assert (goal["title"], goal.weight) == ("Changed here", 45)


async def test_retries_back_off_exponentially_and_give_up_after_max_attempts(
    server: LiveServer, client_for: Callable[..., GoalpostClient]
) -> None:
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        alice = client_for("alice", url=proxy.url("/graphql"))
        clock = VirtualClock(auto=True)
        saver = saver_on(alice, clock, max_attempts=4, backoff_base=0.5)
        key = saver.add("CORE_VALUE", {"coreValuePlan": "Survives an outage"})

        proxy.drop_next(4)
        await saver.flush()

        assert proxy.dropped == 4 and server.recorder.graphql() == []
        assert clock.sleeps == [0.25, 0.5, 1.0]  # 0.5 x 2^n, x 0.5 with the jitter at 0
        state = saver.state(key)
        assert state.state == "error" and state.attempts == 4
        assert state.message is not None and "gave up after 4 attempts" in state.message

        saver.retry(key)  # the app's "Retry" once the network is back
        await saver.flush()
        assert saver.state(key).state == "saved"
        assert len(server.recorder.graphql("BatchSaveGoals")) == 1

"""Item-level rules: idempotent creates, versions, editability, patch semantics, duplicates."""

from __future__ import annotations

from typing import Any

from tests.batch.helpers import (
    BATCH,
    batch_input,
    competency_id,
    goal_id,
    goals_of,
    results,
)
from tests.conftest import ACME_ACTIVE, GraphQL


async def save(graphql: GraphQL, items: list[dict[str, Any]], **extra: Any) -> list[dict[str, Any]]:
    return results(await graphql(BATCH, batch_input(items, period=ACME_ACTIVE, **extra)))


async def test_resending_a_create_batch_never_duplicates_a_goal(graphql: GraphQL) -> None:
    items = [
        {"clientId": "new-a", "performance": {"title": "A", "weight": 10}},
        {"clientId": "new-b", "competency": {"actionPlan": "B"}},
    ]
    first = await save(graphql, items)
    second = await save(graphql, items)

    assert [r["created"] for r in first] == [True, True]
    assert [r["created"] for r in second] == [False, False]
    assert [r["goal"]["id"] for r in second] == [r["goal"]["id"] for r in first]
    assert [r["goal"]["version"] for r in second] == [1, 1]  # same patch: no write
    mine = await goals_of(graphql)
    assert sorted(c for c in mine if c.startswith("new-")) == ["new-a", "new-b"]


async def test_a_resent_create_with_new_values_updates_the_goal_it_created(
    graphql: GraphQL,
) -> None:
    await save(graphql, [{"clientId": "new-a", "performance": {"title": "A"}}])
    again = await save(graphql, [{"clientId": "new-a", "performance": {"title": "A2"}}])
    assert again[0]["created"] is False
    assert again[0]["goal"]["title"] == "A2" and again[0]["goal"]["version"] == 2


async def test_stale_expected_version_is_a_conflict_carrying_the_current_goal(
    graphql: GraphQL,
) -> None:
    gid = goal_id("alice", "alice-perf-1")
    ok = await save(
        graphql,
        [{"clientId": "c", "id": gid, "expectedVersion": 1, "performance": {"title": "v2"}}],
    )
    assert ok[0]["goal"]["version"] == 2

    stale = await save(
        graphql,
        [
            {
                "clientId": "c",
                "id": gid,
                "expectedVersion": 1,
                "performance": {"title": "lost update"},
            }
        ],
    )

    assert stale[0]["__typename"] == "GoalVersionConflict"
    assert stale[0]["code"] == "VERSION_CONFLICT" and stale[0]["retryable"] is False
    assert stale[0]["current"]["version"] == 2 and stale[0]["current"]["title"] == "v2"
    assert (await goals_of(graphql))["alice-perf-1"]["title"] == "v2"


async def test_submitted_goals_are_not_editable_and_rejected_ones_become_drafts(
    graphql: GraphQL,
) -> None:
    before = await goals_of(graphql)
    out = await save(
        graphql,
        [
            {
                "clientId": "s",
                "id": goal_id("alice", "alice-perf-submitted"),
                "performance": {"title": "changed"},
            },
            {"clientId": "s-del", "id": goal_id("alice", "alice-perf-submitted"), "delete": True},
            {
                "clientId": "r",
                "id": goal_id("alice", "alice-perf-rejected"),
                "performance": {"title": "Be awesome, measurably"},
            },
        ],
    )
    assert out[0]["__typename"] == "GoalNotEditable"
    assert out[0]["code"] == "NOT_EDITABLE" and out[0]["status"] == "SUBMITTED"
    assert out[1]["code"] == "DUPLICATE_IN_BATCH"  # the same goal twice in one batch
    assert out[2]["__typename"] == "GoalSaved"
    rejected_version = before["alice-perf-rejected"]["version"]
    assert out[2]["goal"]["status"] == "DRAFT"
    assert out[2]["goal"]["version"] == rejected_version + 1
    after = await goals_of(graphql)
    assert after["alice-perf-submitted"] == before["alice-perf-submitted"]
    assert after["alice-perf-rejected"]["status"] == "DRAFT"

    alone = await save(
        graphql,
        [
            {"clientId": "s-del", "id": goal_id("alice", "alice-perf-submitted"), "delete": True},
        ],
    )
    assert alone[0]["__typename"] == "GoalNotEditable"
    assert "alice-perf-submitted" in await goals_of(graphql)


async def test_patch_semantics_left_out_is_unchanged_and_null_clears(graphql: GraphQL) -> None:
    gid = goal_id("alice", "alice-perf-1")
    before = (await goals_of(graphql))["alice-perf-1"]
    assert before["specificGoal"] and before["goalType"] == "QUANTITATIVE"

    out = await save(
        graphql,
        [
            {
                "clientId": "p",
                "id": gid,
                "performance": {"specificGoal": None, "meansMethods": "Demos"},
            }
        ],
    )

    goal = out[0]["goal"]
    assert goal["specificGoal"] is None  # sent as null: cleared
    assert goal["meansMethods"] == "Demos"  # sent: set
    assert goal["title"] == before["title"]  # left out: unchanged
    assert goal["goalType"] == "QUANTITATIVE" and goal["weight"] == before["weight"]
    assert (await goals_of(graphql))["alice-perf-1"] == goal


async def test_a_patch_that_changes_nothing_writes_nothing(graphql: GraphQL) -> None:
    gid = goal_id("alice", "alice-perf-1")
    before = (await goals_of(graphql))["alice-perf-1"]
    out = await save(
        graphql,
        [
            {
                "clientId": "p",
                "id": gid,
                "expectedVersion": 1,
                "performance": {"title": before["title"], "weight": 40.0},
            }
        ],
    )
    assert out[0]["__typename"] == "GoalSaved" and out[0]["goal"]["version"] == 1


async def test_repeated_client_id_or_goal_id_fails_on_later_occurrences(graphql: GraphQL) -> None:
    gid = goal_id("alice", "alice-perf-2")
    out = await save(
        graphql,
        [
            {"clientId": "dup", "performance": {"title": "first"}},
            {"clientId": "dup", "performance": {"title": "second"}},
            {"clientId": "x1", "id": gid, "performance": {"title": "one"}},
            {"clientId": "x2", "id": gid, "performance": {"title": "two"}},
        ],
    )
    assert [r["__typename"] for r in out] == [
        "GoalSaved",
        "GoalValidationFailed",
        "GoalSaved",
        "GoalValidationFailed",
    ]
    assert [out[1]["code"], out[3]["code"]] == ["DUPLICATE_IN_BATCH", "DUPLICATE_IN_BATCH"]
    mine = await goals_of(graphql)
    assert mine["dup"]["title"] == "first" and mine["alice-perf-2"]["title"] == "one"


async def test_validation_errors_name_their_fields(graphql: GraphQL) -> None:
    comm = competency_id("acme", "Communication")
    globex_comp = competency_id("globex", "Craft")
    out = await save(
        graphql,
        [
            {"clientId": "w1", "performance": {"weight": 100.5}},
            {"clientId": "w2", "performance": {"weight": 12.345}},
            {"clientId": "w3", "performance": {"weight": -1}},
            {"clientId": "c1", "competency": {"competencyIds": [comm, globex_comp]}},
            {
                "clientId": "c2",
                "competency": {
                    "competencyIds": [comm],
                    "selectedIdealActions": [{"competencyId": comm, "actions": ["Not an action"]}],
                },
            },
            {"clientId": "none"},
            {"clientId": "two", "performance": {"title": "a"}, "coreValue": {"coreValuePlan": "b"}},
            {"clientId": "", "performance": {"title": "no key"}},
            {"clientId": "k" * 65, "performance": {"title": "long key"}},
            {"clientId": "cat", "id": goal_id("alice", "alice-perf-1"), "coreValue": {"weight": 1}},
            {"clientId": "nul", "performance": {"title": "a\u0000b"}},
            {"clientId": "c3", "competency": {"competencyIds": ["not-a-uuid"]}},
        ],
    )
    fields = [[e["field"] for e in r.get("fieldErrors", [])] for r in out]
    assert all(r["__typename"] == "GoalValidationFailed" for r in out), out
    assert fields[0] == ["performance.weight"]
    assert fields[1] == ["performance.weight"]
    assert fields[2] == ["performance.weight"]
    assert fields[3] == ["competency.competencyIds.1"]  # another org's competency
    assert fields[4] == [f"competency.selectedIdealActions.{comm}"]
    assert fields[5] == ["performance"] and fields[6] == ["performance"]
    assert fields[7] == ["clientId"] and fields[8] == ["clientId"]
    assert fields[9] == ["coreValue"]
    assert fields[10] == ["performance.title"]
    assert fields[11] == ["competency.competencyIds.0"]
    assert set(await goals_of(graphql)) == {
        "alice-perf-1",
        "alice-perf-2",
        "alice-comp-1",
        "alice-core-1",
        "alice-perf-submitted",
        "alice-perf-rejected",
    }


async def test_competency_goal_keeps_only_ideal_actions_of_its_competencies(
    graphql: GraphQL,
) -> None:
    comm, own = competency_id("acme", "Communication"), competency_id("acme", "Ownership")
    gid = goal_id("alice", "alice-comp-1")
    out = await save(
        graphql,
        [
            {
                "clientId": "c",
                "id": gid,
                "competency": {
                    "competencyIds": [own, comm],
                    "selectedIdealActions": [
                        {"competencyId": own, "actions": ["Raises risks early"]}
                    ],
                },
            }
        ],
    )
    goal = out[0]["goal"]
    assert goal["competencyIds"] == [own, comm]
    assert goal["selectedIdealActions"] == [
        {"competencyId": own, "actions": ["Raises risks early"]}
    ]
    # Taking a competency off the goal drops its selected actions with it.
    out = await save(
        graphql, [{"clientId": "c", "id": gid, "competency": {"competencyIds": [comm]}}]
    )
    assert out[0]["goal"]["selectedIdealActions"] == []


async def test_all_or_nothing_writes_nothing_when_one_item_fails(graphql: GraphQL) -> None:
    before = await goals_of(graphql)
    out = await save(
        graphql,
        [
            {"clientId": "ok", "performance": {"title": "fine"}},
            {"clientId": "bad", "performance": {"title": "x" * 201}},
        ],
        errorPolicy="ALL_OR_NOTHING",
    )
    assert out[0]["__typename"] == "GoalSaveFailed"
    assert out[0]["code"] == "BATCH_REJECTED" and out[0]["retryable"] is True
    assert out[1]["code"] == "VALIDATION_FAILED"
    assert await goals_of(graphql) == before

    fine = await save(
        graphql,
        [{"clientId": "ok", "performance": {"title": "fine"}}],
        errorPolicy="ALL_OR_NOTHING",
    )
    assert fine[0]["__typename"] == "GoalSaved"

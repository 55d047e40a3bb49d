"""reviewGoals and teamGoals through GraphQL (docs/review.md, issue 12 acceptance 1 and 2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from goalpost.testing import StatementCounter
from tests.batch.helpers import BATCH, batch_input, goal_id, goals_of, results
from tests.batch.history_helpers import history_inserts
from tests.conftest import ACME_ACTIVE, ACME_CLOSED, GLOBEX_ACTIVE, GraphQL, error_codes
from tests.review.helpers import REVIEW, SUBMIT, review_input, reviewed, submit_all, team_goals


async def test_carol_reviews_her_reports_goals_in_one_request(graphql: GraphQL) -> None:
    alice = await submit_all(graphql, "alice")
    bob = await submit_all(graphql, "bob")

    # carol sees every submitted goal of alice and bob, with owners; bob sees none.
    team = await team_goals(graphql, "carol", "SUBMITTED")
    assert {g["id"] for g in team} == {g["id"] for g in [*alice.values(), *bob.values()]}
    assert {g["owner"]["email"] for g in team} == {"alice@acme.example", "bob@acme.example"}
    # No review yet but the seeded one of alice's returned goal, handed in again.
    reviews = {g["clientId"]: g["review"] for g in team if g["review"] is not None}
    assert list(reviews) == ["alice-perf-rejected"]
    assert reviews["alice-perf-rejected"]["decision"] == "RETURN"
    comp = next(g for g in team if g["clientId"] == "alice-comp-1")
    assert {c["name"] for c in comp["competencies"]} == {"Communication", "Ownership"}
    assert await team_goals(graphql, "bob") == []
    assert await team_goals(graphql, "alice") == []

    approve = [alice["alice-perf-1"], bob["bob-perf-1"]]
    give_back = [alice["alice-perf-2"], alice["alice-core-1"]]
    items = [
        {
            "clientId": "a1",
            "goalId": approve[0]["id"],
            "expectedVersion": approve[0]["version"],
            "decision": "APPROVE",
        },
        {
            "clientId": "r1",
            "goalId": give_back[0]["id"],
            "decision": "RETURN",
            "comment": "Make it measurable",
        },
        {"clientId": "a2", "goalId": approve[1]["id"], "decision": "APPROVE", "comment": "Nice"},
        {
            "clientId": "r2",
            "goalId": give_back[1]["id"],
            "expectedVersion": give_back[1]["version"],
            "decision": "RETURN",
            "comment": "Be specific",
        },
    ]
    body = await graphql(REVIEW, review_input(items), user="carol")
    out = reviewed(body)
    assert [r["clientId"] for r in out] == ["a1", "r1", "a2", "r2"]
    assert [r["goal"]["status"] for r in out] == ["APPROVED", "REJECTED", "APPROVED", "REJECTED"]
    assert body["data"]["reviewGoals"]["reviewedCount"] == 4
    assert body["data"]["reviewGoals"]["failedCount"] == 0
    assert out[0]["goal"]["version"] == approve[0]["version"] + 1
    assert out[1]["goal"]["review"]["comment"] == "Make it measurable"
    assert out[1]["goal"]["review"]["decision"] == "RETURN"
    assert out[1]["goal"]["review"]["reviewer"]["name"] == "Carol Chen"
    assert out[2]["goal"]["review"]["comment"] == "Nice"

    # Approved goals are not editable (the owner's edit is refused).
    edit = batch_input(
        [{"clientId": "x", "id": approve[0]["id"], "performance": {"title": "changed"}}],
        period=ACME_ACTIVE,
    )
    assert results(await graphql(BATCH, edit))[0]["__typename"] == "GoalNotEditable"
    # The owner sees the review on her returned goal; her edit makes it a draft again.
    goals = await goals_of(graphql, "alice")
    assert goals["alice-perf-2"]["status"] == "REJECTED"
    body = await graphql(
        """query($p: ID!) { organization(slug: "acme") { period(id: $p) { myGoals {
             clientId review { decision comment reviewer { name } reviewedAt }
             history { kind comment actor { name } } } } } }""",
        {"p": ACME_ACTIVE},
    )
    mine = {g["clientId"]: g for g in body["data"]["organization"]["period"]["myGoals"]}
    assert mine["alice-perf-2"]["review"]["comment"] == "Make it measurable"
    assert mine["alice-perf-2"]["review"]["reviewedAt"]
    assert mine["alice-perf-2"]["history"][-1] == {
        "kind": "RETURNED",
        "comment": "Make it measurable",
        "actor": {"name": "Carol Chen"},
    }
    assert mine["alice-perf-1"]["history"][-1]["kind"] == "APPROVED"
    assert mine["alice-perf-submitted"]["review"] is None
    edit = batch_input(
        [{"clientId": "y", "id": give_back[0]["id"], "performance": {"title": "Ship it by June"}}],
        period=ACME_ACTIVE,
    )
    saved = results(await graphql(BATCH, edit))[0]
    assert saved["__typename"] == "GoalSaved" and saved["goal"]["status"] == "DRAFT"
    # ...and she can hand it in again (the approved goal stays approved).
    body = await graphql(SUBMIT, {"org": "acme", "period": ACME_ACTIVE})
    assert body["data"]["submitGoals"]["submitted"], body
    goals = await goals_of(graphql, "alice")
    assert goals["alice-perf-2"]["status"] == "SUBMITTED"
    assert goals["alice-core-1"]["status"] == "SUBMITTED"
    assert goals["alice-perf-1"]["status"] == "APPROVED"


async def test_every_other_target_is_not_found_the_same_way(graphql: GraphQL) -> None:
    await submit_all(graphql, "alice")
    await submit_all(graphql, "bob")
    # carol's own goal (globex, where dave supervises her), dave's, another org's, absent,
    # malformed; and for bob (no reports) his peer alice's submitted goal.
    targets = [
        goal_id("carol", "carol-perf-1"),
        goal_id("dave", "dave-perf-1"),
        str(uuid.uuid4()),
        "not-a-uuid",
        goal_id("alice", "alice-perf-submitted"),
    ]
    for user, org, period, goal in [
        ("carol", "acme", ACME_ACTIVE, targets[0]),
        ("carol", "acme", ACME_ACTIVE, targets[1]),
        ("carol", "globex", GLOBEX_ACTIVE, targets[0]),  # her own goal, in its own org
        ("carol", "globex", GLOBEX_ACTIVE, targets[1]),  # a peer's? no: her supervisor's
        ("carol", "globex", GLOBEX_ACTIVE, targets[4]),  # another org's goal
        ("carol", "acme", ACME_ACTIVE, targets[2]),
        ("carol", "acme", ACME_ACTIVE, targets[3]),
        ("bob", "acme", ACME_ACTIVE, targets[4]),  # a peer's
        ("alice", "acme", ACME_ACTIVE, targets[4]),  # her own
        ("dave", "globex", GLOBEX_ACTIVE, targets[4]),  # another team's, another org
    ]:
        for decision in ("APPROVE", "RETURN"):
            item = {"clientId": "t", "goalId": goal, "decision": decision, "comment": "c"}
            variables = {"input": {"orgSlug": org, "periodId": period, "items": [item]}}
            out = reviewed(await graphql(REVIEW, variables, user=user))
            assert out == [
                {
                    "__typename": "GoalNotFound",
                    "clientId": "t",
                    "code": "NOT_FOUND",
                    "message": "Goal not found.",
                    "retryable": False,
                }
            ], (user, goal)
    # Nothing changed.
    goals = await goals_of(graphql, "alice")
    assert goals["alice-perf-submitted"]["status"] == "SUBMITTED"


async def test_item_problems_each_fail_alone(graphql: GraphQL) -> None:
    alice = await submit_all(graphql, "alice")
    perf1, perf2 = alice["alice-perf-1"], alice["alice-perf-2"]
    draft = (await submit_all(graphql, "bob"))["bob-perf-1"]
    # bob's goal is SUBMITTED; make one of alice's a non-submitted one by reviewing it first.
    first = reviewed(
        await graphql(
            REVIEW,
            review_input([{"clientId": "a", "goalId": perf2["id"], "decision": "APPROVE"}]),
            user="carol",
        )
    )
    assert first[0]["__typename"] == "GoalReviewed"
    items = [
        {"clientId": "no-comment", "goalId": perf1["id"], "decision": "RETURN"},
        {
            "clientId": "blank",
            "goalId": alice["alice-core-1"]["id"],
            "decision": "RETURN",
            "comment": "   ",
        },
        {
            "clientId": "long",
            "goalId": alice["alice-comp-1"]["id"],
            "decision": "APPROVE",
            "comment": "x" * 2001,
        },
        {"clientId": "approved", "goalId": perf2["id"], "decision": "APPROVE"},
        {"clientId": "stale", "goalId": draft["id"], "expectedVersion": 1, "decision": "APPROVE"},
        {
            "clientId": "ok",
            "goalId": alice["alice-perf-submitted"]["id"],
            "decision": "APPROVE",
            "comment": "x" * 2000,
        },
        {"clientId": "twice", "goalId": alice["alice-perf-submitted"]["id"], "decision": "APPROVE"},
        {"clientId": "ok", "goalId": alice["alice-perf-rejected"]["id"], "decision": "APPROVE"},
    ]
    body = await graphql(REVIEW, review_input(items), user="carol")
    out = reviewed(body)
    assert [(r["__typename"], r.get("code")) for r in out] == [
        ("GoalValidationFailed", "VALIDATION_FAILED"),
        ("GoalValidationFailed", "VALIDATION_FAILED"),
        ("GoalValidationFailed", "VALIDATION_FAILED"),
        ("GoalNotReviewable", "NOT_REVIEWABLE"),
        ("GoalVersionConflict", "VERSION_CONFLICT"),
        ("GoalReviewed", None),
        ("GoalValidationFailed", "DUPLICATE_IN_BATCH"),
        ("GoalValidationFailed", "DUPLICATE_IN_BATCH"),
    ]
    assert [e["field"] for e in out[0]["fieldErrors"]] == ["comment"]
    assert [e["field"] for e in out[2]["fieldErrors"]] == ["comment"]
    assert out[3]["status"] == "APPROVED"
    assert out[4]["current"] == {
        "id": draft["id"],
        "version": draft["version"],
        "status": "SUBMITTED",
    }
    assert body["data"]["reviewGoals"]["reviewedCount"] == 1
    assert body["data"]["reviewGoals"]["failedCount"] == 7


async def test_all_or_nothing_writes_nothing_when_one_fails(graphql: GraphQL) -> None:
    alice = await submit_all(graphql, "alice")
    items = [
        {"clientId": "a", "goalId": alice["alice-perf-1"]["id"], "decision": "APPROVE"},
        {"clientId": "b", "goalId": alice["alice-perf-2"]["id"], "decision": "RETURN"},
    ]
    out = reviewed(
        await graphql(REVIEW, review_input(items, errorPolicy="ALL_OR_NOTHING"), user="carol")
    )
    assert [r.get("code") for r in out] == ["BATCH_REJECTED", "VALIDATION_FAILED"]
    assert {g["status"] for g in (await goals_of(graphql, "alice")).values()} == {"SUBMITTED"}


async def test_period_must_be_active_and_the_request_budget_counts_reviews(
    graphql: GraphQL,
) -> None:
    item = {
        "clientId": "a",
        "goalId": goal_id("alice", "alice-perf-submitted"),
        "decision": "APPROVE",
    }
    body = await graphql(
        REVIEW,
        {"input": {"orgSlug": "acme", "periodId": ACME_CLOSED, "items": [item]}},
        user="carol",
    )
    assert error_codes(body) == ["PERIOD_CLOSED"]
    assert (
        body["errors"][0]["message"] == "Goals can only be reviewed in an ACTIVE evaluation period."
    )
    # 150 review items plus 60 save items in one request: over the 200 budget, nothing written.
    many = [
        {"clientId": f"r{i}", "goalId": str(uuid.uuid4()), "decision": "APPROVE"}
        for i in range(150)
    ]
    saves = [{"clientId": f"s{i}", "performance": {"title": "t"}} for i in range(60)]
    body = await graphql(
        """mutation($r: ReviewGoalsInput!, $s: BatchSaveGoalsInput!) {
             reviewGoals(input: $r) { reviewedCount }
             batchSaveGoals(input: $s) { savedCount } }""",
        {"r": review_input(many)["input"], "s": batch_input(saves, period=ACME_ACTIVE)["input"]},
        user="carol",
    )
    assert error_codes(body) == ["BATCH_TOO_LARGE"]
    assert await goals_of(graphql, "carol") == {}


async def test_statements_are_constant_in_the_number_of_items(
    graphql: GraphQL, count_statements: Callable[[], StatementCounter]
) -> None:
    alice = await submit_all(graphql, "alice", extra=120)
    ids = [g["id"] for g in alice.values()]
    measured: dict[int, int] = {}
    history: dict[int, int] = {}
    start = 0
    for size in (1, 10, 100):
        chosen = ids[start : start + size]
        start += size
        items = [
            {
                "clientId": f"c{i}",
                "goalId": gid,
                "decision": "RETURN" if i % 2 else "APPROVE",
                "comment": "why",
            }
            for i, gid in enumerate(chosen)
        ]
        with count_statements() as counter:
            out = reviewed(await graphql(REVIEW, review_input(items), user="carol"))
        assert all(r["__typename"] == "GoalReviewed" for r in out), out[:3]
        measured[size] = counter.count
        history[size] = history_inserts(counter)
    print("SQL statements per reviewGoals request:", measured)
    assert measured[1] == measured[10] == measured[100] <= 8 + 1
    assert history == {1: 1, 10: 1, 100: 1}


async def test_team_goals_read_owners_without_n_plus_one(
    graphql: GraphQL, count_statements: Callable[[], StatementCounter]
) -> None:
    await submit_all(graphql, "bob")
    with count_statements() as counter:
        small = await team_goals(graphql, "carol")
    await submit_all(graphql, "alice", extra=40)
    with count_statements() as counter_big:
        big = await team_goals(graphql, "carol")
    assert len(big) == len(small) + 40  # two owners, competency goals among them
    assert counter_big.count == counter.count

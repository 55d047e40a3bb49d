"""submitGoals: all goals complete and performance weights summing to 100, or why not."""

from __future__ import annotations

from goalpost.client import documents
from tests.batch.helpers import BATCH, batch_input, competency_id, goal_id, results
from tests.conftest import ACME_ACTIVE, ACME_CLOSED, GraphQL, error_codes

SUBMIT = (
    """
mutation Submit($org: String!, $period: ID!) {
  submitGoals(orgSlug: $org, periodId: $period) {
    submitted
    goals { ...GoalFields }
    problems { code message goal { clientId } }
  }
}
"""
    + documents.GOAL_FIELDS
)


async def test_submit_lists_every_reason_and_changes_nothing(graphql: GraphQL) -> None:
    # The demo's performance weights sum to 100 (40 + 30 + 20 + 10); make it 105.
    await graphql(
        BATCH,
        batch_input(
            [
                {
                    "clientId": "w",
                    "id": goal_id("alice", "alice-perf-2"),
                    "performance": {"weight": 35},
                }
            ],
            period=ACME_ACTIVE,
        ),
    )
    body = await graphql(SUBMIT, {"org": "acme", "period": ACME_ACTIVE})
    payload = body["data"]["submitGoals"]
    assert payload["submitted"] is False
    problems = [(p["code"], (p["goal"] or {}).get("clientId")) for p in payload["problems"]]
    assert ("WEIGHTS_NOT_100", None) in problems
    assert ("INCOMPLETE", "alice-perf-2") in problems
    assert "105" in next(
        p["message"] for p in payload["problems"] if p["code"] == "WEIGHTS_NOT_100"
    )
    statuses = {g["clientId"]: g["status"] for g in payload["goals"]}
    assert statuses["alice-perf-1"] == "DRAFT" and statuses["alice-perf-rejected"] == "REJECTED"


async def test_submit_hands_in_complete_goals_with_weights_of_100(graphql: GraphQL) -> None:
    complete = {
        "goalType": "QUANTITATIVE",
        "specificGoal": "s",
        "achievementCriteria": "a",
        "meansMethods": "m",
    }
    out = results(
        await graphql(
            BATCH,
            batch_input(
                [
                    {
                        "clientId": "1",
                        "id": goal_id("bob", "bob-perf-1"),
                        "performance": {**complete, "weight": 100},
                    },
                    {
                        "clientId": "2",
                        "id": goal_id("bob", "bob-comp-1"),
                        "competency": {"competencyIds": [competency_id("acme", "Ownership")]},
                    },
                ],
                period=ACME_ACTIVE,
            ),
            user="bob",
        )
    )
    assert [r["__typename"] for r in out] == ["GoalSaved", "GoalSaved"]

    body = await graphql(SUBMIT, {"org": "acme", "period": ACME_ACTIVE}, user="bob")
    payload = body["data"]["submitGoals"]
    assert payload["submitted"] is True and payload["problems"] == []
    assert {g["status"] for g in payload["goals"]} == {"SUBMITTED"}

    # Submitted goals are no longer editable.
    again = results(
        await graphql(
            BATCH,
            batch_input(
                [
                    {
                        "clientId": "1",
                        "id": goal_id("bob", "bob-perf-1"),
                        "performance": {"title": "x"},
                    },
                ],
                period=ACME_ACTIVE,
            ),
            user="bob",
        )
    )
    assert again[0]["__typename"] == "GoalNotEditable"


async def test_submit_in_a_closed_period_is_refused(graphql: GraphQL) -> None:
    body = await graphql(SUBMIT, {"org": "acme", "period": ACME_CLOSED})
    assert error_codes(body) == ["PERIOD_CLOSED"]
    # The message names what was refused: a submit, not a save.
    assert body["errors"][0]["message"] == (
        "Goals can only be submitted in an ACTIVE evaluation period."
    )


async def test_saving_in_a_closed_period_still_says_saved(graphql: GraphQL) -> None:
    item = {"clientId": "c", "performance": {"title": "late"}}
    body = await graphql(BATCH, batch_input([item], period=ACME_CLOSED))
    assert error_codes(body) == ["PERIOD_CLOSED"]
    assert body["errors"][0]["message"] == "Goals can only be saved in an ACTIVE evaluation period."

"""Documents and set-up shared by the review tests: goals handed in through the API."""

from __future__ import annotations

from typing import Any

from tests.batch.helpers import BATCH, batch_input, goals_of, results
from tests.conftest import ACME_ACTIVE, GraphQL

REVIEW = """
mutation Review($input: ReviewGoalsInput!) {
  reviewGoals(input: $input) {
    results {
      __typename
      ... on GoalReviewed {
        clientId
        goal { id status version review { decision comment reviewer { id name } reviewedAt } }
      }
      ... on GoalSaveProblem { clientId code message retryable }
      ... on GoalValidationFailed { fieldErrors { field message } }
      ... on GoalVersionConflict { current { id version status } }
      ... on GoalNotReviewable { status }
    }
    reviewedCount failedCount
  }
}
"""

TEAM = """
query Team($org: String!, $period: ID!, $status: GoalStatus) {
  organization(slug: $org) {
    period(id: $period) {
      teamGoals(status: $status) {
        id clientId status version
        owner { id name email }
        review { decision comment reviewer { name } reviewedAt }
        ... on CompetencyGoal { competencies { name } }
      }
    }
  }
}
"""

SUBMIT = """
mutation Submit($org: String!, $period: ID!) {
  submitGoals(orgSlug: $org, periodId: $period) { submitted problems { code message } }
}
"""

COMPLETE = {
    "goalType": "QUANTITATIVE",
    "specificGoal": "s",
    "achievementCriteria": "a",
    "meansMethods": "m",
}


def completing_items(goals: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Batch items that complete the editable performance goals and make their weights 100,
    so that the owner can submit."""
    perf = [g for g in goals.values() if g["category"] == "PERFORMANCE"]
    total = sum(g["weight"] for g in perf)
    items: list[dict[str, Any]] = []
    for index, g in enumerate(perf):
        if g["status"] in ("DRAFT", "REJECTED"):
            patch: dict[str, Any] = dict(COMPLETE)
            if index == 0 and total != 100:
                patch["weight"] = g["weight"] + 100 - total
            items.append({"clientId": g["clientId"], "id": g["id"], "performance": patch})
    return items


async def submit_all(graphql: GraphQL, user: str, extra: int = 0) -> dict[str, dict[str, Any]]:
    """Complete every editable goal of `user` in acme (plus `extra` new ones of weight 0),
    make performance weights 100, submit; returns the goals by clientId."""
    items = completing_items(await goals_of(graphql, user))
    items += [
        {"clientId": f"{user}-x{i}", "performance": {**COMPLETE, "title": f"t{i}", "weight": 0}}
        for i in range(extra)
    ]
    for start in range(0, len(items), 200):
        out = results(
            await graphql(
                BATCH, batch_input(items[start : start + 200], period=ACME_ACTIVE), user=user
            )
        )
        assert all(r["__typename"] == "GoalSaved" for r in out), out
    body = await graphql(SUBMIT, {"org": "acme", "period": ACME_ACTIVE}, user=user)
    assert body["data"]["submitGoals"]["submitted"], body
    return await goals_of(graphql, user)


def review_input(items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": items, **extra}}


def reviewed(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body
    return list(body["data"]["reviewGoals"]["results"])


async def team_goals(
    graphql: GraphQL,
    user: str,
    status: str | None = None,
    org: str = "acme",
    period: str = ACME_ACTIVE,
) -> list[dict[str, Any]]:
    body = await graphql(TEAM, {"org": org, "period": period, "status": status}, user=user)
    assert "errors" not in body, body
    return list(body["data"]["organization"]["period"]["teamGoals"])

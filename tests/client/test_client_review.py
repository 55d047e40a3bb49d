"""GoalpostClient.review_goals and team_goals against the live server (docs/review.md)."""

from __future__ import annotations

from collections.abc import Callable

from goalpost.client import GoalpostClient, GoalProblem, GoalReviewed, ReviewItem
from tests.client.conftest import goal_id
from tests.conftest import ACME_ACTIVE


async def test_carol_lists_and_reviews_with_typed_results(
    client_for: Callable[..., GoalpostClient],
) -> None:
    carol, bob = client_for("carol"), client_for("bob")
    submitted = goal_id("alice", "alice-perf-submitted")
    team = await carol.team_goals("acme", ACME_ACTIVE, status="SUBMITTED")
    assert [(t.goal.id, t.owner_email, t.review) for t in team] == [
        (submitted, "alice@acme.example", None)
    ]
    assert team[0].goal["title"] == "Reduce churn"
    assert await bob.team_goals("acme", ACME_ACTIVE) == []

    result = await carol.review_goals(
        "acme",
        ACME_ACTIVE,
        [
            ReviewItem("r1", submitted, "RETURN", expected_version=2, comment="Measurable?"),
            ReviewItem("r2", goal_id("alice", "alice-perf-1"), "APPROVE"),
            {"clientId": "r3", "goalId": "nope", "decision": "APPROVE"},
        ],
    )
    assert (result.reviewed_count, result.failed_count) == (1, 2)
    [done] = result.reviewed
    assert isinstance(done, GoalReviewed)
    assert (done.goal.status, done.goal.version) == ("REJECTED", 3)
    assert (done.review.decision, done.review.comment, done.review.reviewer_name) == (
        "RETURN",
        "Measurable?",
        "Carol Chen",
    )
    assert [(p.client_id, p.code, p.status) for p in result.failed] == [
        ("r2", "NOT_REVIEWABLE", "DRAFT"),
        ("r3", "NOT_FOUND", None),
    ]
    assert all(isinstance(p, GoalProblem) for p in result.failed)
    rejected = await carol.team_goals("acme", ACME_ACTIVE, status="REJECTED")
    [after] = [t for t in rejected if t.goal.id == submitted]
    assert after.review is not None and after.review.comment == "Measurable?"

"""An owner's save and a supervisor's review of the same goals at the same time (docs/review.md):
never both win on one goal's version, never a deadlock, never INTERNAL (PostgreSQL: SQLite
serializes every writer)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from tests.batch.helpers import BATCH, batch_input, goals_of, results
from tests.conftest import ACME_ACTIVE, GraphQL
from tests.review.helpers import REVIEW, review_input, reviewed, submit_all

ROUNDS = 100
PER_ROUND = 4


async def test_alice_editing_while_carol_reviews_never_both_win(graphql: GraphQL) -> None:
    # Meant for PostgreSQL (row locks, real concurrency); SQLite runs the writers one by
    # one, where the same answers must hold.
    goals = await submit_all(graphql, "alice", extra=ROUNDS * PER_ROUND)
    pool = sorted(
        (g for g in goals.values() if g["category"] == "PERFORMANCE"), key=lambda g: g["clientId"]
    )
    shuffle = random.Random(12)
    expected: dict[str, tuple[str, int]] = {}  # goal id → (status, version) after its round
    edits_won = 0
    for round_ in range(ROUNDS):
        chosen = pool[round_ * PER_ROUND : (round_ + 1) * PER_ROUND]
        before = {g["id"]: g["version"] for g in chosen}
        decisions = {g["id"]: ("APPROVE", "RETURN")[i % 2] for i, g in enumerate(chosen)}
        review_items = [
            {
                "clientId": f"r{i}",
                "goalId": g["id"],
                "expectedVersion": g["version"],
                "decision": decisions[g["id"]],
                "comment": "again",
            }
            for i, g in enumerate(chosen)
        ]
        # alice edits the same goals in another order (no expectedVersion: she edits
        # whatever is there), so the two requests ask for the rows in opposite orders.
        edits = [
            {"clientId": g["clientId"], "id": g["id"], "performance": {"title": f"edit {round_}"}}
            for g in reversed(chosen)
        ]
        shuffle.shuffle(review_items)
        review_body, save_body = await asyncio.gather(
            graphql(REVIEW, review_input(review_items), user="carol"),
            graphql(BATCH, batch_input(edits, period=ACME_ACTIVE)),
        )
        assert "errors" not in review_body and "errors" not in save_body, (review_body, save_body)
        review = {r["clientId"]: r for r in reviewed(review_body)}
        saved = {r["clientId"]: r for r in results(save_body)}
        for item in review_items:
            gid = item["goalId"]
            client_id = next(g["clientId"] for g in chosen if g["id"] == gid)
            r, s = review[item["clientId"]], saved[client_id]
            # The goal is SUBMITTED at the start: the review always wins (it needs no edit
            # first), and the edit wins only after a RETURN made it editable again.
            assert r["__typename"] == "GoalReviewed", r
            assert r["goal"]["version"] == before[gid] + 1
            if s["__typename"] == "GoalSaved":
                assert decisions[gid] == "RETURN", (r, s)
                assert s["goal"]["version"] == before[gid] + 2  # it saw the review first
                assert s["goal"]["status"] == "DRAFT"
                expected[gid] = ("DRAFT", before[gid] + 2)
                edits_won += 1
            else:
                assert s["__typename"] == "GoalNotEditable", s
                assert s["status"] in ("SUBMITTED", "APPROVED")
                expected[gid] = (r["goal"]["status"], before[gid] + 1)
    # What each request was told is what the database holds: no update was lost.
    final: dict[str, Any] = await goals_of(graphql, "alice")
    assert len(expected) == ROUNDS * PER_ROUND
    assert {
        g["id"]: (g["status"], g["version"]) for g in final.values() if g["id"] in expected
    } == expected
    print(f"edits that landed after a RETURN: {edits_won} of {ROUNDS * PER_ROUND // 2}")


async def test_two_reviews_of_the_same_goals_in_opposite_orders_one_wins_each(
    graphql: GraphQL,
) -> None:
    """The goal rows are locked in id order whatever the input order, so two reviews that
    name the same goals in opposite orders never deadlock; per goal exactly one wins."""
    rounds, per_round = 40, 6
    goals = await submit_all(graphql, "alice", extra=rounds * per_round)
    pool = sorted(
        (g for g in goals.values() if g["category"] == "PERFORMANCE"), key=lambda g: g["id"]
    )
    for round_ in range(rounds):
        chosen = pool[round_ * per_round : (round_ + 1) * per_round]

        def decide(decision: str, order: list[dict[str, Any]]) -> dict[str, Any]:
            return review_input(
                [
                    {
                        "clientId": g["id"],
                        "goalId": g["id"],
                        "expectedVersion": g["version"],
                        "decision": decision,
                        "comment": "c",
                    }
                    for g in order
                ]
            )

        first, second = await asyncio.gather(
            graphql(REVIEW, decide("APPROVE", chosen), user="carol"),
            graphql(REVIEW, decide("RETURN", chosen[::-1]), user="carol"),
        )
        answers: dict[str, list[str]] = {}
        for body in (first, second):
            for r in reviewed(body):
                answers.setdefault(r["clientId"], []).append(r["__typename"])
        assert {k: sorted(v) for k, v in answers.items()} == {
            g["id"]: ["GoalReviewed", "GoalVersionConflict"] for g in chosen
        }, f"round {round_}"

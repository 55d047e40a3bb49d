"""At most GOALPOST_MAX_GOALS_PER_PERIOD goals per person and period (issue 10.5).

Creates past the cap fail item by item, never the batch; concurrent batches of the same
person cannot race past it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from goalpost.config import Settings
from tests.batch.helpers import BATCH, batch_input, goal_id, goals_of, results
from tests.conftest import ACME_ACTIVE, GraphQL

ALICE_GOALS = 6  # alice's demo goals in acme's active period
CAP = ALICE_GOALS + 4


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_goals_per_period": CAP})


def create(client_id: str, **fields: Any) -> dict[str, Any]:
    return {"clientId": client_id, "performance": {"title": client_id, **fields}}


def over_cap(result: dict[str, Any]) -> bool:
    return (
        result["__typename"] == "GoalValidationFailed"
        and result["code"] == "VALIDATION_FAILED"
        and result["fieldErrors"]
        == [
            {
                "field": "performance",
                "message": f"you already have {CAP} goals in this period, the most allowed; "
                "delete one to add another",
            }
        ]
    )


async def test_creates_past_the_cap_fail_item_by_item(graphql: GraphQL) -> None:
    assert len(await goals_of(graphql)) == ALICE_GOALS
    body = await graphql(
        BATCH,
        batch_input(
            [
                create("new-1"),
                create("too-long", title="x" * 201),  # fails on its own: takes no place
                {
                    "clientId": "edit",
                    "id": goal_id("alice", "alice-perf-1"),
                    "performance": {"title": "still editable at the cap"},
                },
                create("new-2"),
                create("new-3"),
                create("new-4"),  # the 10th goal
                create("new-5"),
                {"clientId": "alice-perf-2", "performance": {"title": "an idempotent resend"}},
                create("new-6"),
            ],
            period=ACME_ACTIVE,
        ),
    )
    out = results(body)
    assert [r["__typename"] for r in out[:4]] == [
        "GoalSaved",
        "GoalValidationFailed",
        "GoalSaved",
        "GoalSaved",
    ]
    assert out[4]["created"] and out[5]["created"]
    assert over_cap(out[6]) and over_cap(out[8]), out
    assert out[7]["__typename"] == "GoalSaved" and out[7]["created"] is False
    assert body["data"]["batchSaveGoals"]["failedCount"] == 3
    mine = await goals_of(graphql)
    assert len(mine) == CAP and "new-5" not in mine

    # At the cap: a new create fails, resending one of the saved creates does not.
    later = results(
        await graphql(
            BATCH, batch_input([create("new-7"), create("new-4", weight=5)], period=ACME_ACTIVE)
        )
    )
    assert over_cap(later[0])
    assert later[1]["__typename"] == "GoalSaved" and later[1]["created"] is False

    # A deleted goal frees its place for the next batch.
    deleted = results(
        await graphql(
            BATCH,
            batch_input(
                [{"clientId": "d", "id": mine["new-1"]["id"], "delete": True}], period=ACME_ACTIVE
            ),
        )
    )
    assert deleted[0]["__typename"] == "GoalDeleted"
    again = results(await graphql(BATCH, batch_input([create("new-7")], period=ACME_ACTIVE)))
    assert again[0]["__typename"] == "GoalSaved" and again[0]["created"] is True
    assert len(await goals_of(graphql)) == CAP


async def test_the_rest_twin_reports_creates_past_the_cap_as_failed(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    goals = [{"client_id": f"r-{i}", "core_value": {"core_value_plan": "p"}} for i in range(5)]
    response = await http.post(
        "/org/acme/goals/batch-save",
        json={"period_id": ACME_ACTIVE, "goals": goals},
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert [s["client_id"] for s in body["saved"]] == ["r-0", "r-1", "r-2", "r-3"]
    assert [(f["client_id"], f["code"]) for f in body["failed"]] == [("r-4", "VALIDATION_FAILED")]
    assert "the most allowed" in body["failed"][0]["message"]


async def test_the_cap_is_per_person(graphql: GraphQL) -> None:
    filled = results(
        await graphql(BATCH, batch_input([create(f"a-{i}") for i in range(5)], period=ACME_ACTIVE))
    )
    assert over_cap(filled[4])
    bob = results(
        await graphql(BATCH, batch_input([create("b-1")], period=ACME_ACTIVE), user="bob")
    )
    assert bob[0]["__typename"] == "GoalSaved" and bob[0]["created"] is True


async def test_all_or_nothing_rejects_the_batch_when_a_create_is_over_the_cap(
    graphql: GraphQL,
) -> None:
    out = results(
        await graphql(
            BATCH,
            batch_input(
                [create(f"n-{i}") for i in range(5)],
                period=ACME_ACTIVE,
                errorPolicy="ALL_OR_NOTHING",
            ),
        )
    )
    assert [r["code"] for r in out[:4]] == ["BATCH_REJECTED"] * 4
    assert over_cap(out[4])
    assert len(await goals_of(graphql)) == ALICE_GOALS


async def test_concurrent_batches_never_pass_the_cap(graphql: GraphQL) -> None:
    """Five batches of three creates at once, with room for four: each batch reads the count
    under the owner's lock, so exactly four are created, whichever batches they come from."""
    bodies = await asyncio.gather(
        *(
            graphql(
                BATCH,
                batch_input([create(f"c{b}-{i}") for i in range(3)], period=ACME_ACTIVE),
            )
            for b in range(5)
        )
    )
    out = [r for body in bodies for r in results(body)]
    assert sum(r["__typename"] == "GoalSaved" for r in out) == CAP - ALICE_GOALS
    assert sum(over_cap(r) for r in out) == 15 - (CAP - ALICE_GOALS)
    assert len(await goals_of(graphql)) == CAP

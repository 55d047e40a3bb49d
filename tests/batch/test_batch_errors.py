"""Batch-level checks come first, and any of them failing writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.batch.helpers import BATCH, MY_GOALS, batch_input
from tests.conftest import ACME_ACTIVE, ACME_CLOSED, GLOBEX_ACTIVE, GraphQL, error_codes

ITEMS = [{"clientId": "new-1", "performance": {"title": "Should not land"}}]


async def alice_goal_ids(graphql: GraphQL) -> set[str]:
    body = await graphql(MY_GOALS, {"org": "acme", "period": ACME_ACTIVE})
    return {g["clientId"] for g in body["data"]["organization"]["period"]["myGoals"]}


@pytest.mark.parametrize(
    ("user", "variables", "code"),
    [
        (None, batch_input(ITEMS, period=ACME_ACTIVE), "UNAUTHENTICATED"),
        ("alice", batch_input(ITEMS, org="no-such-org", period=ACME_ACTIVE), "ORG_NOT_FOUND"),
        ("alice", batch_input(ITEMS, org="globex", period=GLOBEX_ACTIVE), "ORG_NOT_FOUND"),
        ("alice", batch_input(ITEMS, period=GLOBEX_ACTIVE), "PERIOD_NOT_FOUND"),
        ("alice", batch_input(ITEMS, period="not-a-uuid"), "PERIOD_NOT_FOUND"),
        ("alice", batch_input(ITEMS, period=ACME_CLOSED), "PERIOD_CLOSED"),
        ("alice", batch_input(ITEMS * 201, period=ACME_ACTIVE), "BATCH_TOO_LARGE"),
    ],
    ids=[
        "no-token",
        "unknown-org",
        "non-member-org",
        "other-orgs-period",
        "malformed-period",
        "closed-period",
        "too-many-items",
    ],
)
async def test_batch_level_errors_write_nothing(
    graphql: GraphQL, user: str | None, variables: dict[str, Any], code: str
) -> None:
    before = await alice_goal_ids(graphql)
    body = await graphql(BATCH, variables, user=user)
    assert body["data"] is None
    assert error_codes(body) == [code]
    assert "Traceback" not in str(body) and "SELECT" not in str(body)
    assert await alice_goal_ids(graphql) == before


async def test_unknown_and_foreign_org_errors_are_identical(graphql: GraphQL) -> None:
    unknown = await graphql(BATCH, batch_input(ITEMS, org="no-such-org", period=GLOBEX_ACTIVE))
    foreign = await graphql(BATCH, batch_input(ITEMS, org="globex", period=GLOBEX_ACTIVE))
    assert unknown == foreign


async def test_batch_limit_follows_the_setting(
    graphql: GraphQL, settings: Any, token: Callable[[str], str]
) -> None:
    body = await graphql(BATCH, batch_input(ITEMS * 201, period=ACME_ACTIVE))
    assert body["errors"][0]["message"] == "A batch holds at most 200 items; this one has 201."
    distinct = [{"clientId": f"n{i}", "performance": {"title": "t"}} for i in range(200)]
    body = await graphql(BATCH, batch_input(distinct, period=ACME_ACTIVE))
    assert body["data"]["batchSaveGoals"]["savedCount"] == 200


async def test_a_wrongly_typed_variable_is_bad_user_input(graphql: GraphQL) -> None:
    body = await graphql(
        BATCH, batch_input([{"clientId": 5, "performance": {"weight": "x"}}], period=ACME_ACTIVE)
    )
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}


async def test_a_variable_error_names_the_item_it_is_in(graphql: GraphQL) -> None:
    """`extensions.inputPath` lets an auto-saving client set the bad items aside and resend
    the others (docs/autosave.md); every bad item is named, each in its own error."""
    items = [
        {"clientId": "fine", "coreValue": {"coreValuePlan": "ok"}},
        {"clientId": "unknown-field", "coreValue": {"actionPlan": "x"}},
        {"clientId": "no-such-enum", "performance": {"goalType": "BOGUS"}},
        {"performance": {"title": "no clientId"}},
    ]
    body = await graphql(BATCH, batch_input(items, period=ACME_ACTIVE))
    assert body["data"] is None
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}
    paths = sorted(e["extensions"]["inputPath"] for e in body["errors"])
    assert paths == [
        ["input", "items", 1, "coreValue"],
        ["input", "items", 2, "performance", "goalType"],
        ["input", "items", 3],
    ]
    assert "fine" not in await alice_goal_ids(graphql)


async def test_other_request_errors_carry_no_input_path(graphql: GraphQL) -> None:
    body = await graphql("mutation { batchSaveGoals(input: {orgSlug: 1}) { savedCount } }", {})
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}
    assert all("inputPath" not in e["extensions"] for e in body["errors"])

"""GoalpostClient's typed methods and errors against the live server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from goalpost.client import (
    GoalItem,
    GoalpostClient,
    GoalProblem,
    GoalSaved,
    NetworkError,
    OrgNotFound,
    PeriodClosed,
    Unauthenticated,
)
from goalpost.testing import LiveServer
from tests.client.conftest import goal_id
from tests.conftest import ACME_ACTIVE, ACME_CLOSED, GLOBEX_ACTIVE


async def test_me_lists_memberships(client_for: Callable[..., GoalpostClient]) -> None:
    me = await client_for("carol").me()
    assert me.email == "carol@acme.example"
    assert sorted(m.org_slug for m in me.memberships) == ["acme", "globex"]


async def test_organization_is_cached_per_slug(alice: GoalpostClient, server: LiveServer) -> None:
    first = await alice.organization("acme")
    again = await alice.organization("acme")
    assert again is first
    assert len(server.recorder.graphql("Organization")) == 1
    assert {p.id for p in first.active_periods} == {ACME_ACTIVE}
    assert first.competencies

    alice.clear_org_slug_cache()
    await alice.organization("acme")
    assert len(server.recorder.graphql("Organization")) == 2


async def test_my_goals_are_typed(alice: GoalpostClient) -> None:
    goals = {g.client_id: g for g in await alice.my_goals("acme", ACME_ACTIVE)}
    perf = goals["alice-perf-1"]
    assert perf.category == "PERFORMANCE"
    assert perf["title"] == "Grow ARR by 20%"
    assert perf.weight == 40
    comp = await alice.my_goals("acme", ACME_ACTIVE, category="COMPETENCY")
    assert [g.client_id for g in comp] == ["alice-comp-1"]


async def test_batch_save_returns_one_typed_result_per_item(alice: GoalpostClient) -> None:
    result = await alice.batch_save(
        "acme",
        ACME_ACTIVE,
        [
            GoalItem("new-1", "PERFORMANCE", {"title": "Launch", "weight": 5}),
            GoalItem("bad", "PERFORMANCE", {"title": "x" * 201}),
            GoalItem(
                "alice-perf-2",
                "PERFORMANCE",
                {"means_methods": "Pairing"},
                id=goal_id("alice", "alice-perf-2"),
                expected_version=1,
            ),
        ],
    )
    created, invalid, updated = result.results
    assert isinstance(created, GoalSaved) and created.created
    assert isinstance(invalid, GoalProblem) and invalid.code == "VALIDATION_FAILED"
    assert [e.field for e in invalid.field_errors] == ["performance.title"]
    assert isinstance(updated, GoalSaved) and updated.goal.version == 2
    assert updated.goal["meansMethods"] == "Pairing"
    assert (result.saved_count, result.failed_count) == (2, 1)
    assert result.weight_totals.performance == 40 + 30 + 20 + 10 + 5


async def test_save_goal_and_submit(alice: GoalpostClient) -> None:
    saved = await alice.save_goal(
        "acme", ACME_ACTIVE, GoalItem("one", "CORE_VALUE", {"core_value_plan": "Help"})
    )
    assert isinstance(saved, GoalSaved) and saved.goal["coreValuePlan"] == "Help"
    submit = await alice.submit_goals("acme", ACME_ACTIVE)
    assert not submit.submitted
    assert {p.code for p in submit.problems} >= {"INCOMPLETE"}


async def test_graphql_errors_become_typed_exceptions(
    alice: GoalpostClient, server: LiveServer
) -> None:
    with pytest.raises(OrgNotFound) as not_member:
        await alice.organization("globex")
    assert not_member.value.code == "ORG_NOT_FOUND" and not not_member.value.retryable

    with pytest.raises(PeriodClosed):
        await alice.batch_save("acme", ACME_CLOSED, [GoalItem("x", "CORE_VALUE", {})])

    async with GoalpostClient(server.graphql_url) as anonymous:
        with pytest.raises(Unauthenticated):
            await anonymous.me()

    with pytest.raises(OrgNotFound):
        await alice.my_goals("globex", GLOBEX_ACTIVE)


async def test_no_server_is_a_retryable_network_error() -> None:
    client = GoalpostClient("http://127.0.0.1:9/graphql", "token", timeout=2)
    try:
        with pytest.raises(NetworkError) as error:
            await client.me()
    finally:
        await client.aclose()
    assert error.value.retryable

"""The read API (docs/queries.md) over the demo data (docs/demo.md), through GraphQL over HTTP.

Setup may write to the database directly; every assertion goes through `/graphql`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from sqlalchemy import insert

from goalpost.db import create_session_factory
from goalpost.models import Goal, GoalCategory, GoalStatus
from goalpost.services.demo import COMPETENCIES, demo_id, demo_rows
from goalpost.testing import StatementCounter
from tests.conftest import ACME_ACTIVE, ACME_CLOSED, GLOBEX_ACTIVE, GraphQL

ME = "{ me { id email name memberships { role organization { slug name } } } }"
GOAL_FIELDS = """
  __typename id clientId category status weight version createdAt updatedAt
  ... on PerformanceGoal { title goalType specificGoal achievementCriteria meansMethods }
  ... on CompetencyGoal {
    competencyIds selectedIdealActions { competencyId actions } actionPlan
    competencies { id name idealActions }
  }
  ... on CoreValueGoal { coreValuePlan }
"""
ORGANIZATION = f"""
query ($slug: String!, $period: ID!, $category: GoalCategory) {{
  organization(slug: $slug) {{
    slug name
    competencies {{ id name idealActions }}
    periods {{ id name status startsOn endsOn }}
    period(id: $period) {{
      id name status startsOn endsOn
      myGoals(category: $category) {{ {GOAL_FIELDS} }}
      weightTotals {{ performance competency coreValue }}
    }}
  }}
}}
"""
COMPETENCY_NAMES = """
query ($period: ID!) {
  organization(slug: "acme") {
    period(id: $period) {
      myGoals(category: COMPETENCY) { clientId ... on CompetencyGoal { competencies { name } } }
    }
  }
}
"""
TOTAL_KEYS = {
    GoalCategory.PERFORMANCE: "performance",
    GoalCategory.COMPETENCY: "competency",
    GoalCategory.CORE_VALUE: "coreValue",
}


def demo_goals(owner: str, org: str, period: str = "fy2026") -> list[dict[str, Any]]:
    """The demo rows of one owner's goals in one period: what the API must show them."""
    return [
        values
        for model, values in demo_rows()
        if model is Goal
        and values["owner_id"] == demo_id("user", owner)
        and values["period_id"] == demo_id("period", org, period)
    ]


def demo_totals(owner: str, org: str) -> dict[str, float]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for goal in demo_goals(owner, org):
        sums[TOTAL_KEYS[goal["category"]]] += goal["weight"]
    return {key: float(sums[key]) for key in TOTAL_KEYS.values()}


async def organization(
    graphql: GraphQL,
    user: str,
    slug: str,
    period: str,
    category: str | None = None,
) -> dict[str, Any]:
    variables = {"slug": slug, "period": period, "category": category}
    body = await graphql(ORGANIZATION, variables, user=user)
    assert body.get("errors") is None, body
    org: dict[str, Any] = body["data"]["organization"]
    return org


def by_client_id(goals: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {g["clientId"]: g for g in goals}


async def test_me(graphql: GraphQL) -> None:
    body = await graphql(ME, user="alice")
    assert body.get("errors") is None
    assert body["data"]["me"] == {
        "id": str(demo_id("user", "alice")),
        "email": "alice@acme.example",
        "name": "Alice Anders",
        "memberships": [
            {"role": "EMPLOYEE", "organization": {"slug": "acme", "name": "Acme Corporation"}}
        ],
    }


async def test_demo_data_is_what_the_spec_promises(graphql: GraphQL) -> None:
    """docs/demo.md, written out by hand: other tests and the examples rely on exactly this."""
    alice = (await organization(graphql, "alice", "acme", ACME_ACTIVE))["period"]["myGoals"]
    statuses = {g["clientId"]: (g["category"], g["status"]) for g in alice}
    assert statuses == {
        "alice-perf-1": ("PERFORMANCE", "DRAFT"),
        "alice-perf-2": ("PERFORMANCE", "DRAFT"),
        "alice-comp-1": ("COMPETENCY", "DRAFT"),
        "alice-core-1": ("CORE_VALUE", "DRAFT"),
        "alice-perf-submitted": ("PERFORMANCE", "SUBMITTED"),
        "alice-perf-rejected": ("PERFORMANCE", "REJECTED"),
    }
    bob = (await organization(graphql, "bob", "acme", ACME_ACTIVE))["period"]["myGoals"]
    assert bob and {g["status"] for g in bob} == {"DRAFT"}
    acme = await organization(graphql, "bob", "acme", ACME_ACTIVE)
    assert sorted(p["status"] for p in acme["periods"]) == ["ACTIVE", "CLOSED"]
    globex = await organization(graphql, "dave", "globex", GLOBEX_ACTIVE)
    assert [p["status"] for p in globex["periods"]] == ["ACTIVE"]
    for org in (acme, globex):
        assert org["competencies"]
        assert all(c["idealActions"] for c in org["competencies"])


async def test_organization_competencies_and_periods(graphql: GraphQL) -> None:
    org = await organization(graphql, "alice", "acme", ACME_ACTIVE)
    assert (org["slug"], org["name"]) == ("acme", "Acme Corporation")
    assert {c["name"]: c["idealActions"] for c in org["competencies"]} == COMPETENCIES["acme"]
    assert {c["id"] for c in org["competencies"]} == {
        str(demo_id("competency", "acme", name)) for name in COMPETENCIES["acme"]
    }
    assert org["periods"] == [
        {
            "id": ACME_ACTIVE,
            "name": "FY2026",
            "status": "ACTIVE",
            "startsOn": "2026-01-01",
            "endsOn": "2026-12-31",
        },
        {
            "id": ACME_CLOSED,
            "name": "FY2025",
            "status": "CLOSED",
            "startsOn": "2025-01-01",
            "endsOn": "2025-12-31",
        },
    ]
    assert org["period"]["id"] == ACME_ACTIVE
    assert (org["period"]["name"], org["period"]["status"]) == ("FY2026", "ACTIVE")


async def test_competencies_are_those_of_the_asked_org(graphql: GraphQL) -> None:
    org = await organization(graphql, "carol", "globex", GLOBEX_ACTIVE)
    assert {c["name"] for c in org["competencies"]} == set(COMPETENCIES["globex"])
    assert [p["id"] for p in org["periods"]] == [GLOBEX_ACTIVE]


async def test_my_goals_are_the_callers_demo_goals(graphql: GraphQL) -> None:
    for user, slug, period in (
        ("alice", "acme", ACME_ACTIVE),
        ("bob", "acme", ACME_ACTIVE),
        ("carol", "globex", GLOBEX_ACTIVE),
        ("dave", "globex", GLOBEX_ACTIVE),
    ):
        goals = (await organization(graphql, user, slug, period))["period"]["myGoals"]
        expected = demo_goals(user, slug)
        assert sorted(g["clientId"] for g in goals) == sorted(g["client_id"] for g in expected)
        assert {g["id"] for g in goals} == {str(g["id"]) for g in expected}


async def test_alice_sees_no_goal_of_bob(graphql: GraphQL) -> None:
    alice = (await organization(graphql, "alice", "acme", ACME_ACTIVE))["period"]["myGoals"]
    bob = (await organization(graphql, "bob", "acme", ACME_ACTIVE))["period"]["myGoals"]
    assert alice and bob
    assert not {g["id"] for g in alice} & {g["id"] for g in bob}
    bobs_client_ids = {g["client_id"] for g in demo_goals("bob", "acme")}
    assert not {g["clientId"] for g in alice} & bobs_client_ids


async def test_carol_has_no_goals_in_acme(graphql: GraphQL) -> None:
    """Her globex goal must not show up under acme, even though it is the same user."""
    period = (await organization(graphql, "carol", "acme", ACME_ACTIVE))["period"]
    assert period["myGoals"] == []
    assert period["weightTotals"] == {"performance": 0.0, "competency": 0.0, "coreValue": 0.0}


async def test_closed_period_has_no_demo_goals(graphql: GraphQL) -> None:
    period = (await organization(graphql, "alice", "acme", ACME_CLOSED))["period"]
    assert period["status"] == "CLOSED"
    assert period["myGoals"] == []


async def test_my_goals_filters_by_category(graphql: GraphQL) -> None:
    everything = (await organization(graphql, "alice", "acme", ACME_ACTIVE))["period"]["myGoals"]
    assert {g["category"] for g in everything} == {"PERFORMANCE", "COMPETENCY", "CORE_VALUE"}
    for category, typename in (
        ("PERFORMANCE", "PerformanceGoal"),
        ("COMPETENCY", "CompetencyGoal"),
        ("CORE_VALUE", "CoreValueGoal"),
    ):
        org = await organization(graphql, "alice", "acme", ACME_ACTIVE, category)
        goals = org["period"]["myGoals"]
        expected = {
            g["client_id"] for g in demo_goals("alice", "acme") if g["category"] == category
        }
        assert {g["clientId"] for g in goals} == expected
        assert {(g["category"], g["__typename"]) for g in goals} == {(category, typename)}


async def test_performance_goal_fields(graphql: GraphQL) -> None:
    goals = (await organization(graphql, "alice", "acme", ACME_ACTIVE))["period"]["myGoals"]
    goal = by_client_id(goals)["alice-perf-submitted"]
    assert goal["__typename"] == "PerformanceGoal"
    assert goal["id"] == str(demo_id("goal", "alice", "alice-perf-submitted"))
    assert (goal["category"], goal["status"], goal["weight"], goal["version"]) == (
        "PERFORMANCE",
        "SUBMITTED",
        20.0,
        2,  # created, then submitted
    )
    assert goal["title"] == "Reduce churn"
    assert goal["goalType"] == "QUANTITATIVE"
    assert goal["specificGoal"] == "Churn under 3%"
    assert goal["achievementCriteria"] == "Monthly churn report"
    assert goal["meansMethods"] == "Customer interviews"
    for stamp in (goal["createdAt"], goal["updatedAt"]):
        assert datetime.fromisoformat(stamp).utcoffset() is not None
    half_written = by_client_id(goals)["alice-perf-2"]
    assert half_written["title"] == "Ship the onboarding flow"
    assert half_written["goalType"] is None
    assert half_written["specificGoal"] is None
    assert by_client_id(goals)["alice-perf-rejected"]["status"] == "REJECTED"


async def test_competency_goal_fields(graphql: GraphQL) -> None:
    goals = (await organization(graphql, "alice", "acme", ACME_ACTIVE))["period"]["myGoals"]
    goal = by_client_id(goals)["alice-comp-1"]
    communication = str(demo_id("competency", "acme", "Communication"))
    ownership = str(demo_id("competency", "acme", "Ownership"))
    assert goal["__typename"] == "CompetencyGoal"
    assert (goal["category"], goal["status"]) == ("COMPETENCY", "DRAFT")
    assert goal["competencyIds"] == [communication, ownership]
    assert goal["selectedIdealActions"] == [
        {"competencyId": communication, "actions": ["Writes clear summaries"]}
    ]
    assert goal["actionPlan"] == "Write a weekly summary for the team"
    assert goal["competencies"] == [
        {
            "id": communication,
            "name": "Communication",
            "idealActions": COMPETENCIES["acme"]["Communication"],
        },
        {"id": ownership, "name": "Ownership", "idealActions": COMPETENCIES["acme"]["Ownership"]},
    ]


async def test_core_value_goal_fields(graphql: GraphQL) -> None:
    goals = (await organization(graphql, "alice", "acme", ACME_ACTIVE))["period"]["myGoals"]
    goal = by_client_id(goals)["alice-core-1"]
    assert goal["__typename"] == "CoreValueGoal"
    assert (goal["category"], goal["status"], goal["weight"]) == ("CORE_VALUE", "DRAFT", 0.0)
    assert goal["coreValuePlan"] == "Mentor a new hire"


async def test_weight_totals_match_the_demo_data(graphql: GraphQL) -> None:
    for user, slug, period in (
        ("alice", "acme", ACME_ACTIVE),
        ("bob", "acme", ACME_ACTIVE),
        ("carol", "globex", GLOBEX_ACTIVE),
        ("dave", "globex", GLOBEX_ACTIVE),
    ):
        org = await organization(graphql, user, slug, period)
        assert org["period"]["weightTotals"] == demo_totals(user, slug), user
    alice = await organization(graphql, "alice", "acme", ACME_ACTIVE)
    assert alice["period"]["weightTotals"] == {
        "performance": 100.0,
        "competency": 0.0,
        "coreValue": 0.0,
    }


# --- setup helpers that write directly to the database ---------------------------------------


async def insert_goals(app: FastAPI, rows: list[dict[str, Any]]) -> None:
    async with create_session_factory(app.state.engine)() as session:
        await session.execute(insert(Goal), rows)
        await session.commit()


def extra_goal(owner: str, client_id: str, category: GoalCategory, **fields: Any) -> dict[str, Any]:
    now = datetime.now().astimezone()
    return {
        "id": uuid.uuid4(),
        "organization_id": demo_id("org", "acme"),
        "owner_id": demo_id("user", owner),
        "period_id": uuid.UUID(ACME_ACTIVE),
        "category": category,
        "client_id": client_id,
        "weight": Decimal("0"),
        "status": GoalStatus.DRAFT,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        **fields,
    }


ACME_COMPETENCY_PAIRS = [
    ("Communication", "Ownership"),
    ("Ownership", "Collaboration"),
    ("Collaboration", "Communication"),
]


def competency_goals(owner: str, first: int, count: int) -> list[dict[str, Any]]:
    """Competency goals numbered first..first+count-1, each referencing two competencies."""
    rows = []
    for n in range(first, first + count):
        pair = ACME_COMPETENCY_PAIRS[n % len(ACME_COMPETENCY_PAIRS)]
        ids = [str(demo_id("competency", "acme", name)) for name in pair]
        rows.append(
            extra_goal(
                owner,
                f"extra-comp-{n}",
                GoalCategory.COMPETENCY,
                competency_ids=ids,
                action_plan=f"plan {n}",
            )
        )
    return rows


async def test_weight_totals_are_exact_to_the_cent(app: FastAPI, graphql: GraphQL) -> None:
    """Weights are NUMERIC(5,2); their sum must not pick up binary floating-point noise."""
    weights = {
        GoalCategory.PERFORMANCE: ["73.86", "23.85", "2.29"],
        GoalCategory.COMPETENCY: ["0.10", "0.20"],
        GoalCategory.CORE_VALUE: ["33.33", "33.33", "33.34"],
    }
    await insert_goals(
        app,
        [
            extra_goal("bob", f"w-{category.value}-{i}", category, weight=Decimal(w))
            for category, values in weights.items()
            for i, w in enumerate(values)
        ],
    )
    org = await organization(graphql, "bob", "acme", ACME_ACTIVE)
    assert org["period"]["weightTotals"] == {
        "performance": 150.0,  # bob's demo goal (50) + 100
        "competency": 0.3,
        "coreValue": 100.0,
    }


async def test_competencies_resolve_without_n_plus_1(
    app: FastAPI,
    graphql: GraphQL,
    count_statements: Callable[[], StatementCounter],
) -> None:
    """Fetching the competencies of 50 goals costs as many statements as for 5."""

    async def fetch() -> tuple[list[dict[str, Any]], int]:
        with count_statements() as counter:
            body = await graphql(COMPETENCY_NAMES, {"period": ACME_ACTIVE}, user="alice")
        assert body.get("errors") is None, body
        goals: list[dict[str, Any]] = body["data"]["organization"]["period"]["myGoals"]
        return goals, counter.count

    # alice's demo data has one competency goal; 4 more make 5, then 45 more make 50.
    await insert_goals(app, competency_goals("alice", 1, 4))
    few, few_statements = await fetch()
    await insert_goals(app, competency_goals("alice", 5, 45))
    many, many_statements = await fetch()

    assert (len(few), len(many)) == (5, 50)
    for goal in many:
        assert len(goal["competencies"]) == 2
        if goal["clientId"].startswith("extra-comp-"):
            n = int(goal["clientId"].removeprefix("extra-comp-"))
            expected = ACME_COMPETENCY_PAIRS[n % len(ACME_COMPETENCY_PAIRS)]
            assert tuple(c["name"] for c in goal["competencies"]) == expected
    assert many_statements == few_statements
    assert many_statements <= 10

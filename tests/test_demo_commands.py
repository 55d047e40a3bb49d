"""The demo's commands, run as real subprocesses: `goalpost seed-demo --reset` (on SQLite and
PostgreSQL: the demo orgs go back to their seeded state, other orgs keep their data) and
`make token EMAIL=…`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import jwt
from fastapi import FastAPI
from sqlalchemy import func, select, update

from goalpost.config import DEV_JWT_SECRET
from goalpost.db import create_session_factory
from goalpost.models import (
    Base,
    EvaluationPeriod,
    Goal,
    GoalCategory,
    GoalStatus,
    Membership,
    Organization,
    PeriodStatus,
    Role,
    User,
    utcnow,
)
from goalpost.services.demo import demo_id, demo_rows
from tests.batch.history_helpers import goals_with_history
from tests.batch.test_history import assert_replay_rebuilds
from tests.conftest import ACME_ACTIVE, ACME_CLOSED, GraphQL

REPO = Path(__file__).resolve().parents[1]
SEEDED_GOALS = sum(1 for model, _ in demo_rows() if model is Goal)

MY_GOALS = """
query ($period: ID!) {
  organization(slug: "acme") {
    name
    periods { id status }
    period(id: $period) {
      myGoals { id clientId status version weight ... on PerformanceGoal { title } }
      weightTotals { performance competency coreValue }
    }
  }
}
"""


def goalpost_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `goalpost` script with only GOALPOST_DATABASE_URL set (dev defaults)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    env["GOALPOST_DATABASE_URL"] = database_url
    script = Path(sys.executable).with_name("goalpost")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "goalpost.cli"]
    return subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def acme_as(graphql: GraphQL, user: str) -> dict[str, Any]:
    body = await graphql(MY_GOALS, {"period": ACME_ACTIVE}, user=user)
    assert body.get("errors") is None, body
    data: dict[str, Any] = body["data"]["organization"]
    return data


async def add_another_org(app: FastAPI) -> uuid.UUID:
    """An org that is not the demo's, with a member (alice) and a goal: reset must keep it."""
    org_id, period_id, goal_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    alice = demo_id("user", "alice")
    async with create_session_factory(app.state.engine)() as session:
        session.add(Organization(id=org_id, slug="initech", name="Initech"))
        await session.flush()
        session.add(Membership(user_id=alice, organization_id=org_id, role=Role.EMPLOYEE))
        session.add(
            EvaluationPeriod(
                id=period_id,
                organization_id=org_id,
                name="FY2026",
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
                status=PeriodStatus.ACTIVE,
            )
        )
        await session.flush()
        now = utcnow()
        session.add(
            Goal(
                id=goal_id,
                organization_id=org_id,
                owner_id=alice,
                period_id=period_id,
                category=GoalCategory.PERFORMANCE,
                client_id="initech-1",
                status=GoalStatus.DRAFT,
                version=1,
                created_at=now,
                updated_at=now,
                title="Fix the TPS reports",
            )
        )
        await session.commit()
    return goal_id


async def test_seed_demo_reset_restores_the_demo_orgs_and_keeps_other_orgs(
    app: FastAPI, graphql: GraphQL, database_url: str
) -> None:
    seeded = {user: await acme_as(graphql, user) for user in ("alice", "bob")}

    # Change the demo every way a user can, and one way only an operator can.
    edit = await graphql(
        """mutation ($period: ID!, $id: ID!) { batchSaveGoals(input: {
             orgSlug: "acme", periodId: $period, items: [
               {clientId: "new-1", performance: {title: "Added", weight: 30}}
               {clientId: "alice-perf-1", id: $id, performance: {title: "Edited"}}
             ]}) { savedCount } }""",
        {"period": ACME_ACTIVE, "id": str(demo_id("goal", "alice", "alice-perf-1"))},
    )
    assert edit["data"]["batchSaveGoals"]["savedCount"] == 2
    bob_adds = await graphql(
        """mutation ($period: ID!) { batchSaveGoals(input: {orgSlug: "acme", periodId: $period,
             items: [{clientId: "bob-new", coreValue: {coreValuePlan: "Pair weekly"}}]})
             { savedCount } }""",
        {"period": ACME_ACTIVE},
        user="bob",
    )
    assert bob_adds["data"]["batchSaveGoals"]["savedCount"] == 1
    async with create_session_factory(app.state.engine)() as session:
        await session.execute(
            update(Organization).where(Organization.slug == "acme").values(name="Renamed")
        )
        await session.execute(
            update(EvaluationPeriod)
            .where(EvaluationPeriod.id == uuid.UUID(ACME_CLOSED))
            .values(status=PeriodStatus.ACTIVE)
        )
        await session.commit()
    kept_goal = await add_another_org(app)

    done = goalpost_cli(database_url, "seed-demo", "--reset")

    assert done.returncode == 0, done.stderr
    found = re.fullmatch(
        r"demo data reset \((\d+) goals removed, (\d+) rows restored\)\n", done.stdout
    )
    assert found, done.stdout
    assert int(found.group(1)) == SEEDED_GOALS + 2  # the seeded ones, alice's and bob's new ones
    assert int(found.group(2)) == len(demo_rows())
    for user in ("alice", "bob"):
        assert await acme_as(graphql, user) == seeded[user]
        # The seeded goals' history is written again; what was done since is gone.
        for goal in (await goals_with_history(graphql, user)).values():
            assert {e["requestId"] for e in goal["history"]} == {"seed-demo"}
            assert_replay_rebuilds(goal)
    async with create_session_factory(app.state.engine)() as session:
        assert await session.get(Goal, kept_goal) is not None
        assert await session.scalar(select(func.count()).select_from(Organization)) == 3
        assert await session.scalar(select(func.count()).select_from(User)) == 4
    # Nothing is missing after a reset: seeding adds nothing.
    again = goalpost_cli(database_url, "seed-demo")
    assert again.returncode == 0 and "(0 rows added)" in again.stdout, again.stdout


async def test_seed_demo_on_an_empty_database_writes_the_goals_with_their_history_once(
    app: FastAPI, graphql: GraphQL, database_url: str
) -> None:
    async with create_session_factory(app.state.engine)() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(table.delete())
        await session.commit()

    first = goalpost_cli(database_url, "seed-demo")
    assert first.returncode == 0, first.stderr
    assert f"({len(demo_rows())} rows added)" in first.stdout, first.stdout
    seeded = await goals_with_history(graphql)
    assert len(seeded) == 6
    for goal in seeded.values():
        assert_replay_rebuilds(goal)

    again = goalpost_cli(database_url, "seed-demo")
    assert again.returncode == 0 and "(0 rows added)" in again.stdout, again.stdout
    assert await goals_with_history(graphql) == seeded  # seeding twice changes nothing


def test_make_token_prints_a_token_for_the_email(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'make.db'}"
    assert goalpost_cli(url, "migrate").returncode == 0
    assert goalpost_cli(url, "seed-demo").returncode == 0
    make = shutil.which("make")
    assert make, "make is needed to set up goalpost (README: Set up)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    env["GOALPOST_DATABASE_URL"] = url
    # This interpreter's venv, and no stamp: make must not try to (re)install it.
    venv = [f"VENV={sys.prefix}", "STAMP="]
    command = [make, "-s", "-C", str(REPO), "token", *venv]

    done = subprocess.run(
        [*command, "EMAIL=bob@acme.example"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    claims = jwt.decode(done.stdout.strip(), DEV_JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "demo|bob"

    no_email = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert no_email.returncode != 0 and no_email.stdout == ""
    assert "usage: make token EMAIL=" in no_email.stderr

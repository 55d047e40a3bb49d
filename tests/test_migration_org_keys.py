"""Migration 0007 drops the goals' and goal events' own organization keys (the period's
composite key implies them): data survives it both ways, and what the keys guaranteed still
holds through the period's key."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from goalpost.cli import MIGRATIONS
from goalpost.db import create_engine, create_session_factory
from goalpost.models.enums import GoalEventKind
from goalpost.services.demo import demo_id, period_id, seed_demo
from goalpost.services.history import append_events
from goalpost.testing import empty_postgres_database
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES

ACME = demo_id("org", "acme")
GLOBEX = demo_id("org", "globex")
ALICE = demo_id("user", "alice")


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
        return
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("GOALPOST_TEST_REQUIRE_POSTGRES=1 but GOALPOST_TEST_POSTGRES_URL unset")
        pytest.skip("PostgreSQL not configured (set GOALPOST_TEST_POSTGRES_URL)")
    with empty_postgres_database(POSTGRES_URL) as name:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"


async def alembic(url: str, direction: str, revision: str) -> None:
    """Alembic's own commands, in a thread: env.py runs its own event loop."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    run = command.upgrade if direction == "upgrade" else command.downgrade
    await asyncio.to_thread(run, config, revision)


async def snapshot(engine: AsyncEngine) -> dict[str, list[Any]]:
    """Every goal and event, by key and number."""
    async with engine.connect() as conn:
        goals = (await conn.execute(text("SELECT id, version FROM goals ORDER BY id"))).all()
        events = (await conn.execute(text("SELECT seq, id FROM goal_events ORDER BY seq"))).all()
    return {"goals": list(goals), "events": list(events)}


async def count(engine: AsyncEngine, table: str, org: uuid.UUID) -> int:
    async with engine.connect() as conn:
        statement = text(f"SELECT count(*) FROM {table} WHERE organization_id = :org")
        found = await conn.scalar(statement.bindparams(bindparam("org", org, type_=Uuid())))
    return int(found or 0)


def event(org: uuid.UUID, period: uuid.UUID) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "goal_id": uuid.uuid4(),
        "organization_id": org,
        "owner_id": ALICE,
        "period_id": period,
        "kind": GoalEventKind.UPDATED,
        "version": 2,
        "at": datetime.now(UTC),
        "actor_id": ALICE,
        "request_id": "r",
        "changes": [{"field": "title", "before": "a", "after": "b"}],
        "comment": None,
    }


async def append(engine: AsyncEngine, rows: list[dict[str, Any]]) -> None:
    async with create_session_factory(engine)() as session:
        await append_events(session, rows)
        await session.commit()


async def test_data_survives_0007_up_down_and_up_again(empty_url: str) -> None:
    await alembic(empty_url, "upgrade", "0006")
    engine = create_engine(empty_url)
    try:
        async with create_session_factory(engine)() as session:
            assert await seed_demo(session) > 0
            await session.commit()
        seeded = await snapshot(engine)
        assert seeded["goals"] and seeded["events"]
        steps = (("upgrade", "0007"), ("downgrade", "0006"), ("upgrade", "0007"))
        for direction, revision in steps:
            await engine.dispose()  # SQLite's table copy wants no other connection open
            await alembic(empty_url, direction, revision)
            assert await snapshot(engine) == seeded, (direction, revision)
        # Numbering goes on after the kept events (SQLite: seq is still the rowid).
        await append(engine, [event(ACME, period_id("acme", "fy2026"))])
        after = await snapshot(engine)
        assert after["events"][:-1] == seeded["events"]
        assert after["events"][-1][0] > seeded["events"][-1][0]
    finally:
        await engine.dispose()


@pytest.fixture
async def migrated(empty_url: str) -> AsyncEngine:
    await alembic(empty_url, "upgrade", "head")
    engine = create_engine(empty_url)
    async with create_session_factory(engine)() as session:
        await seed_demo(session)
        await session.commit()
    return engine


async def test_deleting_an_org_deletes_its_goals_and_events_through_its_periods(
    migrated: AsyncEngine,
) -> None:
    try:
        assert await count(migrated, "goals", ACME) > 0
        assert await count(migrated, "goal_events", ACME) > 0
        globex_goals = await count(migrated, "goals", GLOBEX)
        globex_events = await count(migrated, "goal_events", GLOBEX)
        async with migrated.begin() as conn:
            delete = text("DELETE FROM organizations WHERE id = :org")
            await conn.execute(delete.bindparams(bindparam("org", ACME, type_=Uuid())))
        assert await count(migrated, "goals", ACME) == 0
        assert await count(migrated, "goal_events", ACME) == 0
        assert await count(migrated, "goals", GLOBEX) == globex_goals
        assert await count(migrated, "goal_events", GLOBEX) == globex_events
    finally:
        await migrated.dispose()


async def test_an_event_naming_another_orgs_period_is_refused(migrated: AsyncEngine) -> None:
    try:
        with pytest.raises(IntegrityError):
            await append(migrated, [event(GLOBEX, period_id("acme", "fy2026"))])
        with pytest.raises(IntegrityError):
            await append(migrated, [event(uuid.uuid4(), period_id("acme", "fy2026"))])
        await append(migrated, [event(ACME, period_id("acme", "fy2026"))])  # its own: fine
    finally:
        await migrated.dispose()

"""goalpost behind PgBouncer in pool_mode=transaction with GOALPOST_DATABASE_POOLER=pgbouncer
(issue 14.1): the commands work through it, and a runaway statement is still cancelled by the
server, by a timeout that lasts one transaction and never stays on a shared server session."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from structlog.testing import capture_logs

from goalpost.config import Settings
from goalpost.db import create_engine
from goalpost.testing import empty_postgres_database
from tests.batch.helpers import BATCH, batch_input, goals_of
from tests.conftest import ACME_ACTIVE, POSTGRES_URL, GraphQL, error_codes
from tests.hardening.test_postgres_faults import FAULT_STATEMENT_TIMEOUT_MS, items
from tests.scale.conftest import Plant
from tests.scale.test_server_retry import retries

# Long enough that no ordinary read on a busy CI machine meets it (a 1.5 s one once did);
# any value but 0 shows whether the timeout stays on a shared server session.
ORDINARY_STATEMENT_TIMEOUT_MS = 30_000


@pytest.fixture
def statement_timeout_ms() -> int:
    """The app's GOALPOST_DB_STATEMENT_TIMEOUT_MS; the runaway test parametrizes a short one."""
    return ORDINARY_STATEMENT_TIMEOUT_MS


@pytest.fixture
def settings(settings: Settings, bouncer_url: str, statement_timeout_ms: int) -> Settings:
    """The app of these tests talks to PostgreSQL through PgBouncer only."""
    return settings.model_copy(
        update={
            "database_url": bouncer_url,
            "database_pooler": "pgbouncer",
            "db_statement_timeout_ms": statement_timeout_ms,
        }
    )


@pytest.fixture
def empty_database(bouncer_url: str) -> Iterator[str]:
    """A new, empty database (created on PostgreSQL directly), named through PgBouncer."""
    assert POSTGRES_URL is not None
    with empty_postgres_database(POSTGRES_URL) as name:
        yield make_url(bouncer_url).set(database=name).render_as_string(False)


def goalpost(*args: str, url: str) -> str:
    env = {
        **os.environ,
        "GOALPOST_ENV": "dev",
        "GOALPOST_DATABASE_URL": url,
        "GOALPOST_DATABASE_POOLER": "pgbouncer",
    }
    done = subprocess.run(
        [sys.executable, "-m", "goalpost.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_migrate_seed_and_token_work_through_pgbouncer(empty_database: str) -> None:
    assert "database migrated" in goalpost("migrate", url=empty_database)
    assert "demo data seeded" in goalpost("seed-demo", url=empty_database)
    assert "(0 rows added)" in goalpost("seed-demo", url=empty_database)
    assert "demo data reset" in goalpost("seed-demo", "--reset", url=empty_database)
    assert goalpost("token", "alice@acme.example", url=empty_database).count(".") == 2


@pytest.mark.parametrize("statement_timeout_ms", [FAULT_STATEMENT_TIMEOUT_MS])
async def test_a_runaway_statement_is_cancelled_behind_pgbouncer(
    plant: Plant, graphql: GraphQL, http: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    """The pg_sleep trigger outlasts GOALPOST_DB_STATEMENT_TIMEOUT_MS: the server cancels it
    (57014), the batch is INTERNAL, nothing is written, and it is not retried."""
    before = await goals_of(graphql)
    async with plant("statement-timeout", when="NEW.title = 'fault'"):
        with capture_logs() as logs:
            body = await graphql(BATCH, batch_input(items(), period=ACME_ACTIVE))

    assert body["data"] is None and error_codes(body) == ["INTERNAL"], body
    faults = [e for e in logs if e["event"] == "batch_transaction_fault"]
    assert [f["sqlstate"] for f in faults] == ["57014"]
    assert await retries(http) == {}
    assert await goals_of(graphql) == before


async def test_the_timeout_lasts_one_transaction_and_stays_off_shared_sessions(
    app: FastAPI, graphql: GraphQL, settings: Settings
) -> None:
    """Inside the app's transactions the timeout is in force; a client without a timeout
    that reuses the same server connections afterwards sees none (SET LOCAL, not SET)."""
    async with app.state.engine.begin() as conn:
        shown = (await conn.execute(text("SHOW statement_timeout"))).scalar()
        assert shown == f"{ORDINARY_STATEMENT_TIMEOUT_MS // 1000}s"
    await asyncio.gather(*(goals_of(graphql) for _ in range(10)))

    plain = create_engine(settings.database_url, pooler="pgbouncer")
    try:

        async def shown() -> str:
            async with plain.begin() as conn:
                value = (await conn.execute(text("SHOW statement_timeout"))).scalar()
                await conn.execute(text("SELECT pg_sleep(0.05)"))  # hold it: spread over servers
                return str(value)

        assert set(await asyncio.gather(*(shown() for _ in range(20)))) == {"0"}
    finally:
        await plain.dispose()

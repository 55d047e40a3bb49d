"""The suite runs once on SQLite and, when GOALPOST_TEST_POSTGRES_URL is set, once on PostgreSQL.

With GOALPOST_TEST_PGBOUNCER=1 it runs once through a real PgBouncer (pool_mode=transaction)
in front of that PostgreSQL instead, with GOALPOST_DATABASE_POOLER=pgbouncer for every app
and server the tests start (`make test` runs the pooling-relevant tests this way too)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from goalpost.app import create_app
from goalpost.config import Settings
from goalpost.services.demo import period_id
from goalpost.testing import (
    PgBouncer,
    StatementCounter,
    demo_token,
    fresh_postgres_database,
    fresh_sqlite_database,
    reset_database,
)
from goalpost.testing.pgbouncer import pgbouncer_available

POSTGRES_URL = os.environ.get("GOALPOST_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("GOALPOST_TEST_REQUIRE_POSTGRES") == "1"
PGBOUNCER_LANE = os.environ.get("GOALPOST_TEST_PGBOUNCER") == "1"
if PGBOUNCER_LANE:
    # Read by every Settings() of the run and inherited by the servers the tests start.
    os.environ["GOALPOST_DATABASE_POOLER"] = "pgbouncer"

ACME_ACTIVE = str(period_id("acme", "fy2026"))
ACME_CLOSED = str(period_id("acme", "fy2025"))
GLOBEX_ACTIVE = str(period_id("globex", "fy2026"))


@pytest.fixture(scope="session")
def pgbouncer() -> Iterator[PgBouncer]:
    """A real PgBouncer in transaction mode in front of GOALPOST_TEST_POSTGRES_URL's server."""
    if not POSTGRES_URL:
        pytest.fail("PgBouncer tests need GOALPOST_TEST_POSTGRES_URL")
    if not pgbouncer_available():
        if PGBOUNCER_LANE or os.environ.get("GOALPOST_TEST_REQUIRE_PGBOUNCER") == "1":
            pytest.fail("PgBouncer required but /usr/sbin/pgbouncer is missing (apt pgbouncer)")
        pytest.skip("PgBouncer not installed (apt install pgbouncer)")
    with PgBouncer(POSTGRES_URL) as bouncer:
        yield bouncer


@pytest.fixture(scope="session", params=["pgbouncer"] if PGBOUNCER_LANE else ["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        with fresh_sqlite_database(str(tmp_path_factory.mktemp("db") / "goalpost.db")) as url:
            yield url
        return
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail(
                "GOALPOST_TEST_REQUIRE_POSTGRES=1 but GOALPOST_TEST_POSTGRES_URL is not set"
            )
        pytest.skip("PostgreSQL not configured (set GOALPOST_TEST_POSTGRES_URL)")
    try:
        # Created and migrated directly on PostgreSQL (CREATE DATABASE is not for a pooler).
        database = fresh_postgres_database(POSTGRES_URL)
        url = database.__enter__()
    except OSError as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    try:
        if request.param == "pgbouncer":
            yield request.getfixturevalue("pgbouncer").url(url)
        else:
            yield url
    finally:
        database.__exit__(None, None, None)


@pytest.fixture
def dialect(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(env="dev", database_url=database_url, max_batch_items=200)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """A fresh app over the demo data, reset before every test."""
    application = create_app(settings)
    await reset_database(application.state.engine)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://goalpost.test") as client:
        yield client


@pytest.fixture
def token(settings: Settings) -> Callable[[str], str]:
    return lambda name: demo_token(settings, name)


GraphQL = Callable[..., Any]


@pytest.fixture
def graphql(http: httpx.AsyncClient, token: Callable[[str], str]) -> GraphQL:
    """POST a GraphQL document as a demo user (or with explicit headers); returns the JSON body."""

    async def run(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        user: str | None = "alice",
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        sent = dict(headers or {})
        if user is not None and "authorization" not in sent:
            sent["authorization"] = f"Bearer {token(user)}"
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=sent
        )
        body: dict[str, Any] = response.json()
        return body

    return run


@pytest.fixture
def count_statements(app: FastAPI) -> Callable[[], StatementCounter]:
    return lambda: StatementCounter(app.state.engine)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


@pytest.fixture
def bouncer_url(database_url: str, dialect: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """The test database through a real PgBouncer in transaction mode: the lane's own with
    GOALPOST_TEST_PGBOUNCER=1, else one started for these tests."""
    if dialect != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL connections")
    if PGBOUNCER_LANE:
        yield database_url
        return
    bouncer: PgBouncer = request.getfixturevalue("pgbouncer")
    yield bouncer.url(database_url)

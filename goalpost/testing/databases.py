"""Throwaway databases for test suites and benchmarks: create and migrate one, put the demo
data back, count the SQL statements the app sends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from goalpost.cli import migrate_database
from goalpost.db import create_session_factory
from goalpost.services.demo import reset_demo


async def reset_database(engine: AsyncEngine) -> None:
    async with create_session_factory(engine)() as session:
        await reset_demo(session)


@contextmanager
def empty_postgres_database(admin_url: str) -> Iterator[str]:
    """Create a uniquely named, empty database next to `admin_url`; drop it afterwards.
    Yields its name."""
    import asyncpg

    url = make_url(admin_url)
    name = f"goalpost_test_{uuid.uuid4().hex[:10]}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """A new database next to `admin_url`, migrated; dropped afterwards. Yields its URL."""
    with empty_postgres_database(admin_url) as name:
        test_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        migrate_database(test_url)
        yield test_url


@contextmanager
def fresh_sqlite_database(path: str) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{path}"
    migrate_database(url)
    yield url


class StatementCounter:
    """Counts the SQL statements an engine sends (executemany counts once)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.statements: list[str] = []

    def _on_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)

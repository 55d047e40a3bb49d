"""Engine and session factory; the few places where SQLite and PostgreSQL differ."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Session execution option asking for a write transaction (see _begin_sqlite).
WRITE_TRANSACTION = {"goalpost_write": True}


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Foreign keys on, WAL, and explicit BEGIN so that writers can take the lock up front."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's implicit transactions are off; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_sqlite(conn: Connection) -> None:
        # SQLite serializes writers; a writer that starts with a plain BEGIN may read a
        # version, then find its snapshot stale at the first write. BEGIN IMMEDIATE takes
        # the write lock before the first read, so the version check cannot go stale.
        if conn.get_execution_options().get("goalpost_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class SerialSession:
    """One AsyncSession per request, used by one resolver at a time.

    Strawberry resolves sibling fields concurrently; an AsyncSession allows a single
    operation at a time, so resolvers borrow it through this lock.
    """

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def use(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        """`write=True` opens the write transaction before anything is read, so the guard's
        lookups and the writes share one transaction."""
        async with self._lock:
            if self._session is None:
                self._session = self._factory()
            if write:
                await begin_write(self._session)
            yield self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def begin_write(session: AsyncSession) -> None:
    """Make sure a write transaction is open (BEGIN IMMEDIATE on SQLite).

    A read transaction still open is ended first: what it read (the guard's lookups) is
    cached as plain values, and SQLite's write lock has to be taken before the first read.
    """
    current = session.get_transaction()
    if current is not None and session.info.get("write_transaction") is current:
        return
    if current is not None:
        await session.rollback()
    await session.connection(execution_options=WRITE_TRANSACTION)
    session.info["write_transaction"] = session.get_transaction()

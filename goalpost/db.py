"""Engine and session factory; the few places where SQLite and PostgreSQL differ."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Session execution option asking for a write transaction (see _begin_sqlite).
WRITE_TRANSACTION = {"goalpost_write": True}


def create_engine(
    url: str, *, statement_timeout_ms: int | None = None, **kwargs: Any
) -> AsyncEngine:
    if statement_timeout_ms and url.startswith("postgresql"):
        # A runaway statement is cancelled by the server (SQLSTATE 57014), not waited for.
        kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})[
            "statement_timeout"
        ] = str(statement_timeout_ms)
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


# SQLSTATE classes that doom a whole transaction rather than one row: connection (08),
# transaction rollback such as serialization failure or deadlock (40), resources (53),
# operator intervention such as a statement timeout (57), system errors (58).
TRANSACTION_FAULT_CLASSES = frozenset({"08", "40", "53", "57", "58"})
SQLITE_TRANSACTION_FAULTS = frozenset(
    {
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_IOERR",
        "SQLITE_FULL",
        "SQLITE_NOMEM",
        "SQLITE_INTERRUPT",
        "SQLITE_CORRUPT",
        "SQLITE_CANTOPEN",
        "SQLITE_READONLY",
    }
)


def is_transaction_fault(exc: DBAPIError) -> bool:
    """True for faults of the connection or transaction, where retrying one row cannot help."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate:
        return sqlstate[:2] in TRANSACTION_FAULT_CLASSES
    name = getattr(exc.orig, "sqlite_errorname", None)  # e.g. SQLITE_BUSY_SNAPSHOT
    if isinstance(name, str):
        return "_".join(name.split("_")[:2]) in SQLITE_TRANSACTION_FAULTS
    return False


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

"""Engine and session factory; the few places where SQLite and PostgreSQL differ."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from goalpost.config import PING_AFTER_IDLE_S, Pooler

# Session execution option asking for a write transaction (see _begin_sqlite).
WRITE_TRANSACTION = {"goalpost_write": True}


def create_engine(
    url: str,
    *,
    statement_timeout_ms: int | None = None,
    pooler: Pooler = "none",
    ping_after_idle_s: float = PING_AFTER_IDLE_S,
    **kwargs: Any,
) -> AsyncEngine:
    """`pooler="pgbouncer"`: the URL is PgBouncer in pool_mode=transaction (docs/scaling.md).
    `ping_after_idle_s`: a pooled connection idle longer is pinged before use (config.py)."""
    postgres = url.startswith("postgresql")
    behind_pgbouncer = postgres and pooler == "pgbouncer"
    if behind_pgbouncer:
        # Consecutive transactions of one client connection may run on different server
        # connections, so no prepared statement may be cached or reused by name: asyncpg's
        # and SQLAlchemy's caches off, and every statement SQLAlchemy prepares gets a unique
        # name, so two clients never collide on "__asyncpg_stmt_1__" on one server connection.
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("statement_cache_size", 0)
        connect_args.setdefault("prepared_statement_cache_size", 0)
        connect_args.setdefault("prepared_statement_name_func", _unique_statement_name)
    elif statement_timeout_ms and postgres:
        # A runaway statement is cancelled by the server (SQLSTATE 57014), not waited for.
        kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})[
            "statement_timeout"
        ] = str(statement_timeout_ms)
    engine = create_async_engine(url, **kwargs)
    _ping_after_idle(engine, ping_after_idle_s)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif behind_pgbouncer and statement_timeout_ms:
        _timeout_per_transaction(engine, statement_timeout_ms)
    return engine


def _ping_after_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """SQLAlchemy's pool_pre_ping, for connections idle longer than `idle_seconds`: one
    whose server went away meanwhile (a restart, an idle timeout) is replaced before use."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)  # none yet: connected just now
        if returned is None or time.monotonic() - returned < idle_seconds:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # whatever the driver raises, the connection is unusable
            raise DisconnectionError() from error
        if not alive:
            raise DisconnectionError()


_RETURNED_AT = "goalpost_returned_at"


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


def _timeout_per_transaction(engine: AsyncEngine, timeout_ms: int) -> None:
    """PgBouncer refuses statement_timeout as a startup parameter, and a session-level SET
    would stay behind on a server connection that other clients share next. SET LOCAL lasts
    exactly as long as the transaction, which is as long as PgBouncer lends us the server."""
    statement = f"SET LOCAL statement_timeout = {int(timeout_ms)}"

    @event.listens_for(engine.sync_engine, "begin")
    def _set_timeout(conn: Connection) -> None:
        conn.exec_driver_sql(statement)


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


# Conflicts that a fresh transaction usually does not meet again: serialization failure,
# deadlock, and the backend terminated under us (before commit: nothing was written).
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "57P01"})


def transient_fault_reason(exc: DBAPIError) -> str | None:
    """Why running the transaction again may well succeed (the SQLSTATE, or
    "connection_lost"), or None when it would fail the same way (e.g. a statement timeout)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if isinstance(sqlstate, str) and (sqlstate in TRANSIENT_SQLSTATES or sqlstate[:2] == "08"):
        return sqlstate
    if connection_lost(exc):
        return "connection_lost"
    return None


def connection_lost(exc: DBAPIError) -> bool:
    """The connection failed (SQLSTATE class 08, or the driver saw it drop), as opposed to the
    database answering with an error: during COMMIT, only then is the outcome unknown."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return exc.connection_invalidated or (isinstance(sqlstate, str) and sqlstate[:2] == "08")


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

    def sibling(self) -> SerialSession:
        """Another SerialSession on the same factory: one of a WebSocket's operations gets its
        own, so one closing its session never pulls it from under another."""
        return SerialSession(self._factory)

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

"""Alembic environment: async engine, same migrations for SQLite and PostgreSQL."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from goalpost.config import Pooler, get_settings
from goalpost.db import create_engine
from goalpost.models import Base

target_metadata = Base.metadata


def database_url() -> str:
    return context.config.get_main_option("sqlalchemy.url") or get_settings().database_url


def pooler() -> Pooler:
    chosen = context.config.get_main_option("goalpost.pooler")
    if chosen in ("none", "pgbouncer"):
        return "pgbouncer" if chosen == "pgbouncer" else "none"
    return get_settings().database_pooler


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    # Through PgBouncer too: the migrations run in one transaction, on one server connection.
    engine = create_engine(database_url(), pooler=pooler())
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_async_migrations())

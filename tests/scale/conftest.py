"""Fixtures of the scale-out tests: PgBouncer in front of the test database, planted faults."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.hardening.test_postgres_faults import FAULTS

Plant = Callable[..., AbstractAsyncContextManager[None]]


@pytest.fixture
def plant(app: FastAPI, dialect: str) -> Plant:
    """`async with plant(fault, when=..., times=1):` a trigger on goals that injects `fault`
    (see FAULTS) into the first `times` rows matching `when`, then lets every row through."""
    if dialect != "postgresql":
        pytest.skip("PostgreSQL fault injection (SQLite has no serialization failures)")

    @asynccontextmanager
    async def planted(fault: str, *, when: str, times: int | None = 1) -> AsyncIterator[None]:
        limit = "TRUE" if times is None else f"nextval('fault_count') <= {times}"
        statements = [
            "CREATE SEQUENCE fault_count",
            f"""CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF {when} AND {limit} THEN {FAULTS[fault]} END IF;
                  RETURN NEW;
                END $$""",
            """CREATE TRIGGER inject_fault BEFORE INSERT OR UPDATE ON goals
               FOR EACH ROW EXECUTE FUNCTION inject_fault()""",
        ]
        async with app.state.engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
        try:
            yield
        finally:
            async with app.state.engine.begin() as conn:
                await conn.execute(text("DROP TRIGGER inject_fault ON goals"))
                await conn.execute(text("DROP FUNCTION inject_fault()"))
                await conn.execute(text("DROP SEQUENCE fault_count"))

    return planted

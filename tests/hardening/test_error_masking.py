"""An unexpected failure is INTERNAL (retryable), with no stack trace, SQL or path in it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

LEAKS = (
    "Traceback",
    "SELECT",
    "competencies_away",
    "FROM",
    "sqlalchemy",
    "asyncpg",
    "sqlite",
    ".py",
    "/work/",
    "site-packages",
    "UndefinedTable",
    "no such table",
)


@pytest.fixture
async def competencies_table_gone(app: FastAPI) -> AsyncIterator[None]:
    """A real database fault: the table a resolver reads is not there."""
    async with app.state.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE competencies RENAME TO competencies_away"))
    yield
    async with app.state.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE competencies_away RENAME TO competencies"))


@pytest.mark.usefixtures("competencies_table_gone")
async def test_database_fault_is_masked_as_internal(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": '{ organization(slug: "acme") { name competencies { name } } }'},
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL", "retryable": True}
    assert error["path"] == ["organization", "competencies"]
    for leak in LEAKS:
        assert leak not in response.text, leak

    # Other fields and the next request are unaffected.
    fine = await http.post(
        "/graphql",
        json={"query": "{ me { email } }"},
        headers={"authorization": f"Bearer {token('alice')}"},
    )
    assert fine.json() == {"data": {"me": {"email": "alice@acme.example"}}}

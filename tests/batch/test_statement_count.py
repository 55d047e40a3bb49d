"""Constant SQL cost: the statements of a batch do not grow with its size (docs/batch-save.md),
and the goal history takes exactly one INSERT per batch whatever its size (docs/history.md):
its own statement on SQLite, part of the one write statement on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from goalpost.testing import StatementCounter, mixed_batch_items
from tests.batch.helpers import BATCH, batch_input, competency_id, results
from tests.batch.history_helpers import history_inserts
from tests.conftest import ACME_ACTIVE, GraphQL

SIZES = (1, 10, 100, 200)
# The statements of a batch from ten items on (docs/batch-save.md). SQLite: its BEGIN
# IMMEDIATE, the guard, tally, load, competencies, one statement per kind of write and the
# history insert. PostgreSQL: the guard (with the owner's lock), tally, load, competencies
# and one statement for the writes and their events.
STATEMENTS = {"sqlite": 9, "postgresql": 5}


async def seed_goals(graphql: GraphQL, prefix: str, count: int) -> list[dict[str, Any]]:
    """Existing goals to update and delete, created through the API."""
    items = [
        {"clientId": f"{prefix}-{i}", "performance": {"title": f"goal {i}", "weight": 1}}
        for i in range(count)
    ]
    saved: list[dict[str, Any]] = []
    for start in range(0, count, 200):
        saved += results(
            await graphql(BATCH, batch_input(items[start : start + 200], period=ACME_ACTIVE))
        )
    return [r["goal"] for r in saved]


async def test_statements_per_batch_do_not_grow_with_batch_size(
    graphql: GraphQL, count_statements: Callable[[], StatementCounter], dialect: str
) -> None:
    measured: dict[int, int] = {}
    history: dict[int, int] = {}
    for size in SIZES:
        prefix = f"s{size}"
        existing = await seed_goals(graphql, prefix, size)
        items = mixed_batch_items(size, existing, prefix, competency_id("acme", "Ownership"))
        with count_statements() as counter:
            body = await graphql(BATCH, batch_input(items, period=ACME_ACTIVE))
        out = results(body)
        assert len(out) == size
        assert all(r["__typename"] in ("GoalSaved", "GoalDeleted") for r in out), out[:3]
        # Behind PgBouncer each transaction starts with SET LOCAL statement_timeout (one per
        # transaction, not per item): counted apart, so the batch's own figure is the same.
        timeouts = sum(1 for s in counter.statements if s.startswith("SET LOCAL"))
        assert timeouts <= 2  # the caller's read transaction and the write transaction
        measured[size] = counter.count - timeouts
        history[size] = history_inserts(counter)
    print("SQL statements per batchSaveGoals request (auth + guard + batch):", measured)
    # Every statement of the whole request is counted: the guard (caller, org and period in
    # one, and on PostgreSQL the owner's lock), then the batch.
    # A batch of 1 is a lone create: no UPDATE or DELETE to send.
    assert measured[1] <= measured[10] == measured[100] == measured[200] == STATEMENTS[dialect]
    assert history == {size: 1 for size in SIZES}  # every item is written, one INSERT for all
    if dialect == "postgresql":
        # The writes and their events go as one statement: no batch size sends more.
        assert measured[1] == measured[200]


async def test_statement_texts_do_not_depend_on_batch_size(
    graphql: GraphQL, count_statements: Callable[[], StatementCounter]
) -> None:
    """The same SQL text for 10 items or 100: compiled once, cached, and prepared once by the
    database (a VALUES list or IN list that grows with the batch would be new SQL every time)."""
    texts: dict[int, list[str]] = {}
    for size in (10, 100):
        prefix = f"t{size}"
        existing = await seed_goals(graphql, prefix, size)
        items = mixed_batch_items(size, existing, prefix, competency_id("acme", "Ownership"))
        with count_statements() as counter:
            body = await graphql(BATCH, batch_input(items, period=ACME_ACTIVE))
        assert all(r["__typename"] in ("GoalSaved", "GoalDeleted") for r in results(body))
        texts[size] = counter.statements
    assert texts[10] == texts[100]

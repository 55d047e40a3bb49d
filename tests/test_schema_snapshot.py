"""The committed SDL (`schema.graphql`) is the schema clients code against.

The served schema must equal it, so every schema change shows up in review as a diff of that
file; a change that breaks clients (graphql-core's find_breaking_changes) must be made on purpose:
`goalpost schema --write schema.graphql` refuses it without `--allow-breaking`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from graphql import (
    build_client_schema,
    find_breaking_changes,
    get_introspection_query,
    lexicographic_sort_schema,
    print_schema,
)
from graphql import build_schema as parse_sdl

SNAPSHOT = Path(__file__).resolve().parent.parent / "schema.graphql"
REFRESH = "run `.venv/bin/goalpost schema --write schema.graphql` and commit the diff"


async def served_schema_sdl(http: httpx.AsyncClient) -> str:
    """The schema as a client sees it: introspected over HTTP, printed as SDL."""
    response = await http.post(
        "/graphql", json={"query": get_introspection_query(True, specified_by_url=True)}
    )
    return print_schema(lexicographic_sort_schema(build_client_schema(response.json()["data"])))


async def test_served_schema_breaks_nothing_of_the_snapshot(http: httpx.AsyncClient) -> None:
    snapshot = parse_sdl(SNAPSHOT.read_text())
    served = parse_sdl(await served_schema_sdl(http))
    breaking = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(snapshot, served)]
    assert breaking == [], f"breaking schema changes; if deliberate, {REFRESH} --allow-breaking"


async def test_served_schema_equals_the_snapshot(http: httpx.AsyncClient) -> None:
    committed = print_schema(lexicographic_sort_schema(parse_sdl(SNAPSHOT.read_text())))
    assert await served_schema_sdl(http) == committed, f"schema changed: {REFRESH}"


def test_refreshing_the_snapshot_refuses_a_breaking_change(tmp_path: Path) -> None:
    """An older snapshot with a field we no longer serve: removing it breaks clients."""
    older = tmp_path / "schema.graphql"
    older.write_text(SNAPSHOT.read_text().replace("type Me {", "type Me {\n  nickname: String!", 1))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    command = [sys.executable, "-m", "goalpost.cli", "schema", "--write", str(older)]

    refused = subprocess.run(command, env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "breaking: FIELD_REMOVED: Field Me.nickname was removed." in refused.stderr
    assert "nickname" in older.read_text()

    allowed = subprocess.run(
        [*command, "--allow-breaking"], env=env, capture_output=True, text=True
    )
    assert allowed.returncode == 0, allowed.stderr
    assert older.read_text() == SNAPSHOT.read_text()

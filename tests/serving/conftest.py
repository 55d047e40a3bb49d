"""`goalpost serve` as an operator runs it: several uvicorn workers on one PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from goalpost.testing import ServerProcess, create_engine, reset_database

WORKERS = 2


def children(pid: int) -> list[int]:
    """The processes `pid` started (uvicorn's workers, for `goalpost serve`)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def workers_started(log_path: Path) -> int:
    """How many workers said they serve (uvicorn writes this line once per worker, in
    plain text or as the `event` of a JSON line)."""
    return log_path.read_text().count("Application startup complete")


@pytest.fixture
def served(database_url: str, dialect: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """`goalpost serve --workers 2` on PostgreSQL, every worker started."""
    if dialect != "postgresql":
        pytest.skip("several workers need PostgreSQL (`goalpost serve` refuses them on SQLite)")

    async def reset() -> None:
        engine = create_engine(database_url)
        await reset_database(engine)
        await engine.dispose()

    asyncio.run(reset())
    with ServerProcess(
        tmp_path / "server.log", workers=WORKERS, GOALPOST_DATABASE_URL=database_url
    ) as server:
        deadline = time.monotonic() + 60
        while workers_started(server.log_path) < WORKERS:
            assert time.monotonic() < deadline, server.log_path.read_text()
            time.sleep(0.1)
        yield server


def log_entries(log_path: Path) -> list[dict[str, Any]]:
    """The server's log lines (JSON, as ServerProcess asks for)."""
    return [json.loads(line) for line in log_path.read_text().splitlines()]


def serving_workers(log_path: Path, text: str, since: int = 0) -> set[int]:
    """The processes whose uvicorn lines contain `text` (e.g. `GET /healthz`; uvicorn logs
    an accepted WebSocket on its error logger, the HTTP requests on its access logger), in
    the lines after the first `since`."""
    return {
        entry["process"]
        for entry in log_entries(log_path)[since:]
        if str(entry.get("logger")).startswith("uvicorn") and text in str(entry.get("event"))
    }

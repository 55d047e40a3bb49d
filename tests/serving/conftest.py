"""`goalpost serve` as an operator runs it: several uvicorn workers on one PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from goalpost.testing import ServerProcess

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
    with ServerProcess(
        tmp_path / "server.log", workers=WORKERS, GOALPOST_DATABASE_URL=database_url
    ) as server:
        deadline = time.monotonic() + 60
        while workers_started(server.log_path) < WORKERS:
            assert time.monotonic() < deadline, server.log_path.read_text()
            time.sleep(0.1)
        yield server

"""GraphQL over HTTP conformance: every MUST and SHOULD audit of graphql-http's auditServer."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from goalpost.config import Settings
from goalpost.testing import LiveServer

AUDIT = Path(__file__).parent.parent / "conformance"


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


def test_graphql_http_audit_passes_every_must_and_should(live: LiveServer) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed for the graphql-http audit"
    assert (AUDIT / "node_modules" / "graphql-http").is_dir(), (
        "run `npm ci --prefix tests/conformance` (make test does)"
    )
    run = subprocess.run(
        [node, str(AUDIT / "audit.mjs"), live.graphql_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(results) >= 50
    assert {r["name"].split(" ", 1)[0] for r in results} >= {"MUST", "SHOULD"}
    failing = [
        f"{r['status']}: {r['name']} ({r['reason']})" for r in results if r["status"] != "ok"
    ]
    assert failing == []

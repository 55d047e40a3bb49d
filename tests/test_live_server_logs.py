"""The live test server logs to its own buffer, so `make test` prints only pytest's lines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from goalpost.config import Settings
from goalpost.testing import LiveServer, demo_token, fresh_sqlite_database


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll a condition the server thread makes true; fail with `what` if it never does."""
    deadline = time.monotonic() + 15
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_live_server_logs_go_to_its_log_not_to_stdout(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with fresh_sqlite_database(str(tmp_path / "live.db")) as url:
        settings = Settings(env="dev", database_url=url, log_format="json")
        with LiveServer(settings) as server:
            server.reset()
            response = httpx.post(
                server.graphql_url,
                json={"query": "{ me { email } }"},
                headers={
                    "authorization": f"Bearer {demo_token(settings, 'alice')}",
                    "x-request-id": "live-log-1",
                },
            )
            assert response.status_code == 200

            def logged() -> bool:
                return any("live-log-1" in line for line in server.log_lines())

            wait_for(logged, "the request's log line")
            line = json.loads(next(x for x in server.log_lines() if "live-log-1" in x))
    assert line["event"] == "http_request" and line["route"] == "/graphql"
    out, err = capfd.readouterr()
    assert "http_request" not in out + err


PLAIN_TEST = """
import httpx


def test_a_request(goalpost_server, goalpost_token):
    response = httpx.post(
        goalpost_server.graphql_url,
        json={"query": "{ me { email } }"},
        headers={"authorization": "Bearer " + goalpost_token("alice")},
    )
    assert response.json() == {"data": {"me": {"email": "alice@acme.example"}}}
"""


def test_pytest_run_with_the_plugin_server_prints_no_log_line(tmp_path: Path) -> None:
    """What a suite sees: even with capture off (-s), no server line reaches the terminal."""
    (tmp_path / "test_plain.py").write_text(PLAIN_TEST)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-s", "-q", "-p", "no:cacheprovider"),
            *("-o", "asyncio_default_fixture_loop_scope=function", "test_plain.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert lines[0] == ".", lines  # the test's dot, alone on its line
    assert re.fullmatch(r"1 passed in [\d.]+s", lines[1]), lines
    assert len(lines) == 2, lines

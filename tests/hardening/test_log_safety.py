"""A log line never fails a request: text a client sent is escaped before it is written.

A clientId holding a lone surrogate (valid in JSON as "\\ud800", not encodable as UTF-8) used
to make the console log line of its failed item raise, and the batch ended as INTERNAL
(retryable: a client would resend it forever). The app runs in a real process whose stdout is
a strict UTF-8 pipe, as under a terminal or a process manager.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import asyncio, json, sys, httpx
from goalpost.app import create_app
from goalpost.config import Settings
from goalpost.testing import demo_token, fresh_sqlite_database, reset_database

async def main(url, log_format, body):
    settings = Settings(env="dev", database_url=url, log_format=log_format)
    app = create_app(settings)
    await reset_database(app.state.engine)
    headers = {"content-type": "application/json",
               "authorization": "Bearer " + demo_token(settings, "alice")}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://goalpost.test") as c:
        response = await c.post("/graphql", content=body, headers=headers)
    sys.stderr.write("RESULT " + response.text.encode("ascii", "backslashreplace").decode() + "\\n")

with fresh_sqlite_database(sys.argv[1]) as url:
    asyncio.run(main(url, sys.argv[2], sys.stdin.read()))
"""


@pytest.mark.parametrize("log_format", ["console", "json"])
def test_a_lone_surrogate_in_a_client_id_fails_its_item_not_the_request(
    tmp_path: Path, log_format: str
) -> None:
    from goalpost.services.demo import period_id

    items = [
        {"clientId": "bad\ud800", "coreValue": {"coreValuePlan": "x"}},
        {"clientId": "good", "coreValue": {"coreValuePlan": "x"}},
    ]
    body = json.dumps(
        {
            "query": "mutation($i: BatchSaveGoalsInput!) { batchSaveGoals(input: $i) "
            "{ results { __typename ... on GoalSaveProblem { code } } } }",
            "variables": {
                "i": {
                    "orgSlug": "acme",
                    "periodId": str(period_id("acme", "fy2026")),
                    "items": items,
                }
            },
        }
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    env["PYTHONIOENCODING"] = "utf-8"  # strict: what cannot be encoded raises
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "app.db"), log_format],
        input=body,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("RESULT "))
    answer = json.loads(line.removeprefix("RESULT "))
    assert answer == {
        "data": {
            "batchSaveGoals": {
                "results": [
                    {"__typename": "GoalValidationFailed", "code": "VALIDATION_FAILED"},
                    {"__typename": "GoalSaved"},
                ]
            }
        }
    }
    assert "goal_save_failed" in done.stdout  # the line was written, escaped

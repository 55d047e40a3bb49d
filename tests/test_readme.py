"""The README's examples, run as they are printed, so the README cannot drift from the code.

The `batchSaveGoals` mutation must give exactly the answer printed under it, and give it
again after `goalpost seed-demo --reset`; the AutoSaver example must run on fresh demo data,
after that mutation, and a second time.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from goalpost.db import create_session_factory
from goalpost.services.demo import demo_rows, restore_demo
from goalpost.testing import LiveServer, demo_token
from tests.live.conftest import subscribers

README = Path(__file__).resolve().parents[1] / "README.md"


DOCS = README.parent / "docs"


def section(heading: str, page: Path = README) -> str:
    """The text of the section of `page` (the README, or a docs/ page) whose `##` or `###`
    heading starts with `heading`, up to the next such heading."""
    text = page.read_text()
    found = re.search(
        rf"^#{{2,3}} {re.escape(heading)}.*?$(.*?)(?=^#{{2,3}} |\Z)", text, re.M | re.S
    )
    assert found, f"{page.name} has no section {heading!r}"
    return found.group(1)


def fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)


def batch_save_example() -> tuple[str, dict[str, Any]]:
    """The mutation and the answer printed in "Saving goals: batchSaveGoals"."""
    text = section("Saving goals")
    [mutation] = fenced(text, "graphql")
    [answer] = fenced(text, "json")
    return mutation, json.loads(answer)


def autosave_example() -> str:
    return fenced(section("Runnable example", DOCS / "client.md"), "python")[0]


async def post_as_alice(http: httpx.AsyncClient, token: str, query: str) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def with_new_goal_id(documented: dict[str, Any], actual: dict[str, Any]) -> dict[str, Any]:
    """The documented answer with the created goal's id as this run made it (ids are random)."""
    new_id = actual["data"]["batchSaveGoals"]["results"][0]["goal"]["id"]
    uuid.UUID(new_id)
    assert new_id not in {str(values["id"]) for _, values in demo_rows()}
    expected = json.loads(json.dumps(documented))
    expected["data"]["batchSaveGoals"]["results"][0]["goal"]["id"] = new_id
    return expected


def test_the_example_title_is_one_character_too_long() -> None:
    mutation, _ = batch_save_example()
    titles = re.findall(r'clientId: "tmp-2", performance: \{title: "([^"]*)"\}', mutation)
    assert [len(t) for t in titles] == [201]


async def test_batch_save_example_gives_the_documented_answer_again_after_a_reset(
    app: FastAPI, http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    mutation, documented = batch_save_example()

    first = await post_as_alice(http, token("alice"), mutation)
    assert first == with_new_goal_id(documented, first)

    async with create_session_factory(app.state.engine)() as session:
        await restore_demo(session)  # what `goalpost seed-demo --reset` runs
    again = await post_as_alice(http, token("alice"), mutation)
    assert again == with_new_goal_id(documented, again)
    assert again != first  # a new goal again, not the first run's


# -- the AutoSaver example, against a live server --------------------------------------------


@pytest.fixture(scope="session")
def goalpost_database_url(database_url: str) -> str:
    """The plugin's live server runs on the suite's database (SQLite, then PostgreSQL)."""
    return database_url


@pytest.fixture
def run_example(
    goalpost_server: LiveServer, tmp_path: Path
) -> Callable[[], subprocess.CompletedProcess[str]]:
    """Save docs/client.md's example as a file and run it as the README says, on the live server."""
    script = tmp_path / "autosave_example.py"
    script.write_text(autosave_example())
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    env["GOALPOST_DATABASE_URL"] = goalpost_server.settings.database_url
    env["GOALPOST_GRAPHQL_URL"] = goalpost_server.graphql_url

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def assert_example_output(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "requests sent: 1\n" in out and "requests sent: 2\n" in out, out
    assert re.search(r"new goal tmp-\w+ is now id [0-9a-f-]{36}\n", out), out
    too_long = "error, performance.title: String should have at most 200 characters"
    assert re.search(rf"tmp-\w+: {too_long}\n", out), out
    final = [state for _, state in re.findall(r"^(\S+)\s+(\w+)\s+v\d+$", out, re.M)]
    assert set(final) <= {"saved", "idle"}, out  # idle: loaded, not edited
    assert final.count("saved") >= 2, out  # at least the two added goals


def alice_goals(server: LiveServer) -> list[dict[str, Any]]:
    query = (
        '{ organization(slug: "acme") { periods { status myGoals { clientId status version '
        "... on PerformanceGoal { title } ... on CompetencyGoal { actionPlan } "
        "... on CoreValueGoal { coreValuePlan } } } } }"
    )
    token = demo_token(server.settings, "alice")
    body = httpx.post(
        server.graphql_url, json={"query": query}, headers={"authorization": f"Bearer {token}"}
    ).json()
    [active] = [p for p in body["data"]["organization"]["periods"] if p["status"] == "ACTIVE"]
    goals: list[dict[str, Any]] = active["myGoals"]
    return goals


def test_autosave_example_runs_on_fresh_demo_data_and_again(
    goalpost_server: LiveServer, run_example: Callable[[], subprocess.CompletedProcess[str]]
) -> None:
    first = run_example()
    assert_example_output(first)
    goals = alice_goals(goalpost_server)
    assert "Weekly summaries" in [g.get("actionPlan") for g in goals]
    assert "Mentor two new hires" in [g.get("coreValuePlan") for g in goals]
    titles = [g.get("title") for g in goals]
    assert {"Grow ARR by 25%", "Ship the mobile app", "Renew the partner programme"} <= set(titles)
    assert_example_output(run_example())


def test_autosave_example_runs_after_the_batch_save_example(
    goalpost_server: LiveServer, run_example: Callable[[], subprocess.CompletedProcess[str]]
) -> None:
    mutation, _ = batch_save_example()
    token = demo_token(goalpost_server.settings, "alice")
    body = httpx.post(
        goalpost_server.graphql_url,
        json={"query": mutation},
        headers={"authorization": f"Bearer {token}"},
    ).json()
    assert body["data"]["batchSaveGoals"]["savedCount"] == 3  # alice-perf-2 is gone now

    done = run_example()
    assert_example_output(done)
    assert "alice-perf-2" not in {g["clientId"] for g in alice_goals(goalpost_server)}


def live_example() -> str:
    return fenced(section("Try it", DOCS / "live.md"), "python")[0]


async def test_live_example_prints_the_notice_of_a_save(
    goalpost_server: LiveServer, tmp_path: Path
) -> None:
    """docs/live.md's "Try it" script, run as carol as the page says, prints alice's save."""
    script = tmp_path / "live.py"
    script.write_text(live_example())
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    env["GOALPOST_WS_URL"] = goalpost_server.graphql_url.replace("http://", "ws://")
    carol = demo_token(goalpost_server.settings, "carol")
    example = await asyncio.create_subprocess_exec(
        sys.executable, str(script), carol, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        await subscribers(goalpost_server.url, 1)
        mutation, _ = batch_save_example()
        alice = demo_token(goalpost_server.settings, "alice")
        async with httpx.AsyncClient(base_url=goalpost_server.url) as http:
            body = await post_as_alice(http, alice, mutation)
        assert body["data"]["batchSaveGoals"]["savedCount"] == 3
        assert example.stdout is not None
        line = (await asyncio.wait_for(example.stdout.readline(), 30)).decode()
        assert "'goalId'" in line and "'cursor'" in line, line
        assert re.search(r"'kind': '(CREATED|UPDATED|DELETED)'", line), line
    finally:
        example.terminate()
        await example.wait()


# -- links between the README and docs/ ------------------------------------------------------

LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", markdown, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_the_readme_is_a_front_door_not_a_notebook() -> None:
    """The README stays short enough to read first; details live in docs/ and bench/."""
    assert len(README.read_text().splitlines()) <= 300


def test_code_and_docs_cite_the_repositorys_own_pages() -> None:
    """The contract lives in docs/; a citation of a specification the repository does not
    hold sends a reader nowhere."""
    root = README.parent
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    citing = [
        name
        for name in tracked
        if name.endswith((".py", ".js", ".ts", ".md", ".graphql", ".html"))
        and "vendor/" not in name
        and re.search("SPEC" + r" ?§", (root / name).read_text(errors="replace"))
    ]
    assert citing == []


def test_links_between_readme_and_docs_resolve() -> None:
    root = README.parent
    pages = [README, root / "bench" / "README.md", *sorted((root / "docs").glob("*.md"))]
    assert len(pages) > 2, "docs/ has no pages"
    broken = []
    for page in pages:
        for target in LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and anchor not in anchors(linked.read_text()):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []

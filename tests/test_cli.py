"""The `goalpost` command line, run as a real subprocess against a throwaway SQLite file."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt
import pytest

from goalpost.app import create_app
from goalpost.config import DEV_JWT_SECRET, Settings
from goalpost.services.demo import demo_rows

SEEDED = re.compile(r"demo data seeded \((\d+) rows added\)")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def goalpost(sqlite_url: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `goalpost` script with only GOALPOST_DATABASE_URL set (dev defaults)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    env["GOALPOST_DATABASE_URL"] = sqlite_url
    script = Path(sys.executable).with_name("goalpost")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "goalpost.cli"]

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args],
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def rows_added(result: subprocess.CompletedProcess[str]) -> int:
    assert result.returncode == 0, result.stderr
    match = SEEDED.search(result.stdout)
    assert match, result.stdout
    return int(match.group(1))


@pytest.fixture
def seeded(goalpost: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    migrated = goalpost("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert rows_added(goalpost("seed-demo")) == len(demo_rows())


def test_migrate_then_seed_demo_twice_adds_nothing_the_second_time(
    goalpost: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    migrated = goalpost("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "database migrated" in migrated.stdout
    assert rows_added(goalpost("seed-demo")) == len(demo_rows())
    assert rows_added(goalpost("seed-demo")) == 0
    again = goalpost("migrate")
    assert again.returncode == 0, again.stderr


@pytest.mark.usefixtures("seeded")
def test_token_prints_a_dev_token_for_the_email(
    goalpost: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    result = goalpost("token", "carol@acme.example")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    claims = jwt.decode(
        token, DEV_JWT_SECRET, algorithms=["HS256"], options={"require": ["exp", "sub"]}
    )
    assert claims["sub"] == "demo|carol"
    assert claims["exp"] > time.time()


@pytest.mark.usefixtures("seeded")
def test_token_ttl_option_sets_the_lifetime(
    goalpost: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    result = goalpost("token", "dave@globex.example", "--ttl", "60")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), DEV_JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "demo|dave"
    assert claims["exp"] - claims["iat"] == 60


@pytest.mark.usefixtures("seeded")
def test_token_for_an_unknown_email_fails(
    goalpost: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    result = goalpost("token", "mallory@acme.example")
    assert result.returncode != 0
    assert result.stdout.strip() == ""
    assert "mallory@acme.example" in result.stderr


@pytest.mark.usefixtures("seeded")
async def test_printed_token_is_accepted_by_the_api(
    goalpost: Callable[..., subprocess.CompletedProcess[str]], sqlite_url: str
) -> None:
    token = goalpost("token", "carol@acme.example").stdout.strip()
    app = create_app(Settings(env="dev", database_url=sqlite_url, jwt_secret=DEV_JWT_SECRET))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://cli.test") as http:
            response = await http.post(
                "/graphql",
                json={"query": "{ me { email memberships { organization { slug } } } }"},
                headers={"authorization": f"Bearer {token}"},
            )
    finally:
        await app.state.engine.dispose()
    body = response.json()
    assert body.get("errors") is None, body
    assert body["data"]["me"]["email"] == "carol@acme.example"
    slugs = [m["organization"]["slug"] for m in body["data"]["me"]["memberships"]]
    assert slugs == ["acme", "globex"]


def started_workers(database_url: str, tmp_path: Path, **env: str) -> int:
    """Run `goalpost serve` until it answers, then count the uvicorn processes that serve."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    environ.update(GOALPOST_DATABASE_URL=database_url, **env)
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "goalpost.cli", "serve", "--port", str(port)],
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while log_path.read_text().count("Application startup complete") < 1:
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        # Workers start one after the other; each says so before it serves.
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        wanted = int(env.get("GOALPOST_WORKERS", "1"))
        while log_path.read_text().count("Application startup complete") < wanted:
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        time.sleep(1)  # a worker more than wanted would have said so by now
    finally:
        server.terminate()
        server.wait(timeout=30)
    return log_path.read_text().count("Started server process")


@pytest.mark.usefixtures("seeded")
def test_serve_runs_one_worker_on_sqlite_by_default(sqlite_url: str, tmp_path: Path) -> None:
    assert started_workers(sqlite_url, tmp_path) == 1


def test_serve_runs_the_workers_goalpost_workers_asks_for(
    database_url: str, dialect: str, tmp_path: Path
) -> None:
    if dialect != "postgresql":
        pytest.skip("several workers need PostgreSQL; SQLite's refusal is tested below")
    assert started_workers(database_url, tmp_path, GOALPOST_WORKERS="2") == 2


@pytest.mark.parametrize("how", [["--workers", "2"], ["--workers", "3"], []])
def test_serve_refuses_several_workers_on_sqlite_and_says_why(
    goalpost: Callable[..., subprocess.CompletedProcess[str]], how: list[str]
) -> None:
    """Each worker would hear only its own commits (docs/live.md): a subscriber on one would
    miss the saves made through another. `[]`: asked for by GOALPOST_WORKERS instead."""
    command = ["serve", "--port", "1", *how]
    done = goalpost(*command) if how else goalpost(*command, GOALPOST_WORKERS="2")
    assert done.returncode != 0, done.stdout + done.stderr
    assert "need PostgreSQL" in done.stderr, done.stderr
    assert "Started server process" not in done.stdout + done.stderr


def test_the_pool_keeps_twenty_connections_on_postgresql_and_five_on_sqlite() -> None:
    """SQLite takes one writer at a time: more connections would only wait in its busy
    handler; GOALPOST_DATABASE_POOL_SIZE overrides either."""
    postgres = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    assert Settings(env="dev", database_url=postgres).pool_size == 20
    assert Settings(env="dev", database_url="sqlite+aiosqlite:///x.db").pool_size == 5
    chosen = Settings(env="dev", database_url=postgres, database_pool_size=8)
    assert chosen.pool_size == 8


def test_serve_defaults_to_one_worker_per_core_on_postgresql() -> None:
    settings = Settings(env="dev", database_url="postgresql+asyncpg://db.example/goalpost")
    assert settings.serve_workers == len(os.sched_getaffinity(0))
    assert Settings(env="dev", database_url="sqlite+aiosqlite:///x.db").serve_workers == 1


def test_served_app_freezes_what_startup_made_and_collects_the_young_less_often(
    sqlite_url: str,
) -> None:
    """`goalpost serve`'s app factory tunes the garbage collector of its worker process (in
    a process of its own here: a frozen object is never collected)."""
    code = (
        "import gc; from goalpost.app import GC_YOUNG_THRESHOLD, create_served_app; "
        "assert gc.get_freeze_count() == 0; create_served_app(); "
        "print(gc.get_freeze_count() > 1000, gc.get_threshold()[0] == GC_YOUNG_THRESHOLD)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**environ, "GOALPOST_DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["True", "True"], done.stderr

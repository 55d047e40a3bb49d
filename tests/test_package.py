"""A real package: a built wheel, installed into a fresh venv, runs with no checkout around it.

The wheel must carry everything the commands need at run time (migrations, the goal sheet),
so this test builds it, installs it in a new virtual environment and runs
`goalpost migrate && goalpost seed-demo && goalpost serve` from an empty directory.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from goalpost import testing

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(*command: str | Path, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout installed in a fresh venv; returns the venv's bin folder."""
    build = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        build,
        ROOT,
        cwd=build,
        env=env,
    )
    (wheel,) = build.glob("goalpost-*.whl")
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", venv, cwd=build, env=env)
    run(venv / "bin" / "pip", "install", "-q", wheel, cwd=build, env=env)
    return venv / "bin"


def test_installed_wheel_migrates_seeds_and_serves(installed: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "elsewhere"  # no checkout, no alembic.ini, no migrations folder here
    workdir.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    env |= {"GOALPOST_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'app.db'}"}
    assert "database migrated" in run(installed / "goalpost", "migrate", cwd=workdir, env=env)
    assert "demo data seeded" in run(installed / "goalpost", "seed-demo", cwd=workdir, env=env)
    token = run(installed / "goalpost", "token", "alice@acme.example", cwd=workdir, env=env).strip()

    server = subprocess.Popen(
        [str(installed / "goalpost"), "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        me = httpx.post(
            f"{base}/graphql",
            json={"query": "{ me { email } }"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert me.json() == {"data": {"me": {"email": "alice@acme.example"}}}
        sheet = httpx.get(f"{base}/")
        assert sheet.status_code == 200 and "<html" in sheet.text.lower()
        assert httpx.get(f"{base}/web/app.js").status_code == 200  # the built sheet ships
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_installed_wheel_carries_the_test_helpers(installed: Path, tmp_path: Path) -> None:
    """The pytest plugin imports `goalpost.testing` (a package of modules) from the wheel, so
    every helper a checkout exports must resolve in an install with no checkout around it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    script = "import goalpost.testing as t; print(*(n for n in t.__all__ if hasattr(t, n)))"
    exported = run(installed / "python", "-c", script, cwd=tmp_path, env=env).split()
    assert exported == list(testing.__all__)


USER_SUITE = """
from goalpost.client import AutoSaver


async def test_a_users_suite_gets_a_client_and_a_server(goalpost_server, goalpost_client):
    me = await goalpost_client.me()
    assert me.email == "alice@acme.example"
    period = (await goalpost_client.organization("acme")).active_periods[0]
    saver = AutoSaver(goalpost_client, "acme", period.id)
    for n in range(3):
        saver.add("PERFORMANCE", {"title": f"Goal {n}"})
    await saver.flush()
    assert len(goalpost_server.recorder.graphql("BatchSaveGoals")) == 1
"""

PLUGIN_FIXTURES = (
    "goalpost_database_url",
    "goalpost_settings",
    "goalpost_live_server",
    "goalpost_server",
    "goalpost_token",
    "goalpost_client_factory",
    "goalpost_client",
)


def test_a_users_suite_needs_only_goalpost_and_pytest(installed: Path, tmp_path: Path) -> None:
    """`pip install goalpost pytest` and a user's async test gets `goalpost_client`: the
    plugin's async fixtures must not depend on a plugin nothing installs (pytest-asyncio)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOALPOST_", "PYTEST_"))}
    run(installed / "pip", "install", "-q", "pytest", cwd=tmp_path, env=env)
    assert "pytest_asyncio" not in run(installed / "pip", "freeze", cwd=tmp_path, env=env)
    (tmp_path / "test_user.py").write_text(USER_SUITE)
    out = run(installed / "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path, env=env)
    assert "1 passed" in out, out

    listing = run(
        installed / "pytest", "--fixtures", "-p", "no:cacheprovider", cwd=tmp_path, env=env
    )
    documented = re.findall(r"^(goalpost_\w+)(?: \[\w+ scope\])? -- .*\n {4}\S", listing, re.M)
    assert sorted(documented) == sorted(PLUGIN_FIXTURES), listing


def locked_versions(path: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", path.read_text(), re.M)
    return {canonicalize_name(name): version for name, version in pins}


def test_the_lock_files_pin_what_pyproject_allows() -> None:
    """`make run` and CI install requirements.lock: it must pin every dependency (and extra)
    of pyproject.toml, each at a version its range admits (`make lock` refreshes them)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for lock, wanted in (
        ("requirements.lock", project["dependencies"] + extras["dev"]),
        ("requirements-bench.lock", project["dependencies"] + extras["dev"] + extras["bench"]),
    ):
        pinned = locked_versions(ROOT / lock)
        for line in wanted:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name in pinned, f"{lock} does not pin {name}"
            assert requirement.specifier.contains(pinned[name], prereleases=True), (
                f"{lock} pins {name}=={pinned[name]}, outside {requirement.specifier}"
            )

"""GOALPOST_ENV=production: developer tools off unless asked for, and bad keys stop the CLI.

GraphiQL, introspection and /metrics are on in dev and off in production; each has a setting
that decides either way. A missing or weak key is one line on stderr, not a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from goalpost.app import create_app
from goalpost.config import DEV_JWT_SECRET, Settings
from goalpost.testing import demo_token, reset_database

PROD_SECRET = "production-secret-" + "p" * 32
INTROSPECTION = "{ __schema { queryType { name } } }"
ME = "{ me { email } }"
BROWSER = {"accept": "text/html,application/xhtml+xml"}

Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client(database_url: str) -> Client:
    """`async with client(env=..., **settings) as http`: alice on an app with those settings,
    over the demo data."""

    @asynccontextmanager
    async def open_client(**fields: Any) -> AsyncIterator[httpx.AsyncClient]:
        fields.setdefault("jwt_secret", PROD_SECRET)
        app = create_app(Settings(database_url=database_url, **fields))
        await reset_database(app.state.engine)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as http:
                http.headers["authorization"] = f"Bearer {demo_token(app.state.settings, 'alice')}"
                yield http
        finally:
            await app.state.engine.dispose()

    return open_client


async def post(http: httpx.AsyncClient, query: str) -> dict[str, Any]:
    body: dict[str, Any] = (await http.post("/graphql", json={"query": query})).json()
    return body


async def test_production_serves_the_api_without_developer_tools(client: Client) -> None:
    async with client(env="production") as http:
        assert (await post(http, ME))["data"]["me"]["email"] == "alice@acme.example"

        graphiql = await http.get("/graphql", headers=BROWSER)
        assert graphiql.status_code == 404
        assert "GraphiQL" not in graphiql.text

        refused = await post(http, INTROSPECTION)
        assert refused.get("data") is None
        assert "introspection" in str(refused["errors"]).lower()

        assert (await http.get("/metrics")).status_code == 404
        assert (await http.get("/healthz")).status_code == 200


async def test_production_turns_each_tool_on_by_setting(client: Client) -> None:
    async with client(env="production", graphiql=True, introspection=True, metrics=True) as http:
        graphiql = await http.get("/graphql", headers=BROWSER)
        assert graphiql.status_code == 200
        assert "/static/graphiql.js" in graphiql.text
        schema = await post(http, INTROSPECTION)
        assert schema["data"]["__schema"]["queryType"]["name"] == "Query"
        metrics = await http.get("/metrics")
        assert metrics.status_code == 200
        assert "goalpost_http_requests_total" in metrics.text


async def test_dev_has_the_tools_unless_turned_off(client: Client) -> None:
    async with client(env="dev", jwt_secret=DEV_JWT_SECRET) as http:
        assert (await http.get("/graphql", headers=BROWSER)).status_code == 200
        assert (await post(http, INTROSPECTION))["data"]["__schema"]["queryType"]["name"]
        assert (await http.get("/metrics")).status_code == 200
    off = {"graphiql": False, "introspection": False, "metrics": False}
    async with client(env="dev", jwt_secret=DEV_JWT_SECRET, **off) as http:
        assert (await http.get("/graphql", headers=BROWSER)).status_code == 404
        assert (await post(http, INTROSPECTION)).get("data") is None
        assert (await http.get("/metrics")).status_code == 404


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GOALPOST_"):
            monkeypatch.delenv(name)


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("spelling", ["production", "prod", "PRODUCTION", "Prod"])
def test_production_is_spelled_production_and_prod_still_works(
    spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOALPOST_ENV", spelling)
    monkeypatch.setenv("GOALPOST_JWT_SECRET", PROD_SECRET)
    settings = Settings()
    assert settings.env == "production"
    assert (settings.graphiql, settings.introspection, settings.metrics) == (False, False, False)


@pytest.mark.usefixtures("clean_env")
def test_the_tools_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOALPOST_ENV", "production")
    monkeypatch.setenv("GOALPOST_JWT_SECRET", PROD_SECRET)
    monkeypatch.setenv("GOALPOST_GRAPHIQL", "true")
    monkeypatch.setenv("GOALPOST_METRICS", "1")
    settings = Settings()
    assert (settings.graphiql, settings.introspection, settings.metrics) == (True, False, True)
    monkeypatch.setenv("GOALPOST_ENV", "dev")
    monkeypatch.setenv("GOALPOST_INTROSPECTION", "false")
    assert Settings().introspection is False


# -- the command line: one clear line, not a traceback ------------------------------------------


@pytest.fixture
def goalpost_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `goalpost` script with exactly these GOALPOST_* variables."""
    script = Path(sys.executable).with_name("goalpost")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "goalpost.cli"]
    base = {k: v for k, v in os.environ.items() if not k.startswith("GOALPOST_")}
    base["GOALPOST_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args],
            env={**base, **{f"GOALPOST_{k.upper()}": v for k, v in env.items()}},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


KEY_RULE = (
    "goalpost: configuration error: GOALPOST_ENV=production needs GOALPOST_JWKS_URL "
    "(+ GOALPOST_JWT_ISSUER, GOALPOST_JWT_AUDIENCE) or a GOALPOST_JWT_SECRET of at least 32 "
    "characters that is not the dev secret"
)


@pytest.mark.parametrize("command", ["serve", "migrate", "seed-demo"])
@pytest.mark.parametrize(
    "keys",
    [{}, {"jwt_secret": "short"}, {"jwt_secret": DEV_JWT_SECRET}],
    ids=["no-key", "weak-key", "dev-key"],
)
def test_production_without_a_real_key_stops_with_one_line(
    goalpost_cli: Callable[..., subprocess.CompletedProcess[str]],
    command: str,
    keys: dict[str, str],
) -> None:
    result = goalpost_cli(command, env="production", **keys)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [KEY_RULE]


def test_a_malformed_setting_names_the_variable_in_one_line(
    goalpost_cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    result = goalpost_cli("serve", env="staging", port="eighty")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("goalpost: configuration error: GOALPOST_ENV: ")
    assert "GOALPOST_PORT: " in line
    assert "Traceback" not in result.stderr

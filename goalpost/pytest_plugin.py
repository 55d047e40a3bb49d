"""pytest plugin (entry point `pytest11: goalpost`): a live goalpost for downstream test suites.

Fixtures, all prefixed `goalpost_` so they never shadow a suite's own:
- `goalpost_database_url` (session): a migrated SQLite file; override it to use another database.
- `goalpost_settings` (session): dev `Settings` for that database.
- `goalpost_live_server` (session): uvicorn serving the real app on a free port, in a thread.
- `goalpost_server`: the same server with the demo data reset and its request log cleared.
  `goalpost_server.recorder` counts and shows the HTTP requests the server received.
- `goalpost_token`: `goalpost_token("carol")` → a dev token for a demo user.
- `goalpost_client` / `goalpost_client_factory`: `GoalpostClient`s on the live server.

Its async fixtures run under pytest-asyncio when the suite has it; without it, under anyio's
pytest plugin (anyio comes with goalpost's HTTP stack), and an `async def` test that asks for a
goalpost fixture is run by anyio: `pip install goalpost pytest` is all a suite needs. The
server's modules load only when a fixture that needs them runs (tests/test_architecture.py).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the suite runs with it; tests/test_package.py without
    pytest_asyncio = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from goalpost.client import GoalpostClient
    from goalpost.config import Settings
    from goalpost.testing import LiveServer

TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def goalpost_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty SQLite file for the session; override it to use another database."""
    from goalpost.testing import fresh_sqlite_database

    path = tmp_path_factory.mktemp("goalpost") / "goalpost.db"
    with fresh_sqlite_database(str(path)) as url:
        yield url


@pytest.fixture(scope="session")
def goalpost_settings(goalpost_database_url: str) -> Settings:
    """Dev `Settings` for `goalpost_database_url` (the dev token secret included)."""
    from goalpost.config import Settings

    return Settings(env="dev", database_url=goalpost_database_url)


@pytest.fixture(scope="session")
def goalpost_live_server(goalpost_settings: Settings) -> Iterator[LiveServer]:
    """The real app under uvicorn on a free port, in a thread, for the whole session
    (`url`, `graphql_url`, `recorder`, `log_lines()`); prefer `goalpost_server` in tests."""
    from goalpost.testing import LiveServer

    with LiveServer(goalpost_settings) as server:
        yield server


@pytest.fixture
def goalpost_server(goalpost_live_server: LiveServer) -> LiveServer:
    """The live server in a known state: demo data as seeded, no requests recorded."""
    goalpost_live_server.reset()
    return goalpost_live_server


@pytest.fixture
def goalpost_token(goalpost_settings: Settings) -> TokenFactory:
    """`goalpost_token("carol")` → a dev token for a demo user (alice, bob, carol, dave);
    `ttl_seconds=` for a short-lived one."""
    from goalpost.testing import demo_token

    def make(name: str = "alice", ttl_seconds: int | None = None) -> str:
        return demo_token(goalpost_settings, name, ttl_seconds)

    return make


async_fixture = pytest_asyncio.fixture if pytest_asyncio is not None else pytest.fixture


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without pytest-asyncio, hand `async def` tests that use goalpost's fixtures to anyio
    (whose plugin then runs them and the async fixtures), rather than let pytest skip them."""
    if config.pluginmanager.hasplugin("asyncio") or not config.pluginmanager.hasplugin("anyio"):
        return
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and inspect.iscoroutinefunction(item.function)
            and item.get_closest_marker("anyio") is None
            and any(name.startswith("goalpost_") for name in item.fixturenames)
        ):
            item.add_marker(pytest.mark.anyio)


@async_fixture
async def goalpost_client_factory(
    goalpost_server: LiveServer, goalpost_token: TokenFactory
) -> AsyncIterator[Callable[..., GoalpostClient]]:
    """`make("bob")` → a client for bob on the live server; all are closed afterwards."""
    from goalpost.client import GoalpostClient

    made: list[GoalpostClient] = []

    def make(user: str = "alice", url: str | None = None, **kwargs: Any) -> GoalpostClient:
        client = GoalpostClient(url or goalpost_server.graphql_url, goalpost_token(user), **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@async_fixture
async def goalpost_client(
    goalpost_client_factory: Callable[..., GoalpostClient],
) -> GoalpostClient:
    """A client signed in as alice (acme employee)."""
    return goalpost_client_factory("alice")

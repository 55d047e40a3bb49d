"""pytest plugin (entry point `pytest11: goalpost`): a live goalpost for downstream test suites.

Fixtures, all prefixed `goalpost_` so they never shadow a suite's own:
- `goalpost_database_url` (session): a migrated SQLite file; override it to use another database.
- `goalpost_settings` (session): dev `Settings` for that database.
- `goalpost_live_server` (session): uvicorn serving the real app on a free port, in a thread.
- `goalpost_server`: the same server with the demo data reset and its request log cleared.
  `goalpost_server.recorder` counts and shows the HTTP requests the server received.
- `goalpost_token`: `goalpost_token("carol")` → a dev token for a demo user.
- `goalpost_client` / `goalpost_client_factory`: `GoalpostClient`s on the live server
  (async fixtures; they need pytest-asyncio).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from goalpost.client import GoalpostClient
    from goalpost.config import Settings
    from goalpost.testing import LiveServer

TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def goalpost_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from goalpost.testing import fresh_sqlite_database

    path = tmp_path_factory.mktemp("goalpost") / "goalpost.db"
    with fresh_sqlite_database(str(path)) as url:
        yield url


@pytest.fixture(scope="session")
def goalpost_settings(goalpost_database_url: str) -> Settings:
    from goalpost.config import Settings

    return Settings(env="dev", database_url=goalpost_database_url)


@pytest.fixture(scope="session")
def goalpost_live_server(goalpost_settings: Settings) -> Iterator[LiveServer]:
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
    from goalpost.testing import demo_token

    def make(name: str = "alice", ttl_seconds: int | None = None) -> str:
        return demo_token(goalpost_settings, name, ttl_seconds)

    return make


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the sync fixtures still work without it
    pytest_asyncio = None  # type: ignore[assignment]

if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def goalpost_client_factory(
        goalpost_server: LiveServer, goalpost_token: TokenFactory
    ) -> AsyncIterator[Callable[..., GoalpostClient]]:
        """`make("bob")` → a client for bob on the live server; all are closed afterwards."""
        from goalpost.client import GoalpostClient

        made: list[GoalpostClient] = []

        def make(user: str = "alice", url: str | None = None, **kwargs: Any) -> GoalpostClient:
            client = GoalpostClient(
                url or goalpost_server.graphql_url, goalpost_token(user), **kwargs
            )
            made.append(client)
            return client

        yield make
        for client in made:
            await client.aclose()

    @pytest_asyncio.fixture
    async def goalpost_client(
        goalpost_client_factory: Callable[..., GoalpostClient],
    ) -> GoalpostClient:
        """A client signed in as alice (acme employee)."""
        return goalpost_client_factory("alice")

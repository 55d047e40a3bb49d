"""Browser tests: Debian's Chromium driven by Playwright, against the live uvicorn server.

The server is the goalpost pytest plugin's live server on the suite's parametrised database, so
every test here runs on SQLite and on PostgreSQL. Without Playwright or Chromium the tests skip;
with GOALPOST_TEST_REQUIRE_BROWSER=1 (CI) a missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from goalpost.testing import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

    from tests.web.sheet import Sheet

REQUIRE_BROWSER = os.environ.get("GOALPOST_TEST_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("GOALPOST_TEST_CHROMIUM", "/usr/bin/chromium")
# The machine's network is closed: without these, Chromium keeps trying to reach Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"GOALPOST_TEST_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def goalpost_database_url(database_url: str) -> str:
    """The plugin's live server runs on the suite's database (SQLite, then PostgreSQL)."""
    return database_url


@pytest.fixture
def server(goalpost_server: LiveServer) -> LiveServer:
    """The live server with the demo data reset and its request log cleared."""
    return goalpost_server


@pytest.fixture(scope="module")
def browser(database_url: str) -> Iterator[Browser]:
    """One Chromium per test module and database.

    Playwright's sync API marks an event loop as running in this thread while it is alive, and
    nothing else may then call asyncio.run() here. Module scope ends it before other modules'
    asyncio tests; depending on `database_url` ends it before the next database is created.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright is not installed (pip install -e '.[dev]')")
    if not os.access(CHROMIUM, os.X_OK):
        browser_unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile per test: empty localStorage and sessionStorage."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def sheet(context: BrowserContext, server: LiveServer) -> Iterator[Sheet]:
    from tests.web.sheet import Sheet

    driven = Sheet(context, server)
    yield driven
    assert driven.page_errors == [], "uncaught errors in the page"

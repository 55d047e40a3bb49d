"""CORS in real Chromium: a page served from a second origin (another port on 127.0.0.1) calls
/graphql with a bearer token. The browser lets a listed origin read the answer and blocks an
unlisted one before its request is sent (GOALPOST_CORS_ORIGINS, docs/http.md)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from goalpost.config import Settings
from goalpost.testing import LiveServer, demo_token
from tests.web.conftest import REQUIRE_BROWSER

try:
    from playwright.sync_api import BrowserContext
except ImportError:  # pragma: no cover - depends on the machine
    if REQUIRE_BROWSER:
        raise
    pytest.skip("browser tests skipped: Playwright is not installed", allow_module_level=True)

ME = "query Me { me { email } }"
# Runs in the frontend's page: a cross-origin POST with a token and a JSON body, as a
# frontend's GraphQL client sends it (so the browser asks with a preflight first).
CALL_API = """
async ([url, token, query]) => {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.json() };
  } catch (error) {
    return { error: String(error) };
  }
}
"""


class FrontendPage(BaseHTTPRequestHandler):
    """Any path: an empty page, the frontend's origin and nothing more."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>frontend</title>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def frontend_origins() -> Iterator[tuple[str, str]]:
    """Two static servers on their own ports: two origins other than the API's."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), FrontendPage) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        listed, unlisted = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
        yield listed, unlisted
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.fixture
def api(database_url: str, frontend_origins: tuple[str, str]) -> Iterator[LiveServer]:
    listed, _ = frontend_origins
    settings = Settings(env="dev", database_url=database_url, cors_origins=(listed,))
    with LiveServer(settings) as server:
        server.reset()  # the demo data
        yield server


def call_api_from(context: BrowserContext, origin: str, api: LiveServer) -> dict[str, Any]:
    page = context.new_page()
    page.goto(f"{origin}/")
    token = demo_token(api.settings, "alice")
    answer: dict[str, Any] = page.evaluate(CALL_API, [api.graphql_url, token, ME])
    return answer


def test_a_page_on_a_listed_origin_reads_the_api_and_another_is_blocked(
    context: BrowserContext, api: LiveServer, frontend_origins: tuple[str, str]
) -> None:
    listed, unlisted = frontend_origins
    answer = call_api_from(context, listed, api)
    assert answer == {"status": 200, "body": {"data": {"me": {"email": "alice@acme.example"}}}}
    assert [r.method for r in api.recorder.requests] == ["OPTIONS", "POST"]

    api.recorder.clear()
    answer = call_api_from(context, unlisted, api)
    assert answer == {"error": "TypeError: Failed to fetch"}
    # The preflight was refused, so the POST itself never left the browser.
    assert [r.method for r in api.recorder.requests] == ["OPTIONS"]

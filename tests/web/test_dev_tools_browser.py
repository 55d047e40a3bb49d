"""GraphiQL and /docs in real Chromium: they render and run with nothing from the internet.

Every request a page makes is recorded at the browser (Playwright's request events, for the
whole context), so a script, style sheet, font or fetch to any host but the server shows up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import httpx
import pytest

from goalpost.testing import LiveServer, demo_token
from tests.batch.helpers import goal_id
from tests.conftest import ACME_ACTIVE
from tests.web.conftest import REQUIRE_BROWSER

try:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, expect
except ImportError:  # pragma: no cover - depends on the machine
    if REQUIRE_BROWSER:
        raise
    pytest.skip("browser tests skipped: Playwright is not installed", allow_module_level=True)

expect.set_options(timeout=20_000)

ME = "{ me { email memberships { role organization { slug } } } }"
GOAL_CHANGED = (
    f'subscription {{ goalChanged(orgSlug: "acme", periodId: "{ACME_ACTIVE}") '
    "{ goalId kind version } }"
)
RETITLE = """
mutation Retitle($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) { results { __typename } }
}
"""


@dataclass
class Visit:
    """What one browser context asked for and complained about."""

    page: Page
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def origins(self) -> set[str]:
        """Where the requests went; data: URLs (GraphiQL's embedded fonts) go nowhere."""
        return {
            f"{urlsplit(r.url).scheme}://{urlsplit(r.url).netloc}"
            for r in self.requests
            if not r.url.startswith("data:")
        }

    def paths(self) -> list[str]:
        return [urlsplit(r.url).path for r in self.requests if not r.url.startswith("data:")]


@pytest.fixture
def visit(context: BrowserContext) -> Iterator[Visit]:
    page = context.new_page()
    seen = Visit(page)
    context.on("request", lambda request: seen.requests.append(request))
    page.on("pageerror", lambda error: seen.errors.append(f"page error: {error}"))

    def console(message: ConsoleMessage) -> None:
        # A refused script, a CSP violation or a failed load is a console error.
        if message.type == "error":
            seen.errors.append(f"console: {message.text}")

    page.on("console", console)
    yield seen


def test_graphiql_runs_a_query_with_a_header_offline(visit: Visit, server: LiveServer) -> None:
    page = visit.page
    page.goto(server.graphql_url)
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()

    # Replace the example query by typing (insert_text: CodeMirror would auto-close braces).
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(ME)

    token = demo_token(server.settings, "alice")
    type_headers(page, {"Authorization": f"Bearer {token}"})

    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    expect(result).to_contain_text("alice@acme.example")
    expect(result).to_contain_text("acme")

    # The query as typed went out once, with the header from the Headers editor.
    runs = [
        r
        for r in visit.requests
        if r.method == "POST" and (r.post_data_json or {}).get("query") == ME
    ]
    assert [r.headers.get("authorization") for r in runs] == [f"Bearer {token}"]
    assert visit.origins() == {server.url}
    loaded = visit.paths()
    assert "/static/vendor/graphiql@3.8.3/graphiql.min.js" in loaded
    assert "/static/graphiql.js" in loaded
    assert visit.errors == []


def test_graphiql_runs_a_subscription_with_the_headers_token(
    visit: Visit, server: LiveServer
) -> None:
    """The socket opens at the page's own origin, and connection_init carries the Headers
    pane's Authorization; a goal saved over HTTP then shows as a notice in the result pane."""
    page = visit.page
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(f"{server.graphql_url}?q={quote(GOAL_CHANGED)}")
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()
    token = demo_token(server.settings, "alice")
    type_headers(page, {"Authorization": f"Bearer {token}"})

    page.locator(".graphiql-execute-button").click()
    server.wait_for_subscribers(1)
    goal = goal_id("alice", "alice-perf-1")
    item = {
        "clientId": "alice-perf-1",
        "id": goal,
        "expectedVersion": 1,
        "performance": {"title": "Seen in GraphiQL"},
    }
    saved = httpx.post(
        server.graphql_url,
        json={
            "query": RETITLE,
            "variables": {"input": {"orgSlug": "acme", "periodId": ACME_ACTIVE, "items": [item]}},
        },
        headers={"authorization": f"Bearer {token}"},
    ).json()
    assert saved == {"data": {"batchSaveGoals": {"results": [{"__typename": "GoalSaved"}]}}}

    result = page.locator(".graphiql-response")
    expect(result).to_contain_text(goal)
    expect(result).to_contain_text('"version": 2')
    assert sockets == [server.graphql_url.replace("http://", "ws://")]
    assert visit.origins() == {server.url}
    assert visit.errors == []


def test_graphiql_shows_a_refused_socket(visit: Visit, server: LiveServer) -> None:
    """No token in the Headers pane: the server closes the socket (4403) and GraphiQL says
    so at once, rather than reconnecting for half a minute."""
    page = visit.page
    page.goto(f"{server.graphql_url}?q={quote(GOAL_CHANGED)}")
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text(
        "Socket closed with event 4403 Forbidden"
    )


def type_headers(page: Page, headers: dict[str, str]) -> None:
    page.get_by_role("button", name="Headers").click()
    page.locator(".graphiql-editor-tool .CodeMirror").last.click()
    page.keyboard.insert_text(json.dumps(headers))


def test_docs_render_swagger_ui_offline(visit: Visit, server: LiveServer) -> None:
    page = visit.page
    page.goto(f"{server.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("goalpost")
    # The operations come from /openapi.json: the REST twin's routes are listed.
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()

    assert visit.origins() == {server.url}
    loaded = visit.paths()
    assert "/static/vendor/swagger-ui-dist@5.35.0/swagger-ui-bundle.js" in loaded
    assert "/openapi.json" in loaded
    assert visit.errors == []

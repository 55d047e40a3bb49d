"""GraphiQL and /docs in real Chromium: they render and run with nothing from the internet.

Every request a page makes is recorded at the browser (Playwright's request events, for the
whole context), so a script, style sheet, font or fetch to any host but the server shows up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from goalpost.testing import LiveServer, demo_token
from tests.web.conftest import REQUIRE_BROWSER

try:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, expect
except ImportError:  # pragma: no cover - depends on the machine
    if REQUIRE_BROWSER:
        raise
    pytest.skip("browser tests skipped: Playwright is not installed", allow_module_level=True)

expect.set_options(timeout=20_000)

ME = "{ me { email memberships { role organization { slug } } } }"


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
    page.get_by_role("button", name="Headers").click()
    page.locator(".graphiql-editor-tool .CodeMirror").last.click()
    page.keyboard.insert_text(f'{{"Authorization": "Bearer {token}"}}')

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

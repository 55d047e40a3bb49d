"""Drives the goal sheet in Chromium: sign-in, cards, fake page time, the page's requests.

Time in the page is Playwright's fake clock, paused before the page loads: a save cycle starts
only when a test calls `tick()`. So a test says "800 ms of quiet passed" and counts requests,
and nothing depends on how fast this machine types.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from goalpost.services.demo import USERS
from goalpost.testing import LiveServer, demo_token
from tests.batch.helpers import MY_GOALS, goal_id
from tests.conftest import ACME_ACTIVE
from tests.web.conftest import REQUIRE_BROWSER

try:
    from playwright.sync_api import BrowserContext, Locator, Page, Request, expect
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # pragma: no cover - depends on the machine
    if REQUIRE_BROWSER:
        raise
    pytest.skip("browser tests skipped: Playwright is not installed", allow_module_level=True)

# Generous: CI machines are slow; a passing test never waits this long.
expect.set_options(timeout=20_000)

BATCH = """
mutation Batch($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) {
    results { __typename ... on GoalSaved { clientId goal { id version } } }
  }
}
"""


class Sheet:
    """One browser context's view of the goal sheet, plus API access for checking the database."""

    def __init__(self, context: BrowserContext, server: LiveServer) -> None:
        self.context = context
        self.server = server
        self.requests: list[dict[str, Any]] = []
        self.page_errors: list[str] = []
        self._page: Page | None = None
        self._clock_installed = False

    # -- the page -------------------------------------------------------------------------------

    @property
    def page(self) -> Page:
        assert self._page is not None, "call open() first"
        return self._page

    def open(self, user: str | None = "alice", query: str = "") -> Page:
        """A new tab on the sheet, signed in as a demo user, its clock paused."""
        page = self.context.new_page()
        self._page = page
        page.on("request", self._record)
        page.on("pageerror", lambda error: self.page_errors.append(f"{error}\n{error.stack}"))
        if not self._clock_installed:
            self._pause_clock()
        page.goto(f"{self.server.url}/{query}")
        if user is not None:
            self.sign_in(user)
        return page

    def _pause_clock(self) -> None:
        """Fake time for every tab of this context, paused before any page runs."""
        now = time.time()
        self.context.clock.install(time=now)
        self.context.clock.pause_at(now + 60)  # seconds; well ahead, so never "in the past"
        self._clock_installed = True

    def switch_to(self, page: Page) -> None:
        """Drive another open tab of this context (`open` drives the tab it opens)."""
        self._page = page

    def sign_in(self, user: str) -> None:
        """Through the dev-mode picker of demo users."""
        page = self.page
        full_name = USERS[user][1]
        option = page.locator("#dev-user option", has_text=full_name)
        page.get_by_label("Demo user").select_option(value=option.get_attribute("value"))
        page.get_by_role("button", name="Sign in as demo user").click()
        self.wait_for_sheet()

    def wait_for_sheet(self) -> None:
        expect(self.page.locator("#sheet")).to_be_visible()
        expect(self.page.locator("#sheet-status")).to_be_empty()

    def tick(self, ms: int) -> None:
        self.page.clock.run_for(ms)

    def reload(self) -> None:
        self.page.reload()
        self.wait_for_sheet()

    # -- cards ----------------------------------------------------------------------------------

    def card(self, key: str) -> Locator:
        return self.page.locator(f'article.card[data-key="{key}"]')

    def cards(self, category: str) -> Locator:
        return self.page.locator(f'[data-cards-for="{category}"] article.card')

    def keys(self, category: str) -> list[str]:
        return [
            str(k) for k in self.cards(category).evaluate_all("cs => cs.map(c => c.dataset.key)")
        ]

    def field(self, key: str, label: str) -> Locator:
        return self.card(key).get_by_label(label, exact=True)

    def fill(self, key: str, label: str, value: str) -> None:
        self.field(key, label).fill(value)

    def add(self, category: str) -> str:
        """Click the category's Add button; returns the new card's key (its clientId)."""
        before = set(self.keys(category))
        name = {"PERFORMANCE": "performance", "COMPETENCY": "competency"}.get(
            category, "core value"
        )
        self.page.get_by_role("button", name=f"Add {name} goal").click()
        (key,) = set(self.keys(category)) - before
        return key

    def expect_state(self, key: str, state: str) -> None:
        expect(self.card(key).locator(".badge")).to_have_attribute("data-state", state)

    def toast(self, key: str) -> Locator:
        return self.page.locator(f'#toasts .toast[data-toast-for="{key}"]')

    def total(self, category: str) -> str:
        return str(self.page.locator(f'[data-total-for="{category}"]').get_attribute("data-total"))

    # -- requests the page sent -----------------------------------------------------------------

    def _record(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            body = request.post_data_json
            if isinstance(body, dict):
                self.requests.append(body)

    def wait_for_batches(self, count: int) -> None:
        """Wait until the page has sent `count` batches (for cycles that start after a reply).

        Playwright delivers page events only while it runs a call, so this waits through
        Playwright (real time, not the page's paused clock) rather than `time.sleep`.
        """
        deadline = time.monotonic() + 20
        while len(self.batches()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the page sent {len(self.batches())} batches, not {count}")
            self.page.wait_for_timeout(20)

    def operations(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r.get("operationName") == name]

    def batches(self) -> list[dict[str, Any]]:
        """The `input` of every batchSaveGoals the page sent, in order."""
        return [r["variables"]["input"] for r in self.operations("BatchSaveGoals")]

    def server_batches(self) -> list[dict[str, Any]]:
        """The same, as the server received them."""
        return [r.variables["input"] for r in self.server.recorder.graphql("BatchSaveGoals")]

    # -- the database, through the API ----------------------------------------------------------

    def graphql(self, user: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        token = demo_token(self.server.settings, user)
        response = httpx.post(
            self.server.graphql_url,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body

    def goals(self, user: str, org: str, period: str) -> list[dict[str, Any]]:
        body = self.graphql(user, MY_GOALS, {"org": org, "period": period})
        goals: list[dict[str, Any]] = body["data"]["organization"]["period"]["myGoals"]
        return goals

    def goals_by_client_id(self, user: str, org: str, period: str) -> dict[str, dict[str, Any]]:
        goals = self.goals(user, org, period)
        by_client_id = {g["clientId"]: g for g in goals}
        assert len(by_client_id) == len(goals), "two goals share a clientId"
        return by_client_id

    def retitle_elsewhere(self, user: str, keys: tuple[str, ...], prefix: str) -> None:
        """Another device of `user` retitles their demo performance goals `keys` (at version
        1) to "<prefix>: <key>", through the API."""
        items = [
            {
                "clientId": key,
                "id": goal_id(user, key),
                "expectedVersion": 1,
                "performance": {"title": f"{prefix}: {key}"},
            }
            for key in keys
        ]
        self.save(user, "acme", ACME_ACTIVE, items)

    def save(self, user: str, org: str, period: str, items: list[dict[str, Any]]) -> None:
        """Write goals behind the page's back (another tab, another device)."""
        variables = {"input": {"orgSlug": org, "periodId": period, "items": items}}
        results = self.graphql(user, BATCH, variables)["data"]["batchSaveGoals"]["results"]
        assert all(r["__typename"] == "GoalSaved" for r in results), results


STORED = """
(prefix) => Object.fromEntries(
  Object.keys(localStorage)
    .filter((k) => k.startsWith(prefix))
    .map((k) => [k, JSON.parse(localStorage.getItem(k))]),
)
"""


def stored_records(page: Page, prefix: str) -> dict[str, list[dict[str, Any]]]:
    """What the page keeps in localStorage under keys starting with `prefix`, by key (one key
    per tab: `<prefix>….tab.<tabId>`)."""
    result: dict[str, list[dict[str, Any]]] = page.evaluate(STORED, prefix)
    return result


def eventually(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    """Wait for something outside the page (the server, the database) to happen.

    Not for the page's own events: see `Sheet.wait_for_batches`.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


__all__ = ["PlaywrightError", "Sheet", "eventually", "expect", "goal_id", "stored_records"]

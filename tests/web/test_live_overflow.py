"""The goal sheet in real Chromium on a server with a tight outbound bound (tests/live/tight.py):
a change of more goals at once than the bound lets wait closes the page's socket with
LIVE_OVERFLOW; the page connects again at once (no backoff) and catches up from its cursor,
and every change shows (docs/live.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from goalpost.testing import LiveServer
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import live_subscribers
from tests.live.tight import QUEUE_NOTICES, tight_settings
from tests.web.sheet import Sheet, eventually, expect

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

MORE = [f"more-{i}" for i in range(QUEUE_NOTICES + 2)]


@pytest.fixture(scope="module")
def tight(database_url: str) -> Iterator[LiveServer]:
    with LiveServer(tight_settings(database_url)) as server:
        yield server


@pytest.fixture
def tight_sheet(context: BrowserContext, tight: LiveServer) -> Iterator[Sheet]:
    tight.reset()
    driven = Sheet(context, tight)
    yield driven
    assert driven.page_errors == [], "uncaught errors in the page"


def goals_titled(sheet: Sheet, title: str, keys: list[str] = MORE) -> list[dict[str, Any]]:
    goals = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    return [
        {"clientId": key, "id": goals[key]["id"], "expectedVersion": goals[key]["version"]}
        | {"performance": {"title": title}}
        for key in keys
    ]


def test_a_socket_closed_with_live_overflow_comes_back_at_once_and_catches_up(
    tight_sheet: Sheet,
) -> None:
    sheet = tight_sheet
    created = [{"clientId": key, "performance": {"title": "new"}} for key in MORE]
    sheet.save("alice", "acme", ACME_ACTIVE, created)
    sockets: list[str] = []

    def count_sockets(page: Page) -> None:
        page.on("websocket", lambda ws: sockets.append(ws.url))

    sheet.context.on("page", count_sockets)
    page = sheet.open("alice")
    eventually(lambda: live_subscribers(sheet.server.url) == 1, "the page's subscription")
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.append(str((r.post_data_json or {}).get("operationName")))
            if r.method == "POST" and r.url.endswith("/graphql")
            else None
        ),
    )

    sheet.save("alice", "acme", ACME_ACTIVE, goals_titled(sheet, "Before", MORE[:1]))
    expect(sheet.field(MORE[0], "Title")).to_have_value("Before")  # a notice: a cursor

    sheet.save("alice", "acme", ACME_ACTIVE, goals_titled(sheet, "Changed elsewhere"))
    expect(page.locator("body")).to_have_attribute("data-live", "retrying")
    sheet.tick(10)  # no backoff: the page connects again at once
    expect(page.locator("body")).to_have_attribute("data-live", "live")
    for key in MORE:
        expect(sheet.field(key, "Title")).to_have_value("Changed elsewhere")
    eventually(lambda: live_subscribers(sheet.server.url) == 1, "one subscription again")

    # And it follows on from there.
    sheet.save("alice", "acme", ACME_ACTIVE, goals_titled(sheet, "Later", MORE[:1]))
    expect(sheet.field(MORE[0], "Title")).to_have_value("Later")
    assert len(sockets) == 2
    assert sent.count("GoalChangesSince") == 1  # caught up from the cursor, not reloaded

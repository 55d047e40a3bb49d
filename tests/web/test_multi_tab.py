"""Two tabs of one person never erase each other's unsaved edits (docs/live.md, issue 13 point 4).

All tabs are pages of ONE browser context, so they share localStorage, as tabs do. A tab is
killed by crashing its renderer: no pagehide, no last-chance flush, only what storage kept.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.conftest import ACME_ACTIVE
from tests.web.sheet import Sheet, expect, goal_id, stored_records
from tests.web.test_sheet_behaviour import crash

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route


def stored(page: Page) -> dict[str, list[dict[str, Any]]]:
    """Every stored unsaved entry, by storage key."""
    return stored_records(page, "goalpost.unsaved")


def stored_patches(page: Page) -> dict[str, dict[str, Any]]:
    """The stored patch of each goal (any tab's), by goal key."""
    return {r["key"]: r["patch"] for records in stored(page).values() for r in records}


def cut_saves(page: Page) -> None:
    """This tab alone is offline for saves: its batchSaveGoals never reach the server."""

    def route(route: Route) -> None:
        if "BatchSaveGoals" in (route.request.post_data or ""):
            route.abort()
        else:
            route.continue_()

    page.route("**/graphql", route)


def sent_items(sheet: Sheet, client_id: str) -> list[dict[str, Any]]:
    """Every item for this goal the server received."""
    return [i for b in sheet.server_batches() for i in b["items"] if i["clientId"] == client_id]


def two_tabs_each_with_their_edits(sheet: Sheet) -> tuple[Page, Page, str]:
    """Tab B opens, then tab A, offline for saves, edits alice-perf-1 and adds a goal (its save
    cycle fails); then tab B edits and saves another goal. Returns (tab A, tab B, the new key).

    Tab B opened first, so nothing of A's was there to read: with one key shared by all tabs,
    B's save rewrote it with B's entries only, and A's were gone.
    """
    tab_b = sheet.open("alice")
    tab_a = sheet.open("alice")
    cut_saves(tab_a)
    sheet.fill("alice-perf-1", "Title", "Typed in tab A")
    new = sheet.add("CORE_VALUE")
    sheet.fill(new, "Core value plan", "Created in tab A")
    sheet.tick(800)
    sheet.wait_for_batches(1)  # sent, and cut
    assert sheet.server_batches() == []

    sheet.switch_to(tab_b)
    sheet.fill("alice-core-1", "Core value plan", "Saved by tab B")
    sheet.tick(800)
    sheet.expect_state("alice-core-1", "saved")
    assert [[i["clientId"] for i in b["items"]] for b in sheet.server_batches()] == [
        ["alice-core-1"]
    ]
    patches = stored_patches(tab_b)  # B's save kept A's entries
    assert patches["alice-perf-1"] == {"title": "Typed in tab A"}
    assert patches[new] == {"coreValuePlan": "Created in tab A"}
    return tab_a, tab_b, new


def test_a_crashed_tabs_edits_survive_another_tabs_save_and_are_resent_once(sheet: Sheet) -> None:
    tab_a, tab_b, new = two_tabs_each_with_their_edits(sheet)
    tab_b.close()
    crash(tab_a)

    sheet.open("alice")  # the next tab brings tab A's edits back and resends them
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("Typed in tab A")
    expect(sheet.field(new, "Core value plan")).to_have_value("Created in tab A")
    sheet.expect_state("alice-perf-1", "saved")
    sheet.expect_state(new, "saved")
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert saved["alice-perf-1"]["title"] == "Typed in tab A"
    assert saved[new]["coreValuePlan"] == "Created in tab A"
    assert saved["alice-core-1"]["coreValuePlan"] == "Saved by tab B"

    sheet.open("alice")  # and no later tab sends them again
    sheet.tick(5000)
    assert len(sent_items(sheet, "alice-perf-1")) == 1
    assert len(sent_items(sheet, new)) == 1
    assert stored(sheet.page) == {}


def test_an_open_tab_takes_over_the_edits_of_a_tab_that_crashes(sheet: Sheet) -> None:
    tab_a, _, new = two_tabs_each_with_their_edits(sheet)  # tab B stays open
    crash(tab_a)

    # Tab B waited for tab A's lock: it shows A's edits and saves them at once.
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("Typed in tab A")
    expect(sheet.field(new, "Core value plan")).to_have_value("Created in tab A")
    sheet.expect_state("alice-perf-1", "saved")
    sheet.expect_state(new, "saved")
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert saved["alice-perf-1"]["title"] == "Typed in tab A"

    sheet.open("alice")
    sheet.tick(5000)
    assert len(sent_items(sheet, "alice-perf-1")) == 1
    assert len(sent_items(sheet, new)) == 1


def test_edits_kept_by_the_previous_version_are_resent_once(sheet: Sheet) -> None:
    """Before per-tab keys, every tab shared `goalpost.unsaved.v1.<user>.<org>.<period>`."""
    me = sheet.graphql("alice", "{ me { id } }", {})["data"]["me"]["id"]
    old_key = f"goalpost.unsaved.v1.{me}.acme.{ACME_ACTIVE}"
    old_records = [
        {
            "key": "alice-perf-1",
            "category": "PERFORMANCE",
            "clientId": "alice-perf-1",
            "id": goal_id("alice", "alice-perf-1"),
            "version": 1,
            "everSent": False,
            "delete": False,
            "patch": {"title": "Kept by the old version"},
        }
    ]
    page = sheet.open(None)
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [old_key, json.dumps(old_records)])
    sheet.sign_in("alice")
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("Kept by the old version")
    sheet.expect_state("alice-perf-1", "saved")
    assert stored(page) == {}

    sheet.open("alice")
    sheet.tick(5000)
    assert len(sent_items(sheet, "alice-perf-1")) == 1
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert saved["alice-perf-1"]["title"] == "Kept by the old version"

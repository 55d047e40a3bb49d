"""Issue 5's acceptance points, through the page in real Chromium against a real server and DB.

Requests are counted as the page sent them (Playwright's request events) and, where it matters,
as the server received them. Page time is fake and paused: `tick(800)` is the debounce passing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE
from tests.web.sheet import Sheet, eventually, expect, goal_id

if TYPE_CHECKING:
    from playwright.sync_api import Route

# Alice's editable demo goals, by clientId (the sheet's card keys).
ALICE_EDITABLE = [
    "alice-perf-1",
    "alice-perf-2",
    "alice-comp-1",
    "alice-core-1",
    "alice-perf-rejected",
]
EXTRA = ["extra-perf-1", "extra-perf-2", "extra-perf-3", "extra-comp-1", "extra-core-1"]
TEXT_FIELD = {"perf": "Title", "comp": "Action plan", "core": "Core value plan"}
API_FIELD = {"Title": "title", "Action plan": "actionPlan", "Core value plan": "coreValuePlan"}


def text_field(key: str) -> str:
    return TEXT_FIELD[key.split("-")[1]]


def seed_extra_goals(sheet: Sheet) -> None:
    """Five more drafts for alice, so she has ten editable goals of all three categories."""
    items: list[dict[str, Any]] = [
        {"clientId": key, "performance": {"title": f"Seeded {key}", "weight": 0}}
        for key in EXTRA[:3]
    ]
    items.append({"clientId": EXTRA[3], "competency": {"actionPlan": "Seeded plan"}})
    items.append({"clientId": EXTRA[4], "coreValue": {"coreValuePlan": "Seeded value"}})
    sheet.save("alice", "acme", ACME_ACTIVE, items)


def item_ids(batch: dict[str, Any]) -> list[str]:
    return [item["clientId"] for item in batch["items"]]


def test_ten_goals_edited_quickly_are_one_request(sheet: Sheet) -> None:
    """Point 1: one batchSaveGoals for ten goals; every card saved; a reload shows the values."""
    seed_extra_goals(sheet)
    sheet.open("alice")
    keys = ALICE_EDITABLE + EXTRA
    typed = {key: f"Edited {key} in the browser" for key in keys}
    for key in keys:
        sheet.fill(key, text_field(key), typed[key])
        sheet.expect_state(key, "pending")

    sheet.tick(799)
    assert sheet.batches() == []  # still inside the 800 ms debounce window
    sheet.tick(1)
    for key in keys:
        sheet.expect_state(key, "saved")

    (batch,) = sheet.batches()
    assert sorted(item_ids(batch)) == sorted(keys)
    # Updates of known goals (id + expectedVersion: the version read, 3 for the seeded goal
    # that was created, submitted and returned), performance, competency and core value goals
    # together in one request.
    versions = {key: 3 if key == "alice-perf-rejected" else 1 for key in keys}
    assert all(item["id"] for item in batch["items"])
    assert {item["clientId"]: item["expectedVersion"] for item in batch["items"]} == versions
    assert {k for item in batch["items"] for k in item} >= {
        "performance",
        "competency",
        "coreValue",
    }
    assert len(sheet.server_batches()) == 1

    sheet.reload()
    for key in keys:
        expect(sheet.field(key, text_field(key))).to_have_value(typed[key])
        sheet.expect_state(key, "idle")
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    for key in keys:
        assert saved[key][API_FIELD[text_field(key)]] == typed[key]
        assert saved[key]["version"] == versions[key] + 1


def test_new_goals_get_server_ids_and_are_never_created_twice(sheet: Sheet) -> None:
    """Point 2: two new goals are created once, then updated by id and expectedVersion."""
    sheet.open("alice")
    first, second = sheet.add("PERFORMANCE"), sheet.add("PERFORMANCE")
    assert first.startswith("tmp-") and second.startswith("tmp-")
    sheet.fill(first, "Title", "Learn Rust")
    sheet.fill(second, "Title", "Mentor two juniors")
    sheet.fill(second, "Weight (%)", "15")

    sheet.tick(800)
    sheet.expect_state(first, "saved")
    sheet.expect_state(second, "saved")
    (creates,) = sheet.batches()
    assert [(i["clientId"], "id" in i) for i in creates["items"]] == [
        (first, False),
        (second, False),
    ]
    ids = {key: sheet.card(key).get_attribute("data-goal-id") for key in (first, second)}
    assert all(ids.values())

    sheet.fill(first, "Title", "Learn Rust properly")
    sheet.fill(second, "Specific goal", "Weekly pairing sessions")
    sheet.tick(800)
    sheet.expect_state(first, "saved")
    sheet.expect_state(second, "saved")

    updates = sheet.batches()[1]["items"]
    assert [(i["clientId"], i["id"], i["expectedVersion"]) for i in updates] == [
        (first, ids[first], 1),
        (second, ids[second], 1),
    ]
    assert updates[0]["performance"] == {"title": "Learn Rust properly"}
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert len(saved) == 8  # alice's six demo goals and the two new ones, once each
    assert saved[first]["id"] == ids[first] and saved[first]["title"] == "Learn Rust properly"
    assert saved[second]["specificGoal"] == "Weekly pairing sessions"
    assert saved[second]["version"] == 2


def test_goal_edited_while_its_create_is_in_flight_is_created_once(sheet: Sheet) -> None:
    """Point 2: an edit made before the create returned goes out as an update of that goal."""
    sheet.open("alice")
    key = sheet.add("COMPETENCY")
    sheet.fill(key, "Action plan", "First draft")
    sheet.server.recorder.hold()  # the create reaches the server and waits there
    sheet.tick(800)
    eventually(lambda: sheet.server.recorder.held == 1, "the create to reach the server")
    sheet.expect_state(key, "saving")

    sheet.fill(key, "Action plan", "Second draft, typed while saving")
    sheet.tick(800)  # due, but one request is already in flight
    assert len(sheet.batches()) == 1
    sheet.server.recorder.release()

    sheet.expect_state(key, "saved")
    expect(sheet.card(key)).to_have_attribute("data-version", "2")
    create, update = sheet.batches()
    assert "id" not in create["items"][0]
    goal_id_ = sheet.card(key).get_attribute("data-goal-id")
    assert update["items"] == [
        {
            "clientId": key,
            "id": goal_id_,
            "expectedVersion": 1,
            "competency": {"actionPlan": "Second draft, typed while saving"},
        }
    ]
    mine = [g for g in sheet.goals("alice", "acme", ACME_ACTIVE) if g["clientId"] == key]
    assert len(mine) == 1 and mine[0]["actionPlan"] == "Second draft, typed while saving"


def test_one_invalid_field_fails_only_its_goal(sheet: Sheet) -> None:
    """Point 3: that card shows the error and a toast; the others save; the fix sends it alone."""
    sheet.open("alice")
    bad, good = "alice-perf-2", ["alice-perf-1", "alice-core-1"]
    sheet.fill(bad, "Title", "x" * 201)
    sheet.fill(good[0], "Title", "Grow ARR by 25%")
    sheet.fill(good[1], "Core value plan", "Mentor two new hires")

    sheet.tick(800)
    sheet.expect_state(bad, "error")
    for key in good:
        sheet.expect_state(key, "saved")
    (first,) = sheet.batches()
    assert sorted(item_ids(first)) == sorted([bad, *good])
    title = sheet.field(bad, "Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(sheet.card(bad).locator(".field-title .field-error")).to_contain_text("200 characters")
    toast = sheet.toast(bad)
    expect(toast).to_contain_text("200 characters")

    # Retry alone cannot fix a validation error: it resends that goal only, and fails again.
    toast.get_by_role("button", name="Retry").click()
    expect(toast).to_have_count(0)
    sheet.tick(800)
    expect(sheet.toast(bad)).to_have_count(1)
    assert item_ids(sheet.batches()[1]) == [bad]

    sheet.fill(bad, "Title", "Ship the onboarding flow v2")
    sheet.tick(800)
    sheet.expect_state(bad, "saved")
    expect(sheet.toast(bad)).to_have_count(0)
    expect(title).not_to_have_attribute("aria-invalid", "true")
    fix = sheet.batches()[2]
    assert fix["items"] == [
        {
            "clientId": bad,
            "id": goal_id("alice", bad),
            "expectedVersion": 1,
            "performance": {"title": "Ship the onboarding flow v2"},
        }
    ]
    assert len(sheet.batches()) == 3
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert saved[bad]["title"] == "Ship the onboarding flow v2"
    assert saved["alice-perf-1"]["title"] == "Grow ARR by 25%"


def fail_first_batch(sheet: Sheet, *, after_server: bool) -> list[str]:
    """Make the network fail once: before the server (request lost) or after (answer lost)."""
    failures: list[str] = []

    def handle(route: Route) -> None:
        body = route.request.post_data_json or {}
        if body.get("operationName") != "BatchSaveGoals" or failures:
            route.continue_()
            return
        failures.append("after server" if after_server else "before server")
        if after_server:
            route.fetch()  # the server saves; the page never hears back
        route.abort("connectionreset")

    sheet.page.route("**/graphql", handle)
    return failures


def test_network_failure_for_one_cycle_is_retried_without_duplicates(sheet: Sheet) -> None:
    """Point 4: an aborted request is retried (with backoff) and saves once."""
    sheet.open("alice")
    failures = fail_first_batch(sheet, after_server=False)
    new = sheet.add("PERFORMANCE")
    sheet.fill(new, "Title", "Survive a flaky network")
    sheet.fill("alice-perf-1", "Weight (%)", "45")

    sheet.tick(800)
    expect(sheet.card(new).locator(".badge")).to_have_attribute("title", re.compile("retrying"))
    sheet.expect_state(new, "pending")  # waiting out the backoff, not an error
    assert failures == ["before server"]
    expect(sheet.page.locator("#toasts .toast")).to_have_count(0)

    sheet.tick(1000)  # more than the first backoff (≤ 500 ms)
    sheet.expect_state(new, "saved")
    sheet.expect_state("alice-perf-1", "saved")
    first, retry = sheet.batches()
    assert first == retry  # the same items, the same create clientId
    assert len(sheet.server_batches()) == 1  # the first one never reached the server
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert len(saved) == 7 and saved[new]["title"] == "Survive a flaky network"
    assert saved["alice-perf-1"]["weight"] == 45


def test_lost_answer_is_resent_without_duplicates_or_false_conflicts(sheet: Sheet) -> None:
    """Point 4, the hard case: the server saved, the answer was lost, the page resends."""
    sheet.open("alice")
    fail_first_batch(sheet, after_server=True)
    new = sheet.add("CORE_VALUE")
    sheet.fill(new, "Core value plan", "Write it down twice, save it once")
    sheet.fill("alice-perf-1", "Title", "Grow ARR by 30%")

    sheet.tick(800)
    sheet.expect_state(new, "pending")
    sheet.tick(1000)
    sheet.expect_state(new, "saved")
    sheet.expect_state("alice-perf-1", "saved")  # its resend conflicted with its own write
    expect(sheet.page.locator("#toasts .toast")).to_have_count(0)

    assert len(sheet.batches()) == 2 and len(sheet.server_batches()) == 2
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert len(saved) == 7
    assert saved["alice-perf-1"]["title"] == "Grow ARR by 30%"
    assert saved["alice-perf-1"]["version"] == 2  # written once
    assert saved[new]["coreValuePlan"] == "Write it down twice, save it once"

    sheet.fill("alice-perf-1", "Title", "Grow ARR by 35%")  # the page knows version 2 now
    sheet.tick(800)
    sheet.expect_state("alice-perf-1", "saved")
    assert sheet.batches()[2]["items"][0]["expectedVersion"] == 2


def test_typing_while_an_answer_is_lost_is_no_false_conflict(sheet: Sheet) -> None:
    """The server saved, the answer was lost, and the person typed on meanwhile: the resend
    carries the newer edit too, so the server cannot hold all of it yet. Its conflict is with
    its own write (one version on, holding what the lost request carried): saved, and the newer
    edit goes out as an update of that version; no conflict is shown."""
    sheet.open("alice", query="?live=0")  # the resend's answer decides (live: test_live_sheet)
    fail_first_batch(sheet, after_server=True)
    sheet.fill("alice-perf-1", "Title", "Grow ARR by 30%")
    sheet.tick(800)  # sent; the server saves it, the answer is lost
    badge = sheet.card("alice-perf-1").locator(".badge")
    expect(badge).not_to_have_attribute("data-state", "saving")  # the loss is known
    sheet.fill("alice-perf-1", "Specific goal", "Three enterprise deals")
    sheet.tick(2000)
    sheet.expect_state("alice-perf-1", "saved")
    expect(sheet.page.locator("#toasts .toast")).to_have_count(0)

    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)["alice-perf-1"]
    assert saved["title"] == "Grow ARR by 30%"
    assert saved["specificGoal"] == "Three enterprise deals"
    assert saved["version"] == 3  # the lost write, then the newer edit: nothing written twice
    batches = sheet.batches()  # the lost one, its resend (which met its own write), the rest
    assert len(batches) == 3, batches
    assert batches[-1]["items"] == [
        {
            "clientId": "alice-perf-1",
            "id": goal_id("alice", "alice-perf-1"),
            "expectedVersion": 2,
            "performance": {"specificGoal": "Three enterprise deals"},
        }
    ]


def test_org_switch_saves_unsaved_edits_in_the_old_org(sheet: Sheet) -> None:
    """Point 5: edits typed before the switch land in the old org, later ones in the new org."""
    page = sheet.open("carol")
    org_select = page.get_by_label("Organization")
    if org_select.input_value() != "acme":
        org_select.select_option("acme")
        sheet.wait_for_sheet()
    acme_goal = sheet.add("PERFORMANCE")
    sheet.fill(acme_goal, "Title", "Typed in acme just before the switch")
    assert sheet.batches() == []  # still inside its debounce window

    org_select.select_option("globex")
    expect(sheet.card("carol-perf-1")).to_be_visible()
    sheet.wait_for_sheet()
    assert [(b["orgSlug"], item_ids(b)) for b in sheet.batches()] == [("acme", [acme_goal])]

    sheet.fill("carol-perf-1", "Title", "Launch in three new markets")
    globex_goal = sheet.add("PERFORMANCE")
    sheet.fill(globex_goal, "Title", "Typed in globex after the switch")
    sheet.tick(800)
    sheet.expect_state(globex_goal, "saved")
    later = sheet.batches()[1]
    assert (later["orgSlug"], later["periodId"]) == ("globex", GLOBEX_ACTIVE)
    assert sorted(item_ids(later)) == sorted(["carol-perf-1", globex_goal])

    acme = sheet.goals_by_client_id("carol", "acme", ACME_ACTIVE)
    globex = sheet.goals_by_client_id("carol", "globex", GLOBEX_ACTIVE)
    assert acme[acme_goal]["title"] == "Typed in acme just before the switch"
    assert acme_goal not in globex and globex_goal not in acme
    assert globex[globex_goal]["title"] == "Typed in globex after the switch"
    assert globex["carol-perf-1"]["title"] == "Launch in three new markets"

    # The org cache was cleared on the switch: going back to acme looks acme up again.
    org_select.select_option("acme")
    expect(sheet.card(acme_goal)).to_be_visible()
    lookups = [r["variables"]["slug"] for r in sheet.operations("Organization")]
    assert lookups[-2:] == ["globex", "acme"] and lookups.count("acme") >= 2

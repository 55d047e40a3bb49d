"""Issue 13 point 3 in real Chromium against a real server: the goal sheet follows live changes
(docs/live.md). Changes made elsewhere show without a reload; a goal with edits not saved yet shows
the Keep mine / Use theirs choice at once; a notice for a version the page has costs nothing.

Each browser context is one person's browser (its own storage and paused clock); the pages of
one context are that person's tabs. Requests are counted per tab, as the page sent them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from goalpost.testing import LiveServer
from tests.conftest import ACME_ACTIVE
from tests.live.conftest import live_subscribers
from tests.web.sheet import Sheet, eventually, expect, goal_id
from tests.web.test_review_sheet import decide, open_acme, row

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route, WebSocketRoute


@pytest.fixture
def carol(browser: Browser, server: LiveServer) -> Iterator[Sheet]:
    """Carol's own browser (another context), next to alice's `sheet`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    driven = Sheet(context, server)
    try:
        yield driven
        assert driven.page_errors == [], "uncaught errors in carol's page"
    finally:
        context.close()


@pytest.fixture(autouse=True)
def no_subscribers_left(server: LiveServer) -> None:
    """Pages of earlier tests may still be closing their sockets: start from none."""
    eventually(lambda: live_subscribers(server.url) == 0, "earlier subscriptions to end")


def subscribed(server: LiveServer, count: int, page: Page | None = None) -> None:
    """graphql-transport-ws does not acknowledge a subscribe: wait for the server's gauge.

    With a routed socket, wait through Playwright (`page`): it runs the route's handlers only
    while it runs a call.
    """
    if page is None:
        eventually(lambda: live_subscribers(server.url) == count, f"{count} subscription(s)")
        return
    deadline = time.monotonic() + 20
    while live_subscribers(server.url) != count:
        assert time.monotonic() < deadline, f"timed out waiting for {count} subscription(s)"
        page.wait_for_timeout(20)


def operations(page: Page) -> list[str]:
    """The GraphQL operations this tab sends from now on, by name."""
    names: list[str] = []

    def record(request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            body = request.post_data_json
            if isinstance(body, dict):
                names.append(str(body.get("operationName")))

    page.on("request", record)
    return names


def test_the_supervisors_return_appears_on_the_owners_open_sheet(
    sheet: Sheet, carol: Sheet
) -> None:
    alice = sheet.open("alice")
    alice_sent = operations(alice)
    open_acme(carol, "carol")
    subscribed(sheet.server, 2)
    card = sheet.card("alice-perf-submitted")
    expect(card.locator(".goal-status")).to_have_text("submitted")

    decide(carol, goal_id("alice", "alice-perf-submitted"), "Return", "Name a target")
    carol.tick(800)

    expect(card.locator(".goal-status")).to_have_text("rejected")  # no reload
    expect(card.locator(".review-note")).to_contain_text("Returned by Carol Chen")
    expect(card.locator(".review-note")).to_contain_text("Name a target")
    expect(sheet.field("alice-perf-submitted", "Title")).to_be_editable()
    expect(card).to_have_attribute("data-version", "3")  # created, submitted, returned
    assert alice_sent == ["MyGoals"]  # one read of her goals, and nothing else


def test_the_team_view_follows_a_reports_edits_and_new_goals(sheet: Sheet, carol: Sheet) -> None:
    sheet.open("alice")
    open_acme(carol, "carol")
    carol_sent = operations(carol.page)
    subscribed(sheet.server, 2)
    the_row = row(carol, goal_id("alice", "alice-perf-1"))
    comment = row(carol, goal_id("alice", "alice-perf-submitted")).get_by_label(
        "Comment (needed to return)"
    )
    comment.fill("Typed, not sent")

    sheet.fill("alice-perf-1", "Title", "Edited while carol looks")
    sheet.tick(800)
    sheet.expect_state("alice-perf-1", "saved")
    expect(the_row).to_have_attribute("data-version", "2")
    expect(the_row.locator(".team-fields")).to_contain_text("Edited while carol looks")
    # Refreshed in place: a comment being typed elsewhere in the view is still there.
    expect(comment).to_have_value("Typed, not sent")

    new = sheet.add("CORE_VALUE")
    sheet.fill(new, "Core value plan", "A new goal of alice")
    sheet.tick(800)
    sheet.expect_state(new, "saved")
    expect(carol.page.locator(f'#team article.team-goal[data-client-id="{new}"]')).to_contain_text(
        "A new goal of alice"
    )
    # A new goal redraws the view; the comment being typed is kept there too.
    comment = row(carol, goal_id("alice", "alice-perf-submitted")).get_by_label(
        "Comment (needed to return)"
    )
    expect(comment).to_have_value("Typed, not sent")
    assert carol_sent.count("TeamGoals") == 2  # one per change: no reload of the page
    assert "MyGoals" not in carol_sent  # carol's own goals did not change


def test_an_edit_saved_in_one_tab_appears_in_the_other(sheet: Sheet) -> None:
    """Two tabs of alice: tab 1's saves, creates and deletes show in tab 2. Tab 1 hears of its
    own saves too, at versions it has already: those notices cost no request."""
    tab_2 = sheet.open("alice")
    tab_2_sent = operations(tab_2)
    tab_1 = sheet.open("alice")
    tab_1_sent = operations(tab_1)
    subscribed(sheet.server, 2)

    sheet.fill("alice-perf-1", "Title", "Typed in tab 1")
    sheet.tick(800)
    sheet.expect_state("alice-perf-1", "saved")
    new = sheet.add("PERFORMANCE")
    sheet.fill(new, "Title", "Created in tab 1")
    sheet.tick(800)
    sheet.expect_state(new, "saved")
    sheet.card("alice-perf-2").get_by_role("button", name=re.compile("^Delete ")).click()
    sheet.tick(800)
    expect(sheet.card("alice-perf-2")).to_have_count(0)

    sheet.switch_to(tab_2)
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("Typed in tab 1")
    expect(sheet.card("alice-perf-1")).to_have_attribute("data-version", "2")
    expect(sheet.field(new, "Title")).to_have_value("Created in tab 1")
    expect(sheet.card("alice-perf-2")).to_have_count(0)
    expect(tab_2.locator("#toasts .toast")).to_have_count(0)
    tab_1_total = tab_1.locator('[data-total-for="PERFORMANCE"]').get_attribute("data-total")
    assert sheet.total("PERFORMANCE") == tab_1_total

    # Tab 2 edits the goal tab 1 made: it goes out as an update at the version tab 1 saved.
    sheet.fill(new, "Title", "Then edited in tab 2")
    sheet.tick(800)
    sheet.expect_state(new, "saved")
    (update,) = [i for b in sheet.batches()[3:] for i in b["items"]]
    assert update["expectedVersion"] == 1 and update["clientId"] == new
    sheet.switch_to(tab_1)
    expect(sheet.field(new, "Title")).to_have_value("Then edited in tab 2")

    assert tab_1_sent.count("BatchSaveGoals") == 3
    assert tab_1_sent.count("MyGoals") == 1  # only tab 2's edit; its own three: none
    assert tab_2_sent.count("MyGoals") <= 3  # at most one per change of tab 1
    assert all(name in ("MyGoals", "BatchSaveGoals") for name in tab_1_sent + tab_2_sent)


def test_edits_waiting_meet_a_change_made_elsewhere_at_once(sheet: Sheet) -> None:
    """Alice types in one goal (not saved yet) while her other device saves two goals: the one
    she typed in shows Keep mine / Use theirs at once, before any save; the other refreshes."""
    page = sheet.open("alice")
    sent = operations(page)
    subscribed(sheet.server, 1)
    sheet.fill("alice-perf-1", "Weight (%)", "42")
    sheet.expect_state("alice-perf-1", "pending")

    sheet.retitle_elsewhere("alice", ("alice-perf-1", "alice-perf-2"), "Changed on her laptop")

    toast = sheet.toast("alice-perf-1")
    expect(toast).to_contain_text("Someone else changed")
    expect(toast).to_contain_text("now version 2")
    sheet.expect_state("alice-perf-1", "error")
    expect(sheet.field("alice-perf-1", "Weight (%)")).to_have_value("42")  # nothing overwritten
    expect(sheet.field("alice-perf-2", "Title")).to_have_value(
        "Changed on her laptop: alice-perf-2"
    )
    expect(sheet.card("alice-perf-2")).to_have_attribute("data-version", "2")
    expect(sheet.toast("alice-perf-2")).to_have_count(0)
    assert sheet.batches() == []  # seen before any save
    sheet.tick(10_000)
    assert sheet.batches() == []  # and held: no save over the other device's change

    toast.get_by_role("button", name="Keep mine").click()
    sheet.tick(800)
    sheet.expect_state("alice-perf-1", "saved")
    assert [b["items"] for b in sheet.batches()] == [
        [
            {
                "clientId": "alice-perf-1",
                "id": goal_id("alice", "alice-perf-1"),
                "expectedVersion": 2,
                "performance": {"weight": 42},
            }
        ]
    ]
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert saved["alice-perf-1"]["weight"] == 42
    assert saved["alice-perf-1"]["title"] == "Changed on her laptop: alice-perf-1"
    assert sent.count("MyGoals") == 1  # one read for both notices


def test_a_change_elsewhere_that_holds_the_edit_waiting_is_no_conflict(sheet: Sheet) -> None:
    """The notice of a change that already holds what waits here (the page's own write whose
    answer was lost, seen before the resend; or the same edit on another device) settles the
    goal: saved at the new version, no Keep mine / Use theirs, nothing sent again."""
    sheet.open("alice")
    subscribed(sheet.server, 1)
    sheet.fill("alice-perf-1", "Title", "Changed on her laptop: alice-perf-1")
    sheet.expect_state("alice-perf-1", "pending")

    sheet.retitle_elsewhere("alice", ("alice-perf-1",), "Changed on her laptop")

    expect(sheet.card("alice-perf-1")).to_have_attribute("data-version", "2")
    sheet.expect_state("alice-perf-1", "saved")
    expect(sheet.page.locator("#toasts .toast")).to_have_count(0)
    sheet.tick(10_000)
    assert sheet.batches() == []  # nothing left to send

    sheet.fill("alice-perf-1", "Weight (%)", "42")  # later edits go out at the new version
    sheet.tick(800)
    sheet.expect_state("alice-perf-1", "saved")
    assert sheet.batches()[0]["items"][0]["expectedVersion"] == 2


def test_use_theirs_takes_the_change_and_drops_the_edit(sheet: Sheet) -> None:
    sheet.open("alice")
    subscribed(sheet.server, 1)
    sheet.fill("alice-perf-2", "Title", "Mine, not saved")
    item = {
        "clientId": "alice-perf-2",
        "id": goal_id("alice", "alice-perf-2"),
        "expectedVersion": 1,
        "performance": {"title": "Theirs"},
    }
    sheet.save("alice", "acme", ACME_ACTIVE, [item])
    sheet.toast("alice-perf-2").get_by_role("button", name="Use theirs").click()
    expect(sheet.field("alice-perf-2", "Title")).to_have_value("Theirs")
    sheet.expect_state("alice-perf-2", "saved")
    sheet.tick(10_000)
    assert sheet.batches() == []


def test_a_dropped_socket_catches_up_from_its_last_cursor(sheet: Sheet) -> None:
    """The socket drops; changes made meanwhile are read with goalChanges(after: cursor) once it
    is back (its backoff is on the page's clock), and show."""
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    sheet.context.route_web_socket(re.compile(r".*/graphql$"), through)
    page = sheet.open("alice")
    sent = operations(page)
    subscribed(sheet.server, 1, page)

    first = {
        "clientId": "alice-perf-1",
        "id": goal_id("alice", "alice-perf-1"),
        "expectedVersion": 1,
        "performance": {"title": "Before the drop"},
    }
    sheet.save("alice", "acme", ACME_ACTIVE, [first])
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("Before the drop")

    sockets[0].close()
    expect(page.locator("body")).to_have_attribute("data-live", "retrying")
    subscribed(sheet.server, 0, page)
    missed = [{**first, "expectedVersion": 2, "performance": {"title": "While it was down"}}]
    sheet.save("alice", "acme", ACME_ACTIVE, missed)

    sheet.tick(30_000)  # past any backoff
    expect(page.locator("body")).to_have_attribute("data-live", "live")
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("While it was down")
    assert len(sockets) == 2
    assert sent.count("GoalChangesSince") == 1


def test_a_cursor_the_server_refuses_makes_the_sheet_read_everything_again(sheet: Sheet) -> None:
    """After a deployment that changed the cursor secret the server refuses the page's cursor
    (BAD_CURSOR): catching up from it can never work, so the sheet reads its goals again and
    goes on following, instead of reconnecting to fail the same way for ever."""
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    def refuse_the_cursor(route: Route) -> None:
        """What the new server says of the old cursor: the real server's answer to a cursor
        it cannot open."""
        body = route.request.post_data_json or {}
        if body.get("operationName") != "GoalChangesSince":
            route.continue_()
            return
        after = body["variables"]["after"]
        foreign = after[:-2] + ("AA" if not after.endswith("AA") else "BB")
        variables = {**body["variables"], "after": foreign}
        route.continue_(post_data=json.dumps({**body, "variables": variables}))

    sheet.context.route_web_socket(re.compile(r".*/graphql$"), through)
    page = sheet.open("alice")
    page.route("**/graphql", refuse_the_cursor)
    subscribed(sheet.server, 1, page)
    first = {
        "clientId": "alice-perf-1",
        "id": goal_id("alice", "alice-perf-1"),
        "expectedVersion": 1,
        "performance": {"title": "Before the deployment"},
    }
    sheet.save("alice", "acme", ACME_ACTIVE, [first])
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("Before the deployment")

    sockets[0].close()
    subscribed(sheet.server, 0, page)
    missed = [{**first, "expectedVersion": 2, "performance": {"title": "While it was down"}}]
    sheet.save("alice", "acme", ACME_ACTIVE, missed)
    sheet.tick(30_000)  # past any backoff
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("While it was down")
    expect(page.locator("body")).to_have_attribute("data-live", "live")

    later = [{**first, "expectedVersion": 3, "performance": {"title": "After the deployment"}}]
    sheet.save("alice", "acme", ACME_ACTIVE, later)
    expect(sheet.field("alice-perf-1", "Title")).to_have_value("After the deployment")


def test_the_notice_of_its_own_lost_write_is_no_conflict_for_edits_typed_since(
    sheet: Sheet,
) -> None:
    """The server saved, the answer was lost, the person typed on, and then the live notice of
    that write came (before the resend): it is the page's own write, one version on, holding
    what the lost request carried. No conflict: the goal takes that version and the newer edit
    goes as an update of it."""
    held: list[tuple[WebSocketRoute, str | bytes]] = []
    holding = [True]

    def through(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if holding[0] and '"next"' in str(message):
                held.append((ws, message))  # a notice: kept back until the test says
            else:
                ws.send(message)

        server.on_message(from_server)

    sheet.context.route_web_socket(re.compile(r".*/graphql$"), through)
    page = sheet.open("alice")
    subscribed(sheet.server, 1, page)

    def lose_the_answer(route: Route) -> None:
        body = route.request.post_data_json or {}
        if body.get("operationName") == "BatchSaveGoals" and not lost:
            lost.append(body)
            route.fetch()  # the server saves; the page never hears back
            route.abort("connectionreset")
        else:
            route.continue_()

    lost: list[Any] = []
    page.route("**/graphql", lose_the_answer)
    sheet.fill("alice-perf-1", "Title", "Grow ARR by 30%")
    sheet.tick(800)
    badge = sheet.card("alice-perf-1").locator(".badge")
    expect(badge).to_have_attribute("data-state", "pending")  # the loss is known; retry due
    sheet.fill("alice-perf-1", "Specific goal", "Three enterprise deals")
    deadline = time.monotonic() + 20  # through Playwright: it runs route handlers in its calls
    while not held:
        assert time.monotonic() < deadline, "timed out waiting for the notice of the lost write"
        page.wait_for_timeout(20)

    holding[0] = False
    for ws, message in held:
        ws.send(message)
    sheet.tick(30_000)  # past the retry
    sheet.expect_state("alice-perf-1", "saved")
    expect(page.locator("#toasts .toast")).to_have_count(0)
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)["alice-perf-1"]
    assert (saved["title"], saved["specificGoal"], saved["version"]) == (
        "Grow ARR by 30%",
        "Three enterprise deals",
        3,
    )
    assert sheet.batches()[-1]["items"] == [
        {
            "clientId": "alice-perf-1",
            "id": goal_id("alice", "alice-perf-1"),
            "expectedVersion": 2,
            "performance": {"specificGoal": "Three enterprise deals"},
        }
    ]

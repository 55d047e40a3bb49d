"""Issue 12 point 6 in real Chromium against a real server: the supervisor's view of the goal
sheet (decisions batched like auto-save), the review note the owner sees, and the history panel.

Page time is paused (see tests/web/sheet.py): `tick(800)` is the decision debounce passing.
Requests are counted as the page sent them and as the server received them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.conftest import ACME_ACTIVE
from tests.review.helpers import REVIEW, SUBMIT, TEAM, completing_items, review_input
from tests.web.sheet import Sheet, expect, goal_id, stored_records
from tests.web.test_sheet_behaviour import UNLABELLED_CONTROLS, crash

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Route

ALICE_SUBMITTED = goal_id("alice", "alice-perf-submitted")
BOB_PERF = goal_id("bob", "bob-perf-1")
BOB_COMP = goal_id("bob", "bob-comp-1")


# -- set-up through the API ---------------------------------------------------------------------


def submit_all(sheet: Sheet, user: str) -> dict[str, dict[str, Any]]:
    """Complete `user`'s editable performance goals, make their weights 100 and submit."""
    items = completing_items(sheet.goals_by_client_id(user, "acme", ACME_ACTIVE))
    if items:
        sheet.save(user, "acme", ACME_ACTIVE, items)
    body = sheet.graphql(user, SUBMIT, {"org": "acme", "period": ACME_ACTIVE})
    assert body["data"]["submitGoals"]["submitted"], body
    return sheet.goals_by_client_id(user, "acme", ACME_ACTIVE)


def review(sheet: Sheet, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Carol decides behind the page's back (another tab)."""
    body = sheet.graphql("carol", REVIEW, review_input(items))
    results: list[dict[str, Any]] = body["data"]["reviewGoals"]["results"]
    assert all(r["__typename"] == "GoalReviewed" for r in results), results
    return results


def team_on_server(sheet: Sheet) -> dict[str, dict[str, Any]]:
    body = sheet.graphql("carol", TEAM, {"org": "acme", "period": ACME_ACTIVE, "status": None})
    return {g["id"]: g for g in body["data"]["organization"]["period"]["teamGoals"]}


# -- the page -----------------------------------------------------------------------------------


def open_acme(sheet: Sheet, user: str, query: str = "") -> None:
    page = sheet.open(user, query)
    org_select = page.get_by_label("Organization")
    if org_select.input_value() != "acme":
        org_select.select_option("acme")
        sheet.wait_for_sheet()


def row(sheet: Sheet, goal: str) -> Locator:
    return sheet.page.locator(f'#team article.team-goal[data-goal-id="{goal}"]')


def decide(sheet: Sheet, goal: str, decision: str, comment: str | None = None) -> None:
    the_row = row(sheet, goal)
    if comment is not None:
        the_row.get_by_label("Comment (needed to return)").fill(comment)
    the_row.get_by_role("button", name=re.compile(f"^{decision} ")).click()


def review_requests(sheet: Sheet) -> list[list[dict[str, Any]]]:
    """The items of every reviewGoals the page sent, in order."""
    return [r["variables"]["input"]["items"] for r in sheet.operations("ReviewGoals")]


def stored_decisions(page: Page) -> dict[str, list[dict[str, Any]]]:
    """Every decision the page keeps in localStorage, by storage key (one per tab)."""
    return stored_records(page, "goalpost.review")


def server_review_items(sheet: Sheet) -> list[list[dict[str, Any]]]:
    """The items of every reviewGoals the server received, in order."""
    return [r.variables["input"]["items"] for r in sheet.server.recorder.graphql("ReviewGoals")]


def open_history(scope: Locator) -> Locator:
    panel = scope.locator("details.history")
    panel.locator("summary").click()
    expect(panel).not_to_have_attribute("data-loading", "true")
    return panel


# -- tests --------------------------------------------------------------------------------------


def test_supervisor_approves_and_returns_in_one_request(sheet: Sheet) -> None:
    """Two decisions within one cycle are ONE reviewGoals request carrying both items."""
    submit_all(sheet, "bob")
    open_acme(sheet, "carol")
    team = sheet.page.get_by_role("region", name="Team goals")
    expect(team).to_be_visible()
    expect(team.locator('[data-owner="alice@acme.example"] h3')).to_have_text(
        "Alice Anders (alice@acme.example)"
    )
    for goal in (ALICE_SUBMITTED, BOB_PERF, BOB_COMP):
        expect(row(sheet, goal)).to_have_attribute("data-status", "SUBMITTED")
    # The fields are shown read-only; drafts are listed but cannot be decided.
    expect(row(sheet, ALICE_SUBMITTED).locator(".team-fields")).to_contain_text("Churn under 3%")
    expect(row(sheet, ALICE_SUBMITTED).locator("textarea")).to_be_editable()
    draft = row(sheet, goal_id("alice", "alice-perf-1"))
    expect(draft).to_have_attribute("data-status", "DRAFT")
    expect(draft.get_by_role("button", name=re.compile("^Approve "))).to_be_hidden()
    expect(team.locator(".decision:visible")).to_have_count(3)  # the three submitted goals
    assert sheet.page.evaluate(UNLABELLED_CONTROLS) == []

    decide(sheet, ALICE_SUBMITTED, "Approve")
    decide(sheet, BOB_COMP, "Approve")
    row(sheet, BOB_COMP).get_by_role("button", name=re.compile("^Cancel decision")).click()
    decide(sheet, BOB_PERF, "Return", "Make it measurable")
    expect(row(sheet, BOB_PERF).locator(".decision-state")).to_have_text(
        "Return: waiting to be sent"
    )
    expect(team.get_by_label("Decisions waiting")).to_have_text("2 decision(s) waiting to be sent")
    sheet.tick(799)
    assert review_requests(sheet) == []  # still inside the debounce window
    sheet.tick(1)

    expect(row(sheet, ALICE_SUBMITTED)).to_have_attribute("data-status", "APPROVED")
    expect(row(sheet, BOB_PERF)).to_have_attribute("data-status", "REJECTED")
    expect(row(sheet, BOB_PERF).locator(".review-note")).to_contain_text("Make it measurable")
    expect(row(sheet, BOB_PERF).locator(".review-note")).to_contain_text("Returned by Carol Chen")
    expect(row(sheet, BOB_COMP)).to_have_attribute("data-status", "SUBMITTED")
    expect(
        row(sheet, ALICE_SUBMITTED).get_by_role("button", name=re.compile("^Approve"))
    ).to_be_hidden()

    (items,) = review_requests(sheet)
    assert [(i["goalId"], i["decision"], i["expectedVersion"], i["comment"]) for i in items] == [
        (ALICE_SUBMITTED, "APPROVE", 2, None),  # seeded: created, submitted
        (BOB_PERF, "RETURN", 3, "Make it measurable"),  # completed and submitted: v3
    ]
    assert len(sheet.server.recorder.graphql("ReviewGoals")) == 1

    on_server = team_on_server(sheet)
    assert on_server[ALICE_SUBMITTED]["status"] == "APPROVED"
    assert on_server[ALICE_SUBMITTED]["review"]["decision"] == "APPROVE"
    assert on_server[BOB_PERF]["status"] == "REJECTED"
    assert on_server[BOB_PERF]["review"]["comment"] == "Make it measurable"
    assert on_server[BOB_PERF]["review"]["reviewer"]["name"] == "Carol Chen"
    assert on_server[BOB_COMP]["status"] == "SUBMITTED"

    # The supervisor's history panel of a report's goal: bob's submit, then carol's return.
    events = open_history(row(sheet, BOB_PERF)).locator("li.history-event")
    # The seed's creation, bob's completing edit, his submit, carol's return.
    expect(events).to_have_count(4)
    expect(events.nth(0)).to_have_attribute("data-kind", "CREATED")
    expect(events.nth(2)).to_have_attribute("data-kind", "SUBMITTED")
    expect(events.nth(3)).to_have_attribute("data-kind", "RETURNED")
    expect(events.nth(3)).to_contain_text("Carol Chen")
    expect(events.nth(3)).to_contain_text("Comment: Make it measurable")
    expect(events.nth(3).locator('[data-field="status"]')).to_contain_text(
        "status: “SUBMITTED” → “REJECTED”"
    )


def test_return_without_a_comment_is_refused_in_the_page(sheet: Sheet) -> None:
    """No request for a return without a comment; the server's validation is shown inline."""
    open_acme(sheet, "carol")
    the_row = row(sheet, ALICE_SUBMITTED)
    comment = the_row.get_by_label("Comment (needed to return)")
    comment.fill("   ")
    the_row.get_by_role("button", name=re.compile("^Return ")).click()
    expect(the_row.locator(".field-error")).to_have_text(
        "Write a comment to return this goal: tell Alice Anders why."
    )
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(the_row.locator(".decision-state")).to_have_text("")
    sheet.tick(10_000)  # past every window: nothing is queued
    assert review_requests(sheet) == []
    expect(sheet.page.get_by_label("Decisions waiting")).to_have_text("No decisions waiting")

    # A comment the server refuses (over 2000 characters) comes back next to the comment.
    comment.fill("x" * 2001)
    expect(comment).not_to_have_attribute("aria-invalid", "true")
    the_row.get_by_role("button", name=re.compile("^Return ")).click()
    sheet.tick(800)
    expect(the_row.locator(".field-error")).to_contain_text("2000")
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(the_row.locator(".decision-state")).to_have_text("Not decided")
    expect(the_row).to_have_attribute("data-status", "SUBMITTED")
    assert len(review_requests(sheet)) == 1
    assert team_on_server(sheet)[ALICE_SUBMITTED]["status"] == "SUBMITTED"


def test_owner_sees_the_return_comment_and_her_edit_makes_the_goal_a_draft(sheet: Sheet) -> None:
    """Alice's card shows carol's comment and name; editing it auto-saves it as a DRAFT."""
    item = {
        "clientId": "r1",
        "goalId": ALICE_SUBMITTED,
        "expectedVersion": 2,
        "decision": "RETURN",
        "comment": "Make it measurable",
    }
    review(sheet, [item])
    sheet.open("alice")
    expect(sheet.page.locator("#team")).to_be_hidden()  # alice supervises nobody
    card = sheet.card("alice-perf-submitted")
    note = card.locator(".review-note")
    expect(note).to_contain_text("Returned by Carol Chen")
    expect(note.locator("q")).to_have_text("Make it measurable")
    expect(card.locator(".goal-status")).to_have_text("rejected")

    sheet.fill("alice-perf-submitted", "Title", "Reduce churn to under 3% by Q4")
    sheet.tick(800)
    sheet.expect_state("alice-perf-submitted", "saved")
    expect(card.locator(".goal-status")).to_have_text("draft")
    expect(note).to_contain_text("Make it measurable")  # the last review stays shown
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)["alice-perf-submitted"]
    assert (saved["status"], saved["title"]) == ("DRAFT", "Reduce churn to under 3% by Q4")

    events = open_history(card).locator("li.history-event")
    expect(events).to_have_count(4)  # the seeded goal was created and submitted
    kinds = [events.nth(i).get_attribute("data-kind") for i in range(4)]
    assert kinds == ["CREATED", "SUBMITTED", "RETURNED", "UPDATED"]
    expect(events.nth(3)).to_contain_text("version 4 · Alice Anders")
    expect(events.nth(3).locator('[data-field="title"]')).to_have_text(
        "title: “Reduce churn” → “Reduce churn to under 3% by Q4”"
    )


def test_approved_goal_shows_its_review_and_is_read_only(sheet: Sheet) -> None:
    submit_all(sheet, "bob")
    bob_perf_version = sheet.goals_by_client_id("bob", "acme", ACME_ACTIVE)["bob-perf-1"]["version"]
    item = {
        "clientId": "r1",
        "goalId": BOB_PERF,
        "expectedVersion": bob_perf_version,
        "decision": "APPROVE",
        "comment": "Good one",
    }
    review(sheet, [item])
    sheet.open("bob")
    card = sheet.card("bob-perf-1")
    expect(card.locator(".review-note")).to_contain_text("Approved by Carol Chen")
    expect(card.locator(".review-note q")).to_have_text("Good one")
    expect(sheet.field("bob-perf-1", "Title")).to_be_disabled()


def test_history_panel_shows_an_edit_as_an_update_with_its_field_change(sheet: Sheet) -> None:
    """Loaded when opened: one request for the period's histories, the events oldest first."""
    sheet.open("alice")
    sheet.fill("alice-perf-1", "Title", "Grow ARR by 25%")
    sheet.fill("alice-perf-1", "Weight (%)", "45")
    sheet.tick(800)
    sheet.expect_state("alice-perf-1", "saved")
    assert sheet.operations("MyGoalHistory") == []  # nothing is read before a panel opens

    panel = open_history(sheet.card("alice-perf-1"))
    events = panel.locator("li.history-event")
    expect(events).to_have_count(2)  # the demo seed created it
    expect(events.first.locator(".history-head")).to_contain_text(
        "Created · version 1 · Alice Anders"
    )
    expect(events.nth(1)).to_have_attribute("data-kind", "UPDATED")
    expect(events.nth(1).locator(".history-head")).to_contain_text(
        "Updated · version 2 · Alice Anders"
    )
    changes = events.nth(1).locator(".history-changes li")
    expect(changes).to_have_text(
        ["weight: 40 → 45", "title: “Grow ARR by 20%” → “Grow ARR by 25%”"]
    )
    assert len(sheet.operations("MyGoalHistory")) == 1

    # A seeded goal nobody changed shows its creation; a new goal not saved yet has no id.
    untouched = open_history(sheet.card("alice-core-1")).locator("li.history-event")
    expect(untouched).to_have_count(1)
    expect(untouched.first).to_have_attribute("data-kind", "CREATED")
    new = sheet.add("CORE_VALUE")
    expect(open_history(sheet.card(new)).locator(".history-note")).to_have_text("Not saved yet.")

    # Reopened after another change, the panel reads the history again.
    panel.locator("summary").click()  # closes it
    sheet.fill("alice-perf-1", "Title", "Grow ARR by 30%")
    sheet.tick(800)
    sheet.expect_state("alice-perf-1", "saved")
    open_history(sheet.card("alice-perf-1"))
    expect(events).to_have_count(3)
    expect(events.nth(2)).to_contain_text("version 3")


def test_review_of_a_goal_changed_meanwhile_is_a_conflict_decided_again(sheet: Sheet) -> None:
    """Alice's goal is returned, edited and submitted again after carol's page loaded it:
    carol's approval at the old version is shown as a conflict, with the goal as it is now,
    and she decides again. (Live changes off: with them, her view would show it at once.)"""
    open_acme(sheet, "carol", "?live=0")
    expect(row(sheet, ALICE_SUBMITTED)).to_have_attribute("data-version", "2")
    review(
        sheet,
        [
            {
                "clientId": "r1",
                "goalId": ALICE_SUBMITTED,
                "expectedVersion": 2,
                "decision": "RETURN",
                "comment": "Name a target",
            }
        ],
    )
    now = submit_all(sheet, "alice")["alice-perf-submitted"]
    assert now["status"] == "SUBMITTED" and now["version"] == 5

    decide(sheet, ALICE_SUBMITTED, "Approve")
    sheet.tick(800)
    the_row = row(sheet, ALICE_SUBMITTED)
    expect(the_row.locator(".decision-state")).to_have_text("Changed meanwhile")
    expect(the_row.locator(".decision-message")).to_contain_text(
        "Alice Anders changed this goal since you loaded it (now version 5, submitted)"
    )
    expect(the_row).to_have_attribute("data-version", "5")
    expect(the_row.locator(".team-fields")).not_to_contain_text("Monthly churn report")
    expect(the_row.locator(".review-note")).to_contain_text("Name a target")
    assert team_on_server(sheet)[ALICE_SUBMITTED]["status"] == "SUBMITTED"  # not approved

    decide(sheet, ALICE_SUBMITTED, "Approve")
    sheet.page.get_by_role("button", name="Send decisions").click()  # now, not after 800 ms
    expect(the_row).to_have_attribute("data-status", "APPROVED")
    first, second = review_requests(sheet)
    assert [i["expectedVersion"] for i in first] == [2]
    assert [i["expectedVersion"] for i in second] == [5]
    on_server = team_on_server(sheet)[ALICE_SUBMITTED]
    assert (on_server["status"], on_server["version"]) == ("APPROVED", 6)


def test_decisions_not_sent_for_a_network_failure_wait_and_are_sent_again(sheet: Sheet) -> None:
    """A request that never reached the server loses no decision: it waits, "Send decisions"
    sends it again, and the server decides once."""
    open_acme(sheet, "carol")
    aborted: list[str] = []

    def handle(route: Route) -> None:
        body = route.request.post_data_json or {}
        if body.get("operationName") != "ReviewGoals" or aborted:
            route.continue_()
            return
        aborted.append("ReviewGoals")
        route.abort("connectionreset")

    sheet.page.route("**/graphql", handle)
    decide(sheet, ALICE_SUBMITTED, "Return", "Add a number")
    sheet.tick(800)
    the_row = row(sheet, ALICE_SUBMITTED)
    expect(the_row.locator(".decision-state")).to_have_text("Not sent yet")
    expect(the_row.locator(".decision-message")).to_contain_text("no answer from the server")
    waiting = sheet.page.get_by_label("Decisions waiting")
    expect(waiting).to_have_text("1 decision(s) waiting to be sent")
    sheet.tick(10_000)  # not resent on a timer of its own
    assert len(review_requests(sheet)) == 1

    sheet.page.get_by_role("button", name="Send decisions").click()
    expect(the_row).to_have_attribute("data-status", "REJECTED")
    expect(waiting).to_have_text("No decisions waiting")
    first, second = review_requests(sheet)
    assert first == second  # the same decision, at the same version
    assert len(sheet.server.recorder.graphql("ReviewGoals")) == 1
    assert team_on_server(sheet)[ALICE_SUBMITTED]["review"]["comment"] == "Add a number"


def test_decisions_queued_when_leaving_the_org_are_sent_first(sheet: Sheet) -> None:
    """Switching to another org sends the queued decisions before the view goes away."""
    open_acme(sheet, "carol")
    decide(sheet, ALICE_SUBMITTED, "Approve")
    sheet.page.get_by_label("Organization").select_option("globex")
    expect(sheet.card("carol-perf-1")).to_be_visible()
    sheet.wait_for_sheet()
    expect(sheet.page.locator("#team")).to_be_hidden()  # carol supervises nobody in globex
    assert [i["goalId"] for (i,) in review_requests(sheet)] == [ALICE_SUBMITTED]
    assert team_on_server(sheet)[ALICE_SUBMITTED]["status"] == "APPROVED"


def test_decisions_that_cannot_be_sent_when_leaving_are_not_dropped_silently(sheet: Sheet) -> None:
    open_acme(sheet, "carol")
    sheet.page.route(
        "**/graphql",
        lambda route: (
            route.abort("connectionreset")
            if (route.request.post_data_json or {}).get("operationName") == "ReviewGoals"
            else route.continue_()
        ),
    )
    decide(sheet, ALICE_SUBMITTED, "Approve")
    sheet.page.get_by_label("Organization").select_option("globex")
    expect(sheet.card("carol-perf-1")).to_be_visible()
    expect(sheet.page.locator('#toasts .toast[data-toast-for="decisions-left"]')).to_contain_text(
        "1 review decision(s) could not be sent. They are kept on this device"
    )
    assert len(review_requests(sheet)) == 1
    assert team_on_server(sheet)[ALICE_SUBMITTED]["status"] == "SUBMITTED"

    # Kept on the device: coming back to acme, the network working again, sends it.
    sheet.page.unroute("**/graphql")
    sheet.page.get_by_label("Organization").select_option("acme")
    expect(row(sheet, ALICE_SUBMITTED)).to_have_attribute("data-status", "APPROVED")
    assert len(server_review_items(sheet)) == 1
    assert team_on_server(sheet)[ALICE_SUBMITTED]["status"] == "APPROVED"


def test_decisions_of_a_crashed_tab_are_sent_once_by_the_next_tab(sheet: Sheet) -> None:
    """Decisions queued, not sent yet (page time is paused: the debounce never passes), survive
    a crash of their tab (no pagehide, no keepalive): the next tab of carol's sheet sends them,
    in one request with their expectedVersion, and no later tab sends them again."""
    submit_all(sheet, "bob")
    open_acme(sheet, "carol")
    tab = sheet.page
    decide(sheet, ALICE_SUBMITTED, "Approve")
    decide(sheet, BOB_PERF, "Return", "Make it measurable")
    expect(tab.get_by_label("Decisions waiting")).to_have_text("2 decision(s) waiting to be sent")
    (kept,) = stored_decisions(tab).values()  # one key: this tab's
    assert [(d["goalId"], d["decision"], d["expectedVersion"]) for d in kept] == [
        (ALICE_SUBMITTED, "APPROVE", 2),
        (BOB_PERF, "RETURN", 3),
    ]
    crash(tab)
    assert review_requests(sheet) == []

    open_acme(sheet, "carol")
    expect(row(sheet, ALICE_SUBMITTED)).to_have_attribute("data-status", "APPROVED")
    expect(row(sheet, BOB_PERF)).to_have_attribute("data-status", "REJECTED")
    expect(row(sheet, BOB_PERF).locator(".review-note")).to_contain_text("Make it measurable")
    expect(row(sheet, BOB_PERF).locator(".decision-state")).to_have_text("Returned.")
    expect(sheet.page.get_by_label("Decisions waiting")).to_have_text("No decisions waiting")
    (items,) = server_review_items(sheet)
    assert [(i["goalId"], i["decision"], i["expectedVersion"], i["comment"]) for i in items] == [
        (ALICE_SUBMITTED, "APPROVE", 2, None),
        (BOB_PERF, "RETURN", 3, "Make it measurable"),
    ]
    on_server = team_on_server(sheet)
    assert on_server[ALICE_SUBMITTED]["status"] == "APPROVED"
    assert on_server[BOB_PERF]["status"] == "REJECTED"
    assert on_server[BOB_PERF]["review"]["comment"] == "Make it measurable"
    assert stored_decisions(sheet.page) == {}

    sheet.page.close()
    open_acme(sheet, "carol")  # no later tab sends them again
    sheet.tick(10_000)
    expect(row(sheet, ALICE_SUBMITTED)).to_have_attribute("data-status", "APPROVED")
    assert len(server_review_items(sheet)) == 1


def test_decisions_answered_are_no_longer_kept_and_never_sent_again(sheet: Sheet) -> None:
    open_acme(sheet, "carol")
    tab = sheet.page
    decide(sheet, ALICE_SUBMITTED, "Return", "Add a number")
    assert len(next(iter(stored_decisions(tab).values()))) == 1  # kept until answered
    sheet.tick(800)
    expect(row(sheet, ALICE_SUBMITTED)).to_have_attribute("data-status", "REJECTED")
    assert stored_decisions(tab) == {}
    crash(tab)

    open_acme(sheet, "carol")
    sheet.tick(10_000)
    expect(row(sheet, ALICE_SUBMITTED).locator(".review-note")).to_contain_text("Add a number")
    expect(row(sheet, ALICE_SUBMITTED).locator(".decision-state")).to_have_text("")
    assert len(server_review_items(sheet)) == 1


def test_a_decision_taken_whose_answer_was_lost_is_no_conflict_when_sent_again(
    sheet: Sheet,
) -> None:
    """The server returned the goal, but its answer never reached the page, which then
    crashed. The next tab sends the decision again: its version conflict shows carol's own
    return, so it is shown as returned, not as a goal changed meanwhile."""
    open_acme(sheet, "carol")
    tab = sheet.page

    def lose_the_answer(route: Route) -> None:
        body = route.request.post_data_json or {}
        if body.get("operationName") != "ReviewGoals":
            route.continue_()
            return
        route.fetch()  # the server decides...
        route.abort("connectionreset")  # ...and the page never hears of it

    tab.route("**/graphql", lose_the_answer)
    decide(sheet, ALICE_SUBMITTED, "Return", "Add a number")
    sheet.tick(800)
    expect(row(sheet, ALICE_SUBMITTED).locator(".decision-state")).to_have_text("Not sent yet")
    assert team_on_server(sheet)[ALICE_SUBMITTED]["status"] == "REJECTED"
    crash(tab)

    open_acme(sheet, "carol")
    the_row = row(sheet, ALICE_SUBMITTED)
    expect(the_row.locator(".decision-state")).to_have_text("Returned.")
    expect(the_row.locator(".decision-message")).to_have_text("")
    expect(the_row).to_have_attribute("data-status", "REJECTED")
    first, second = server_review_items(sheet)
    assert first == second  # the same decision, at the same version
    assert stored_decisions(sheet.page) == {}
    on_server = team_on_server(sheet)[ALICE_SUBMITTED]
    assert (on_server["version"], on_server["review"]["comment"]) == (3, "Add a number")


def test_an_open_tab_sends_the_decisions_of_a_tab_that_crashes(sheet: Sheet) -> None:
    """Tab B is open when tab A queues a decision and crashes: B takes it over and sends it."""
    open_acme(sheet, "carol")
    tab_b = sheet.page
    open_acme(sheet, "carol")
    tab_a = sheet.page
    decide(sheet, ALICE_SUBMITTED, "Return", "Add a number")
    assert len(stored_decisions(tab_a)) == 1
    crash(tab_a)

    sheet.switch_to(tab_b)
    the_row = row(sheet, ALICE_SUBMITTED)
    expect(the_row).to_have_attribute("data-status", "REJECTED")
    expect(the_row.locator(".decision-state")).to_have_text("Returned.")
    assert [[i["comment"] for i in items] for items in server_review_items(sheet)] == [
        ["Add a number"]
    ]
    assert stored_decisions(tab_b) == {}

"""The goal sheet stays accessible: axe-core finds no serious or critical violation on the
sign-in page, the employee's sheet or the supervisor's view (docs/goal-sheet.md).

axe-core comes from tests/conformance's pinned lock file (`npm ci --prefix tests/conformance`,
which `make pytest` runs) and is injected into the page, so the check sees only the page's DOM
as the built sheet (clients/typescript/sheet/) makes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.web.sheet import Sheet, expect, goal_id
from tests.web.test_review_sheet import ALICE_SUBMITTED, open_acme, open_history, row, submit_all

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

AXE = Path(__file__).resolve().parents[1] / "conformance/node_modules/axe-core/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# Every rule axe runs by default (all WCAG levels and best practices); only violations are
# reported in full. `passes` still lists the rules that passed, which shows axe really ran.
RUN_AXE = """
async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return {
    passes: results.passes.length,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
    })),
  };
}
"""


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """As conftest's, but with the page's Content-Security-Policy bypassed: it forbids inline
    scripts, and axe-core is injected as one (the sheet's own scripts run as they always do)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    try:
        yield ctx
    finally:
        ctx.close()


def run_clock(page: Page) -> None:
    """Page time runs as a user's does: axe-core waits on timers, which the sheet's paused
    clock (tests/web/sheet.py) would never fire. Saves then start after real quiet, not tick()."""
    page.clock.resume()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each:
    rule id, impact, what it asks, and the elements (CSS selectors) that break it."""
    assert AXE.is_file(), "run `npm ci --prefix tests/conformance` (make test does)"
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=AXE)
    assert page.evaluate("typeof window.axe.run") == "function", "axe-core was not injected"
    results: dict[str, Any] = page.evaluate(RUN_AXE)
    assert results["passes"] > 0, "axe-core checked nothing"
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']}: {n['summary']}" for n in v["nodes"])
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


def assert_accessible(page: Page, where: str) -> None:
    violations = serious_violations(page)
    assert violations == [], f"axe-core on {where}:\n" + "\n".join(violations)


def test_sign_in_page(sheet: Sheet) -> None:
    page = sheet.open(user=None)
    run_clock(page)
    expect(page.get_by_label("Demo user")).to_be_visible()  # the dev server's picker
    assert_accessible(page, "the sign-in page")

    page.get_by_label("Access token (paste a JWT)").fill("not-a-token")
    page.get_by_role("button", name="Sign in with token").click()
    expect(page.locator("#sign-in-error")).to_contain_text("UNAUTHENTICATED", ignore_case=True)
    assert_accessible(page, "the sign-in page with a refused token")


def test_employee_sheet(sheet: Sheet) -> None:
    """Alice's sheet as loaded (drafts, a returned goal with its review, a submitted one), then
    with a new goal, a failed save with its toast and field error, and a history panel open."""
    page = sheet.open("alice")
    run_clock(page)
    expect(sheet.card("alice-perf-rejected").locator(".review-note")).to_be_visible()
    assert_accessible(page, "the employee's sheet")

    sheet.add("COMPETENCY")
    sheet.fill("alice-perf-2", "Title", "x" * 201)
    sheet.fill("alice-core-1", "Core value plan", "Mentor two new hires")
    sheet.expect_state("alice-perf-2", "error")
    sheet.expect_state("alice-core-1", "saved")
    expect(sheet.toast("alice-perf-2").get_by_role("button", name="Retry")).to_be_visible()
    expect(sheet.card("alice-perf-2").locator(".field-error", has_text="200")).to_be_visible()
    open_history(sheet.card("alice-perf-1"))
    assert_accessible(page, "the employee's sheet with a failed save and a history panel")


def test_supervisor_view(sheet: Sheet) -> None:
    """Carol's own sheet and her team's goals: submitted ones to decide, drafts listed, then a
    return refused for want of a comment, an approval sent and a history panel open."""
    submit_all(sheet, "bob")
    open_acme(sheet, "carol")
    run_clock(sheet.page)
    team = sheet.page.get_by_role("region", name="Team goals")
    expect(team.locator(".decision:visible")).to_have_count(3)
    assert_accessible(sheet.page, "the supervisor's view")

    bob_perf = row(sheet, goal_id("bob", "bob-perf-1"))
    bob_perf.get_by_role("button", name=re.compile("^Return ")).click()
    expect(bob_perf.locator(".field-error")).to_contain_text("Write a comment")
    row(sheet, ALICE_SUBMITTED).get_by_role("button", name=re.compile("^Approve ")).click()
    # Sent after the real debounce (the clock runs): the row then shows carol's review.
    expect(row(sheet, ALICE_SUBMITTED)).to_have_attribute("data-status", "APPROVED")
    open_history(bob_perf)
    assert_accessible(sheet.page, "the supervisor's view with a refused return and an approval")

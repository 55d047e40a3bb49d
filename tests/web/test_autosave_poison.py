"""The page's auto-save is never poisoned by one bad patch (issue 13, point 5), in Chromium.

The tests import the saver and client the sheet runs (`/web/client.js`: @goalpost/client and
the sheet's SheetApi, built from clients/typescript/) into a page of the live server, so the
saver talks to the real server exactly as the sheet's does; the cards cannot type a field their
category lacks, but any other caller of `edit` can.
"""

from __future__ import annotations

from typing import Any

from goalpost.testing import demo_token
from tests.conftest import ACME_ACTIVE
from tests.web.sheet import Sheet, expect

# A saver for alice's active acme period, on the page's real timers, with her goals tracked.
# A test's steps (using saver, attempt and state) replace STEPS and return what they saw; the
# page's CSP forbids eval, so they are part of the evaluated function itself.
HARNESS = """
async ([token, periodId]) => {
  const { AutoSaver, SheetApi } = await import("/web/client.js");
  const saver = new AutoSaver(new SheetApi(token), { orgSlug: "acme", periodId });
  await saver.load();
  // The goal's own category: what the sheet's card passes (a wrong one is refused by name).
  const edit = (key, patch) => saver.edit(key, saver.state(key).category, patch);
  const attempt = (fn) => {
    try {
      fn();
      return "no error";
    } catch (error) {
      return `${error.name}: ${error.message}`;
    }
  };
  const state = (key) => {
    const { state, message, unsaved } = saver.state(key);
    return { state, message, unsaved };
  };
  STEPS
}
"""


def run_in_page(sheet: Sheet, steps: str) -> Any:
    page = sheet.context.new_page()
    page.on("pageerror", lambda error: sheet.page_errors.append(str(error)))
    page.goto(sheet.server.url)
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    token = demo_token(sheet.server.settings, "alice")
    return page.evaluate(HARNESS.replace("STEPS", steps), [token, ACME_ACTIVE])


def test_a_patch_the_server_would_refuse_throws_at_once(sheet: Sheet) -> None:
    seen = run_in_page(
        sheet,
        """
        const refused = [
          attempt(() => edit("alice-core-1", { actionPlan: "a competency field" })),
          attempt(() => edit("alice-core-1", { coreValuePlan: 5 })),
          attempt(() => edit("alice-perf-1", { weight: "ten" })),
          attempt(() => edit("alice-perf-1", { weight: NaN })),
          attempt(() => edit("alice-comp-1", { competencyIds: "c1" })),
          attempt(() => saver.add("CORE_VALUE", { title: "a performance field" })),
        ];
        const untouched = state("alice-core-1");
        const keys = saver.keys().length;
        edit("alice-core-1", { coreValuePlan: "Mentor two new hires" });
        edit("alice-perf-1", { weight: 40 });
        await saver.flush();
        const core = state("alice-core-1");
        return { refused, untouched, keys, core, perf: state("alice-perf-1") };
        """,
    )
    refused = seen["refused"]
    assert [r.split(":")[0] for r in refused] == [
        "RangeError",
        "TypeError",
        "TypeError",
        "TypeError",
        "TypeError",
        "RangeError",
    ]
    assert "CORE_VALUE goals have no field actionPlan" in refused[0]
    assert seen["untouched"] == {"state": "idle", "message": None, "unsaved": {}}
    assert seen["keys"] == 6  # the refused add recorded nothing
    assert seen["core"]["state"] == seen["perf"]["state"] == "saved"
    (batch,) = sheet.server_batches()  # nothing of the refused patches went out
    assert [i["clientId"] for i in batch["items"]] == ["alice-core-1", "alice-perf-1"]


def test_an_item_the_server_refuses_as_bad_input_fails_alone(sheet: Sheet) -> None:
    """A goal type the server does not know passes the page's check (a string) and makes the
    server refuse the whole request: that goal alone goes to `error`, and the others are saved
    by exactly one more request."""
    seen = run_in_page(
        sheet,
        """
        edit("alice-core-1", { coreValuePlan: "Mentor two new hires" });
        edit("alice-perf-1", { goalType: "BOGUS", title: "Typed with the bad type" });
        const added = saver.add("COMPETENCY", { actionPlan: "Pair weekly" });
        await saver.flush();
        const first = {
          core: state("alice-core-1"), perf: state("alice-perf-1"), added: state(added),
        };
        edit("alice-perf-1", { goalType: "QUALITATIVE" });
        await saver.flush();
        return { added, first, fixed: state("alice-perf-1") };
        """,
    )
    first = seen["first"]
    assert first["core"]["state"] == first["added"]["state"] == "saved"
    assert first["perf"]["state"] == "error"
    assert "performance.goalType" in first["perf"]["message"]
    assert first["perf"]["unsaved"] == {"goalType": "BOGUS", "title": "Typed with the bad type"}
    assert seen["fixed"]["state"] == "saved"

    refused, resent, fix = sheet.server_batches()
    assert [i["clientId"] for i in refused["items"]] == [
        "alice-core-1",
        "alice-perf-1",
        seen["added"],
    ]
    assert [i["clientId"] for i in resent["items"]] == ["alice-core-1", seen["added"]]
    assert [i["clientId"] for i in fix["items"]] == ["alice-perf-1"]
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    assert saved["alice-perf-1"]["title"] == "Typed with the bad type"
    assert saved["alice-perf-1"]["goalType"] == "QUALITATIVE"
    assert saved["alice-core-1"]["coreValuePlan"] == "Mentor two new hires"
    assert saved[seen["added"]]["actionPlan"] == "Pair weekly"

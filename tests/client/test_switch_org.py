"""Org switching: pending edits land in the old org first, nothing reaches it afterwards."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from goalpost.client import AutoSaver, GoalpostClient, SaverClosed
from goalpost.testing import LiveServer, RecordedRequest, VirtualClock
from tests.client.conftest import saver_on
from tests.conftest import ACME_ACTIVE, GLOBEX_ACTIVE


def org_of(request: RecordedRequest) -> str | None:
    variables = request.variables
    if "input" in variables:
        return str(variables["input"]["orgSlug"])
    return variables.get("slug")


async def titles(client: GoalpostClient, org: str, period: str) -> set[str]:
    return {str(g.fields.get("title")) for g in await client.my_goals(org, period)}


async def test_switch_org_flushes_the_old_org_then_clears_the_cache(
    server: LiveServer, client_for: Callable[..., GoalpostClient], clock: VirtualClock
) -> None:
    carol = client_for("carol")
    await carol.organization("acme")
    acme_saver = saver_on(carol, clock)
    typed = acme_saver.add("PERFORMANCE", {"title": "Typed in acme just before the switch"})
    server.recorder.clear()

    globex = await carol.switch_org("globex")  # the edit is still inside its debounce window

    assert [(r.operation, org_of(r)) for r in server.recorder.graphql()] == [
        ("BatchSaveGoals", "acme"),
        ("Organization", "globex"),
    ]
    assert acme_saver.closed and acme_saver.state(typed).state == "saved"
    assert carol.cached_orgs == ["globex"] and carol.current_org == "globex"
    assert globex.slug == "globex"
    with pytest.raises(SaverClosed):
        acme_saver.edit(typed, "PERFORMANCE", {"title": "Too late for acme"})

    switched_at = len(server.recorder.graphql())
    globex_saver = AutoSaver(carol, "globex", GLOBEX_ACTIVE, clock=clock.now, sleep=clock.sleep)
    globex_saver.add("PERFORMANCE", {"title": "Typed in globex after the switch"})
    await clock.advance(0.8)
    await globex_saver.settle()

    after = server.recorder.graphql()[switched_at:]
    assert [(r.operation, org_of(r)) for r in after] == [("BatchSaveGoals", "globex")]
    assert "Typed in acme just before the switch" in await titles(carol, "acme", ACME_ACTIVE)
    globex_titles = await titles(carol, "globex", GLOBEX_ACTIVE)
    assert "Typed in globex after the switch" in globex_titles
    assert "Typed in acme just before the switch" not in globex_titles
    assert "Too late for acme" not in await titles(carol, "acme", ACME_ACTIVE)

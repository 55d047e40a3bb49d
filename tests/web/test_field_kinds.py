"""Every declared field, of every kind, through the goal sheet in Chromium: the page offers a
control for it, what the person enters there is saved, and the server holds it. A kind the
sheet cannot show or enter fails here (or at import of goalpost/sheet.py), never silently."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from goalpost.domain.goal_fields import CATEGORY_FIELDS, FieldKind, GoalField, camel
from goalpost.models import GoalCategory
from tests.conftest import ACME_ACTIVE
from tests.field_kinds import every_kind_is_declared, sample, shown
from tests.web.sheet import Sheet, expect

Enter = Callable[[Sheet, str, GoalField, Any], None]


def type_text(sheet: Sheet, key: str, f: GoalField, value: Any) -> None:
    sheet.fill(key, f.label, value)


def choose(sheet: Sheet, key: str, f: GoalField, value: Any) -> None:
    sheet.field(key, f.label).select_option(value)


def pick_competencies(sheet: Sheet, key: str, f: GoalField, value: Any) -> None:
    names = {c["id"]: c["name"] for c in competencies(sheet)}
    picker = sheet.card(key).locator("fieldset.competency-pick")
    expect(picker.locator("legend")).to_have_text(f.label)
    for competency_id in value:
        picker.get_by_label(names[competency_id]).check()


def pick_ideal_actions(sheet: Sheet, key: str, f: GoalField, value: Any) -> None:
    for selection in value:
        for action in selection["actions"]:
            sheet.card(key).get_by_label(action).check()


# How a person enters a value of each kind on the sheet.
ENTER: dict[FieldKind, Enter] = {
    FieldKind.TITLE: type_text,
    FieldKind.TEXT: type_text,
    FieldKind.GOAL_TYPE: choose,
    FieldKind.COMPETENCY_IDS: pick_competencies,
    FieldKind.IDEAL_ACTIONS: pick_ideal_actions,
}


def competencies(sheet: Sheet) -> list[dict[str, Any]]:
    body = sheet.graphql("alice", '{ organization(slug: "acme") { competencies { id name } } }', {})
    found: list[dict[str, Any]] = body["data"]["organization"]["competencies"]
    return found


def test_the_sheet_offers_saves_and_shows_every_field(sheet: Sheet) -> None:
    every_kind_is_declared()
    sheet.open("alice")
    keys = {category: sheet.add(category.value) for category in GoalCategory}
    for category, key in keys.items():
        for f in CATEGORY_FIELDS[category]:
            ENTER[f.kind](sheet, key, f, sample(f).graphql)
    sheet.tick(800)
    for key in keys.values():
        sheet.expect_state(key, "saved")
    saved = sheet.goals_by_client_id("alice", "acme", ACME_ACTIVE)
    for category, key in keys.items():
        held = {camel(f.name): saved[key][camel(f.name)] for f in CATEGORY_FIELDS[category]}
        assert held == shown(category), category
    assert sheet.page_errors == []

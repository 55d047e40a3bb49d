"""Every category field of a goal, declared once.

The patch validation (batch/patches), the GraphQL patch inputs and goal types, the REST patch
models and the client's GraphQL documents are built from this table; the goal sheet and the
database model are checked against it by tests. Adding a field starts here
(docs/changing.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from goalpost.domain.enums import GoalCategory


class FieldKind(StrEnum):
    """What a field holds; each adapter maps a kind to its own type."""

    TITLE = "TITLE"  # one line, at most TITLE_MAX characters
    TEXT = "TEXT"  # free text, at most TEXT_MAX characters
    GOAL_TYPE = "GOAL_TYPE"  # a GoalType
    COMPETENCY_IDS = "COMPETENCY_IDS"  # ids of the org's competencies
    IDEAL_ACTIONS = "IDEAL_ACTIONS"  # per competency id, a subset of its ideal actions


Table = TypeVar("Table", bound=Mapping[Any, Any])


def for_every_kind(table: Table, surface: str) -> Table:
    """A surface's table of how it handles each kind, refused at import when a kind is
    missing: a field of that kind would otherwise be dropped or mishandled at run time."""
    missing = [kind.value for kind in FieldKind if kind not in table]
    if missing:
        raise NotImplementedError(f"{surface} cannot handle field kinds: {', '.join(missing)}")
    return table


TITLE_MAX = 200
TEXT_MAX = 5000
ACTION_MAX = 500
LIST_MAX = 50


@dataclass(frozen=True)
class GoalField:
    name: str  # the domain name: the column, the REST key; GraphQL spells it in camelCase
    category: GoalCategory
    kind: FieldKind
    label: str  # what the goal sheet shows next to it
    description: str | None = None


PERFORMANCE, COMPETENCY, CORE_VALUE = GoalCategory  # short names for the table below

GOAL_FIELDS: tuple[GoalField, ...] = (
    GoalField("title", PERFORMANCE, FieldKind.TITLE, "Title"),
    GoalField("goal_type", PERFORMANCE, FieldKind.GOAL_TYPE, "Goal type"),
    GoalField("specific_goal", PERFORMANCE, FieldKind.TEXT, "Specific goal"),
    GoalField("achievement_criteria", PERFORMANCE, FieldKind.TEXT, "Achievement criteria"),
    GoalField("means_methods", PERFORMANCE, FieldKind.TEXT, "Means and methods"),
    GoalField("competency_ids", COMPETENCY, FieldKind.COMPETENCY_IDS, "Competencies"),
    GoalField(
        "selected_ideal_actions",
        COMPETENCY,
        FieldKind.IDEAL_ACTIONS,
        "Ideal actions",
        "Per competency of the goal, the chosen ideal actions.",
    ),
    GoalField("action_plan", COMPETENCY, FieldKind.TEXT, "Action plan"),
    GoalField("core_value_plan", CORE_VALUE, FieldKind.TEXT, "Core value plan"),
)

CATEGORY_FIELDS: dict[GoalCategory, tuple[GoalField, ...]] = {
    category: tuple(f for f in GOAL_FIELDS if f.category is category) for category in GoalCategory
}


def category_key(category: GoalCategory) -> str:
    """The domain name of a category's patch: `performance`, `competency`, `core_value`."""
    return category.value.lower()


def category_title(category: GoalCategory) -> str:
    """PERFORMANCE → Performance, CORE_VALUE → CoreValue: the stem of type names."""
    return "".join(part.title() for part in category.value.split("_"))


def camel(name: str) -> str:
    """`core_value_plan` → `coreValuePlan`: how GraphQL and the client spell domain names."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)

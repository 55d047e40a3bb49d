"""Every category field of a goal, declared once.

The patch validation (batch/patches), the GraphQL patch inputs and goal types, the REST patch
models and the client's GraphQL documents are built from this table; the goal sheet and the
database model are checked against it by tests. Adding a field starts here (README,
"Changing the code").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from goalpost.models import GoalCategory


class FieldKind(StrEnum):
    """What a field holds; each adapter maps a kind to its own type."""

    TITLE = "TITLE"  # one line, at most TITLE_MAX characters
    TEXT = "TEXT"  # free text, at most TEXT_MAX characters
    GOAL_TYPE = "GOAL_TYPE"  # a GoalType
    COMPETENCY_IDS = "COMPETENCY_IDS"  # ids of the org's competencies
    IDEAL_ACTIONS = "IDEAL_ACTIONS"  # per competency id, a subset of its ideal actions


TITLE_MAX = 200
TEXT_MAX = 5000
ACTION_MAX = 500
LIST_MAX = 50


@dataclass(frozen=True)
class GoalField:
    name: str  # the domain name: the column, the REST key; GraphQL spells it in camelCase
    category: GoalCategory
    kind: FieldKind
    description: str | None = None


GOAL_FIELDS: tuple[GoalField, ...] = (
    GoalField("title", GoalCategory.PERFORMANCE, FieldKind.TITLE),
    GoalField("goal_type", GoalCategory.PERFORMANCE, FieldKind.GOAL_TYPE),
    GoalField("specific_goal", GoalCategory.PERFORMANCE, FieldKind.TEXT),
    GoalField("achievement_criteria", GoalCategory.PERFORMANCE, FieldKind.TEXT),
    GoalField("means_methods", GoalCategory.PERFORMANCE, FieldKind.TEXT),
    GoalField("competency_ids", GoalCategory.COMPETENCY, FieldKind.COMPETENCY_IDS),
    GoalField(
        "selected_ideal_actions",
        GoalCategory.COMPETENCY,
        FieldKind.IDEAL_ACTIONS,
        "Per competency of the goal, the chosen ideal actions.",
    ),
    GoalField("action_plan", GoalCategory.COMPETENCY, FieldKind.TEXT),
    GoalField("core_value_plan", GoalCategory.CORE_VALUE, FieldKind.TEXT),
)

CATEGORY_FIELDS: dict[GoalCategory, tuple[GoalField, ...]] = {
    category: tuple(f for f in GOAL_FIELDS if f.category is category) for category in GoalCategory
}


def category_key(category: GoalCategory) -> str:
    """The domain name of a category's patch: `performance`, `competency`, `core_value`."""
    return category.value.lower()


def camel(name: str) -> str:
    """`core_value_plan` → `coreValuePlan`: how GraphQL and the client spell domain names."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)

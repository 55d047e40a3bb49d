"""What a patch of each category may hold, derived from the goal field declarations.

A field the category does not have, or a value of the wrong type, would make the server refuse
the whole `batchSaveGoals` request (BAD_USER_INPUT): every goal of the cycle would fail with it,
and every later cycle too. So `add`/`edit` refuse such a patch at once, at the call site, and
nothing of it is recorded. Only the shape is checked here (the GraphQL input types); values the
server judges (lengths, weight range, enum values, competency ids) stay the server's, item by
item — an enum value the server does not know still fails only its own goal (transport).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from goalpost.client.models import Category, Goal
from goalpost.domain.enums import GoalCategory
from goalpost.domain.goal_fields import CATEGORY_FIELDS, FieldKind, camel, for_every_kind


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _ids(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(_id(v) for v in value)


def _id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _selections(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(
        isinstance(s, Mapping)
        and set(s) == {"competencyId", "actions"}
        and _id(s["competencyId"])
        and isinstance(s["actions"], list | tuple)
        and all(isinstance(a, str) for a in s["actions"])
        for s in value
    )


def _weight(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int too large for a GraphQL Float
        return False


# What each kind accepts (besides null, which clears a field), and how to say it.
KINDS: dict[FieldKind | None, tuple[Callable[[Any], bool], str]] = for_every_kind(
    {
        FieldKind.TITLE: (_text, "a string"),
        FieldKind.TEXT: (_text, "a string"),
        FieldKind.GOAL_TYPE: (_text, "a GoalType name (a string)"),
        FieldKind.COMPETENCY_IDS: (_ids, "a list of competency ids"),
        FieldKind.IDEAL_ACTIONS: (
            _selections,
            'a list of {"competencyId": id, "actions": [str, ...]}',
        ),
        None: (_weight, "a finite number"),  # weight: in every category, not a declared field
    },
    "the Python client's patch check",
)

# Each category's patch fields by API name, with their kind (None: the weight).
PATCH_FIELDS: dict[str, dict[str, FieldKind | None]] = {
    category.value: {"weight": None, **{camel(f.name): f.kind for f in fields}}
    for category, fields in CATEGORY_FIELDS.items()
}


def check_patch(category: Category | GoalCategory, patch: Mapping[str, Any]) -> None:
    """Raise ValueError for a field the category lacks, TypeError for a wrongly typed value.

    `patch` uses API names (it has been through `normalize_patch`).
    """
    fields = PATCH_FIELDS[str(category)]
    for name, value in patch.items():
        if name not in fields:
            raise ValueError(
                f"{category} goals have no field {name!r}; their fields are: {', '.join(fields)}"
            )
        accepts, expected = KINDS[fields[name]]
        if value is not None and not accepts(value):
            raise TypeError(
                f"{name} of a {category} goal takes {expected} or None, "
                f"not {type(value).__name__} {value!r:.60}"
            )


def _same(field_name: str, sent: Any, have: Any) -> bool:
    if field_name == "selectedIdealActions":

        def norm(value: Any) -> dict[str, list[str]]:
            return {str(s["competencyId"]): sorted(s["actions"]) for s in value or ()}

        return norm(sent) == norm(have)
    if field_name == "weight":
        return sent is not None and float(sent) == float(have)
    if isinstance(sent, list | tuple):
        return list(sent) == list(have or ())
    return bool(sent == have)


def unapplied(patch: Mapping[str, Any], goal: Goal) -> dict[str, Any]:
    """The part of the patch the goal does not hold yet."""
    return {
        name: value
        for name, value in patch.items()
        if not _same(name, value, goal.weight if name == "weight" else goal.fields.get(name))
    }


def patch_applied(patch: Mapping[str, Any], goal: Goal) -> bool:
    """True when the goal already holds every value of the patch.

    After a lost response the resend of an update conflicts with our own write; this tells that
    case apart from a real conflict with someone else's change.
    """
    return not unapplied(patch, goal)

"""A value of every field kind, as each surface takes it and as GraphQL shows it back: the
table the kind-walk tests (tests/test_field_kinds.py, tests/client/, tests/web/) run every
declared field through. A kind missing here fails those tests (KeyError), never silently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goalpost.domain.goal_fields import CATEGORY_FIELDS, FieldKind, GoalField, camel
from goalpost.models import GoalCategory
from goalpost.services.demo import demo_id

COMMUNICATION = str(demo_id("competency", "acme", "Communication"))
ACTION = "Writes clear summaries"  # one of Communication's ideal actions


@dataclass(frozen=True)
class Sample:
    graphql: Any  # as a GraphQL patch (and the Python client) takes it
    rest: Any  # as the REST twin takes it
    shown: Any  # as GraphQL shows it back (the client's GoalFields fragment)


def text_sample(f: GoalField) -> Sample:
    value = f"{f.label} for the kind walk"
    return Sample(value, value, value)


SAMPLES = {
    FieldKind.TITLE: text_sample,
    FieldKind.TEXT: text_sample,
    FieldKind.GOAL_TYPE: lambda f: Sample("QUALITATIVE", "QUALITATIVE", "QUALITATIVE"),
    FieldKind.COMPETENCY_IDS: lambda f: Sample([COMMUNICATION], [COMMUNICATION], [COMMUNICATION]),
    FieldKind.IDEAL_ACTIONS: lambda f: Sample(
        [{"competencyId": COMMUNICATION, "actions": [ACTION]}],
        {COMMUNICATION: [ACTION]},
        [{"competencyId": COMMUNICATION, "actions": [ACTION]}],
    ),
}


def sample(f: GoalField) -> Sample:
    return SAMPLES[f.kind](f)


def every_kind_is_declared() -> None:
    """A kind no field uses would walk through nothing: the walk must see every kind."""
    used = {f.kind for fields in CATEGORY_FIELDS.values() for f in fields}
    assert used == set(FieldKind), f"kinds no field uses: {set(FieldKind) - used}"


def graphql_patch(category: GoalCategory) -> dict[str, Any]:
    return {camel(f.name): sample(f).graphql for f in CATEGORY_FIELDS[category]}


def rest_patch(category: GoalCategory) -> dict[str, Any]:
    return {f.name: sample(f).rest for f in CATEGORY_FIELDS[category]}


def shown(category: GoalCategory) -> dict[str, Any]:
    return {camel(f.name): sample(f).shown for f in CATEGORY_FIELDS[category]}


def patch_key(category: GoalCategory) -> str:
    """The batch item's key for a category's patch in GraphQL (`coreValue`)."""
    return camel(category.value.lower())

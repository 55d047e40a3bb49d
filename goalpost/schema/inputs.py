"""Inputs of the write API, built from the goal field declarations (domain/goal_fields).

`Maybe` keeps "left out" (None) apart from "sent as null" (Some(None)): patch semantics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.types.arguments import InputContext

from goalpost.domain.goal_fields import (
    CATEGORY_FIELDS,
    FieldKind,
    camel,
    category_key,
    category_title,
    for_every_kind,
)
from goalpost.models import GoalCategory
from goalpost.schema.enums import GoalReviewDecision, GoalType
from goalpost.services.batch import ErrorPolicy, GoalBatchItem, GoalPatch
from goalpost.services.batch.review import GoalReviewItem

strawberry.enum(ErrorPolicy, name="GoalBatchErrorPolicy")


@strawberry.input
class IdealActionSelectionInput:
    competency_id: strawberry.ID
    actions: list[str]


# The GraphQL input type of each kind of field.
INPUT_TYPES: dict[FieldKind, Any] = for_every_kind(
    {
        FieldKind.TITLE: str,
        FieldKind.TEXT: str,
        FieldKind.GOAL_TYPE: GoalType,
        FieldKind.COMPETENCY_IDS: list[strawberry.ID],
        FieldKind.IDEAL_ACTIONS: list[IdealActionSelectionInput],
    },
    "GraphQL inputs",
)


def _patch_input(category: GoalCategory) -> type:
    maybe: Any = strawberry.Maybe  # applied to types known at run time only
    annotations: dict[str, Any] = {"weight": maybe[float | None]}
    namespace: dict[str, Any] = {}
    for f in CATEGORY_FIELDS[category]:
        annotations[f.name] = maybe[INPUT_TYPES[f.kind] | None]
        if f.description:
            namespace[f.name] = strawberry.field(description=f.description)
    namespace["__annotations__"] = annotations
    return strawberry.input(type(f"{category_title(category)}PatchInput", (), namespace))


PATCH_INPUTS: dict[GoalCategory, type] = {c: _patch_input(c) for c in GoalCategory}


def _batch_item_input() -> type:
    annotations: dict[str, Any] = {
        "client_id": str,
        "id": strawberry.ID | None,
        "expected_version": int | None,
        "delete": bool | None,
    }
    namespace: dict[str, Any] = {
        "client_id": strawberry.field(
            description="The client's key for this item, echoed in its result; for a create "
            "also the idempotency key (a resent create updates the goal it created)."
        ),
        "id": None,
        "expected_version": None,
        "delete": False,
    }
    for category, patch_input in PATCH_INPUTS.items():
        annotations[category_key(category)] = patch_input | None
        namespace[category_key(category)] = None
    namespace["__annotations__"] = annotations
    return strawberry.input(
        type("GoalBatchItemInput", (), namespace),
        description="One goal edit: a create (no id), an update (id) or a delete.",
    )


GoalBatchItemInput: Any = _batch_item_input()


# Per category: the GraphQL name of each patch input field → its domain name.
PATCH_FIELD_NAMES: dict[GoalCategory, dict[str, str]] = {
    category: {"weight": "weight", **{camel(f.name): f.name for f in fields}}
    for category, fields in CATEGORY_FIELDS.items()
}
PATCH_KEYS = tuple((category, camel(category_key(category))) for category in GoalCategory)
IDEAL_ACTION_FIELDS = frozenset(
    f.name
    for fields in CATEGORY_FIELDS.values()
    for f in fields
    if f.kind is FieldKind.IDEAL_ACTIONS
)


def _sent_values(category: GoalCategory, sent: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the client sent, by domain name; null stays None. graphql-core leaves a
    field the client left out (these have no default) out of `sent`: patch semantics."""
    names = PATCH_FIELD_NAMES[category]
    values: dict[str, Any] = {}
    for key, value in sent.items():
        name = names[key]
        if name in IDEAL_ACTION_FIELDS and value is not None:
            value = {s["competencyId"]: s["actions"] for s in value}
        values[name] = value
    return values


def item_from_input(cls: type, value: Mapping[str, Any], context: InputContext) -> GoalBatchItem:
    """A GoalBatchItemInput, as graphql-core coerced it (GraphQL names, plain values, enum
    members), straight to the core's typed item.

    Strawberry's own conversion built an input object per item and per patch, and a `Some`
    per sent field, resolving every field's annotation on the way: the largest cost of a
    batch after the result (bench/, "Benchmarks"). The core's item is what the resolvers
    want anyway, so it is built once, here.
    """
    return GoalBatchItem(
        client_id=value["clientId"],
        id=value.get("id"),
        expected_version=value.get("expectedVersion"),
        delete=bool(value.get("delete")),
        patches=tuple(
            GoalPatch(category, _sent_values(category, sent))
            for category, key in PATCH_KEYS
            if (sent := value.get(key)) is not None
        ),
    )


# Strawberry's hook for input types that build their own value (StrawberryObjectDefinition
# .from_input): the resolvers get GoalBatchItems where the annotation says GoalBatchItemInput.
GoalBatchItemInput.__strawberry_definition__.from_input = item_from_input


@strawberry.input
class BatchSaveGoalsInput:
    org_slug: str
    period_id: strawberry.ID
    items: list[GoalBatchItemInput]
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID


@strawberry.input
class SaveGoalInput:
    org_slug: str
    period_id: strawberry.ID
    item: GoalBatchItemInput


@strawberry.input(description="One decision on one submitted goal of a direct report.")
class GoalReviewItemInput:
    client_id: str
    goal_id: strawberry.ID
    decision: GoalReviewDecision
    expected_version: int | None = None
    comment: str | None = strawberry.field(
        default=None, description="Required (non-blank) to RETURN; at most 2000 characters."
    )


@strawberry.input
class ReviewGoalsInput:
    org_slug: str
    period_id: strawberry.ID
    items: list[GoalReviewItemInput]
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID


def review_item_from_input(item: GoalReviewItemInput) -> GoalReviewItem:
    return GoalReviewItem(
        client_id=item.client_id,
        goal_id=str(item.goal_id),
        decision=item.decision,
        expected_version=item.expected_version,
        comment=item.comment,
    )

"""Inputs of the write API, built from the goal field declarations (services/goal_fields).

`Maybe` keeps "left out" (None) apart from "sent as null" (Some(None)): patch semantics.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from goalpost.models import GoalCategory
from goalpost.schema.enums import GoalReviewDecision, GoalType
from goalpost.services.batch import ErrorPolicy, GoalBatchItem, GoalPatch
from goalpost.services.batch.review import GoalReviewItem
from goalpost.services.goal_fields import CATEGORY_FIELDS, FieldKind, category_key, category_title

strawberry.enum(ErrorPolicy, name="GoalBatchErrorPolicy")


@strawberry.input
class IdealActionSelectionInput:
    competency_id: strawberry.ID
    actions: list[str]


# The GraphQL input type of each kind of field.
INPUT_TYPES: dict[FieldKind, Any] = {
    FieldKind.TITLE: str,
    FieldKind.TEXT: str,
    FieldKind.GOAL_TYPE: GoalType,
    FieldKind.COMPETENCY_IDS: list[strawberry.ID],
    FieldKind.IDEAL_ACTIONS: list[IdealActionSelectionInput],
}


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


# Each declared field's kind, by name: looked up for every sent field of every item.
FIELD_KINDS = {f.name: f.kind for fields in CATEGORY_FIELDS.values() for f in fields}


def _sent_values(patch: object) -> dict[str, Any]:
    """The fields the client sent, by domain name; null stays None."""
    sent: dict[str, Any] = {}
    for f in dataclasses.fields(patch):  # type: ignore[arg-type]
        maybe = getattr(patch, f.name)
        if maybe is None:
            continue  # left out
        value = maybe.value
        if FIELD_KINDS.get(f.name) is FieldKind.IDEAL_ACTIONS and value is not None:
            value = {s.competency_id: s.actions for s in value}
        sent[f.name] = value
    return sent


def item_from_input(item: Any) -> GoalBatchItem:
    """A GoalBatchItemInput as the core's typed item."""
    patches = tuple(
        GoalPatch(category, _sent_values(patch))
        for category in GoalCategory
        if (patch := getattr(item, category_key(category))) is not None
    )
    return GoalBatchItem(
        client_id=item.client_id,
        id=item.id,
        expected_version=item.expected_version,
        delete=bool(item.delete),
        patches=patches,
    )


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

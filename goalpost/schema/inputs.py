"""Inputs of the write API.

`Maybe` keeps "left out" (None) apart from "sent as null" (Some(None)): patch semantics.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from goalpost.schema.enums import GoalType
from goalpost.services.goal_batch import ErrorPolicy, GoalBatchItem

strawberry.enum(ErrorPolicy, name="GoalBatchErrorPolicy")


def sent_fields(patch: object) -> dict[str, Any]:
    """The fields the client sent, by snake_case name; null stays None."""
    sent = {}
    for f in dataclasses.fields(patch):  # type: ignore[arg-type]
        value = getattr(patch, f.name)
        if value is not None:
            sent[f.name] = value.value
    return sent


@strawberry.input
class PerformancePatchInput:
    weight: strawberry.Maybe[float | None]
    title: strawberry.Maybe[str | None]
    goal_type: strawberry.Maybe[GoalType | None]
    specific_goal: strawberry.Maybe[str | None]
    achievement_criteria: strawberry.Maybe[str | None]
    means_methods: strawberry.Maybe[str | None]


@strawberry.input
class IdealActionSelectionInput:
    competency_id: strawberry.ID
    actions: list[str]


@strawberry.input
class CompetencyPatchInput:
    weight: strawberry.Maybe[float | None]
    competency_ids: strawberry.Maybe[list[strawberry.ID] | None]
    selected_ideal_actions: strawberry.Maybe[list[IdealActionSelectionInput] | None] = (
        strawberry.field(description="Per competency of the goal, the chosen ideal actions.")
    )
    action_plan: strawberry.Maybe[str | None]


@strawberry.input
class CoreValuePatchInput:
    weight: strawberry.Maybe[float | None]
    core_value_plan: strawberry.Maybe[str | None]


@strawberry.input(description="One goal edit: a create (no id), an update (id) or a delete.")
class GoalBatchItemInput:
    client_id: str = strawberry.field(
        description="The client's key for this item, echoed in its result; for a create also "
        "the idempotency key (a resent create updates the goal it created)."
    )
    id: strawberry.ID | None = None
    expected_version: int | None = None
    delete: bool | None = False
    performance: PerformancePatchInput | None = None
    competency: CompetencyPatchInput | None = None
    core_value: CoreValuePatchInput | None = None

    def to_item(self) -> GoalBatchItem:
        patches: dict[str, dict[str, Any]] = {}
        if self.performance is not None:
            patches["performance"] = sent_fields(self.performance)
        if self.competency is not None:
            fields = sent_fields(self.competency)
            if fields.get("selected_ideal_actions") is not None:
                fields["selected_ideal_actions"] = {
                    s.competency_id: s.actions for s in fields["selected_ideal_actions"]
                }
            patches["competency"] = fields
        if self.core_value is not None:
            patches["coreValue"] = sent_fields(self.core_value)
        return GoalBatchItem(
            client_id=self.client_id,
            id=self.id,
            expected_version=self.expected_version,
            delete=bool(self.delete),
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

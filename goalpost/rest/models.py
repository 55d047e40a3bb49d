"""The REST twin's request and response models (Pydantic, snake_case).

The patch models are built from the goal field declarations (domain/goal_fields) and accept
loose values on purpose (any string length, any number): the item rules belong to the core, so
a too-long title is an entry of `failed`, not a 422. Only a body of the wrong shape is a 422,
and so is a key the models do not know: `expectedVersion` for `expected_version` was dropped
once, which skipped the version check.

JSON types are taken strictly (docs/http.md): a boolean is `true`/`false`, a number a JSON
number, an id a string. Coerced, `"delete": "yes"` deleted the goal and `"weight": "40"` saved
40. An enum is the one exception: the body reaches the models as parsed JSON, where an enum can
only be its name as a string, which strict mode would refuse (it wants the Python member).
"""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, create_model

from goalpost.domain.goal_fields import (
    CATEGORY_FIELDS,
    FieldKind,
    category_key,
    category_title,
    for_every_kind,
)
from goalpost.models import GoalCategory, GoalReviewDecision, GoalStatus, GoalType
from goalpost.services import batch
from goalpost.services.batch import ErrorPolicy, GoalPatch

# An enum of a JSON body is its name, a JSON string (see the module's docstring).
JSON_ENUM = pydantic.Strict(False)

# The request type of each kind of field: any length or content, but the right JSON type.
REQUEST_TYPES: dict[FieldKind, Any] = for_every_kind(
    {
        FieldKind.TITLE: str,
        FieldKind.TEXT: str,
        FieldKind.GOAL_TYPE: Annotated[GoalType, JSON_ENUM],
        FieldKind.COMPETENCY_IDS: list[str],
        FieldKind.IDEAL_ACTIONS: dict[str, list[str]],
    },
    "the REST models",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PatchBase(Strict):
    weight: float | None = None

    def sent(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


def _patch_model(category: GoalCategory) -> type[PatchBase]:
    fields: dict[str, Any] = {
        f.name: (REQUEST_TYPES[f.kind] | None, Field(default=None, description=f.description))
        for f in CATEGORY_FIELDS[category]
    }
    name = category_title(category) + "Patch"
    model: type[PatchBase] = create_model(name, __base__=PatchBase, **fields)
    return model


PATCH_MODELS: dict[GoalCategory, type[PatchBase]] = {c: _patch_model(c) for c in GoalCategory}
PerformancePatch = PATCH_MODELS[GoalCategory.PERFORMANCE]
CompetencyPatch = PATCH_MODELS[GoalCategory.COMPETENCY]
CoreValuePatch = PATCH_MODELS[GoalCategory.CORE_VALUE]


class GoalBatchItem(Strict):
    """A create (no id), an update (id) or a delete; a field left out of a patch is unchanged,
    null clears it."""

    client_id: str
    id: str | None = None
    expected_version: int | None = None
    delete: bool = False
    performance: PerformancePatch | None = None  # type: ignore[valid-type]
    competency: CompetencyPatch | None = None  # type: ignore[valid-type]
    core_value: CoreValuePatch | None = None  # type: ignore[valid-type]

    def to_item(self) -> batch.GoalBatchItem:
        patches = tuple(
            GoalPatch(category, patch.sent())
            for category in GoalCategory
            if (patch := getattr(self, category_key(category))) is not None
        )
        return batch.GoalBatchItem(
            client_id=self.client_id,
            id=self.id,
            expected_version=self.expected_version,
            delete=self.delete,
            patches=patches,
        )


class GoalBatchSaveRequest(Strict):
    period_id: str
    goals: list[GoalBatchItem]
    error_policy: Annotated[ErrorPolicy, JSON_ENUM] = ErrorPolicy.SAVE_VALID


class SavedGoal(BaseModel):
    client_id: str
    id: str
    version: int | None = Field(description="The goal's version after the save; null if deleted.")
    created: bool
    deleted: bool


class FieldErrorOut(BaseModel):
    field: str = Field(description="A path such as `core_value.core_value_plan`.")
    message: str


class FailedGoal(BaseModel):
    client_id: str
    code: str
    message: str
    retryable: bool
    field_errors: list[FieldErrorOut] = []


class WeightTotalsOut(BaseModel):
    performance: float
    competency: float
    core_value: float


class GoalBatchSaveResponse(BaseModel):
    saved: list[SavedGoal]
    failed: list[FailedGoal]
    weight_totals: WeightTotalsOut


class GoalReviewItem(Strict):
    """One decision on one submitted goal of a direct report; RETURN needs a comment."""

    client_id: str
    goal_id: str
    expected_version: int | None = None
    decision: Annotated[GoalReviewDecision, JSON_ENUM]
    comment: str | None = None

    def to_item(self) -> batch.GoalReviewItem:
        return batch.GoalReviewItem(
            client_id=self.client_id,
            goal_id=self.goal_id,
            decision=self.decision,
            expected_version=self.expected_version,
            comment=self.comment,
        )


class GoalBatchReviewRequest(Strict):
    period_id: str
    items: list[GoalReviewItem]
    error_policy: Annotated[ErrorPolicy, JSON_ENUM] = ErrorPolicy.SAVE_VALID


class ReviewedGoal(BaseModel):
    client_id: str
    goal_id: str
    status: GoalStatus
    version: int = Field(description="The goal's version after the review.")


class GoalBatchReviewResponse(BaseModel):
    reviewed: list[ReviewedGoal]
    failed: list[FailedGoal]


class ErrorBody(BaseModel):
    code: str
    message: str
    retryable: bool = False

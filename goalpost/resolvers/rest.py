"""The REST twin of batchSaveGoals: same guard, same service, Pydantic in and out.

Request models accept loose values on purpose (any string length, any number): the item
rules belong to the service, so a too-long title is an entry of `failed`, not a 422.
Only a body of the wrong shape is a 422, and so is a key the models do not know:
`expectedVersion` for `expected_version` was dropped, which skipped the version check.
Authentication comes before any of that (see `rest_deps`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from goalpost.models import GoalType
from goalpost.resolvers.mutations import save_batch
from goalpost.resolvers.rest_deps import (
    AuthenticatedGuard,
    AuthFirstRoute,
    RequestDb,
    json_object_body,
)
from goalpost.services import goal_batch
from goalpost.services.goal_batch import Deleted, ErrorPolicy, Problem, Saved

# Every route here takes a JSON object body, checked after authentication.
router = APIRouter(
    tags=["goals"], route_class=AuthFirstRoute, dependencies=[Depends(json_object_body)]
)


class _Patch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def sent(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class PerformancePatch(_Patch):
    weight: float | None = None
    title: str | None = None
    goal_type: GoalType | None = None
    specific_goal: str | None = None
    achievement_criteria: str | None = None
    means_methods: str | None = None


class CompetencyPatch(_Patch):
    weight: float | None = None
    competency_ids: list[str] | None = None
    selected_ideal_actions: dict[str, list[str]] | None = Field(
        default=None, description="Per competency id of the goal, the chosen ideal actions."
    )
    action_plan: str | None = None


class CoreValuePatch(_Patch):
    weight: float | None = None
    core_value_plan: str | None = None


class GoalBatchItem(BaseModel):
    """A create (no id), an update (id) or a delete; a field left out of a patch is unchanged,
    null clears it."""

    model_config = ConfigDict(extra="forbid")

    client_id: str
    id: str | None = None
    expected_version: int | None = None
    delete: bool = False
    performance: PerformancePatch | None = None
    competency: CompetencyPatch | None = None
    core_value: CoreValuePatch | None = None

    def to_item(self) -> goal_batch.GoalBatchItem:
        patches = {
            key: patch.sent()
            for key, patch in (
                ("performance", self.performance),
                ("competency", self.competency),
                ("coreValue", self.core_value),
            )
            if patch is not None
        }
        return goal_batch.GoalBatchItem(
            client_id=self.client_id,
            id=self.id,
            expected_version=self.expected_version,
            delete=self.delete,
            patches=patches,
        )


class GoalBatchSaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_id: str
    goals: list[GoalBatchItem]
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID


class SavedGoal(BaseModel):
    client_id: str
    id: str
    version: int | None = Field(description="The goal's version after the save; null if deleted.")
    created: bool
    deleted: bool


class FieldErrorOut(BaseModel):
    field: str
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


class ErrorBody(BaseModel):
    code: str
    message: str
    retryable: bool = False


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "BAD_REQUEST (the body is not a JSON object)"),
        (401, "UNAUTHENTICATED"),
        (404, "ORG_NOT_FOUND or PERIOD_NOT_FOUND"),
        (409, "PERIOD_CLOSED"),
        (413, "BATCH_TOO_LARGE"),
        (500, "INTERNAL (retryable: nothing was written)"),
    )
}


@router.post(
    "/org/{org_slug}/goals/batch-save",
    response_model=GoalBatchSaveResponse,
    responses=ERROR_RESPONSES,
    summary="Save many goal edits in one transaction",
)
async def batch_save(
    org_slug: str,
    body: GoalBatchSaveRequest,
    request: Request,
    db: RequestDb,
    guard: AuthenticatedGuard,
) -> GoalBatchSaveResponse:
    outcome = await save_batch(
        db=db,
        guard=guard,
        settings=request.app.state.settings,
        metrics=request.app.state.metrics,
        org_slug=org_slug,
        period_id=body.period_id,
        items=[g.to_item() for g in body.goals],
        error_policy=body.error_policy,
    )
    saved, failed = [], []
    for r in outcome.results:
        if isinstance(r, Saved):
            saved.append(
                SavedGoal(
                    client_id=r.client_id,
                    id=str(r.goal.id),
                    version=r.goal.version,
                    created=r.created,
                    deleted=False,
                )
            )
        elif isinstance(r, Deleted):
            saved.append(
                SavedGoal(
                    client_id=r.client_id, id=str(r.id), version=None, created=False, deleted=True
                )
            )
        elif isinstance(r, Problem):
            failed.append(
                FailedGoal(
                    client_id=r.client_id,
                    code=r.code.value,
                    message=r.message,
                    retryable=r.retryable,
                    field_errors=[
                        FieldErrorOut(field=e.field, message=e.message) for e in r.field_errors
                    ],
                )
            )
    totals = outcome.totals
    return GoalBatchSaveResponse(
        saved=saved,
        failed=failed,
        weight_totals=WeightTotalsOut(
            performance=float(totals.performance),
            competency=float(totals.competency),
            core_value=float(totals.core_value),
        ),
    )

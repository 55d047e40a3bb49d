"""The REST twin of batchSaveGoals: the same guard and core use case as GraphQL, Pydantic
in and out, snake_case paths. Authentication comes before the body (see rest/deps)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from goalpost.rest.deps import AuthenticatedScope, AuthFirstRoute, json_object_body
from goalpost.rest.models import (
    ErrorBody,
    FailedGoal,
    FieldErrorOut,
    GoalBatchReviewRequest,
    GoalBatchReviewResponse,
    GoalBatchSaveRequest,
    GoalBatchSaveResponse,
    ReviewedGoal,
    SavedGoal,
    WeightTotalsOut,
)
from goalpost.services import batch, requests

# Every route here takes a JSON object body, checked after authentication.
router = APIRouter(
    tags=["goals"], route_class=AuthFirstRoute, dependencies=[Depends(json_object_body)]
)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "BAD_REQUEST (the body is not a JSON object)"),
        (401, "UNAUTHENTICATED"),
        (404, "ORG_NOT_FOUND or PERIOD_NOT_FOUND"),
        (409, "PERIOD_CLOSED"),
        (413, "BATCH_TOO_LARGE"),
        (
            500,
            "INTERNAL (retryable: nothing was written; or, when the database connection was "
            "lost during the commit, it may or may not have been: resending is safe)",
        ),
    )
}


def rest_path(path: batch.FieldPath) -> str:
    """("core_value", "core_value_plan") → `core_value.core_value_plan`."""
    return ".".join(str(p) for p in path)


def saved_entry(r: batch.GoalSaved | batch.GoalDeleted) -> SavedGoal:
    if isinstance(r, batch.GoalDeleted):
        return SavedGoal(
            client_id=r.client_id, id=str(r.id), version=None, created=False, deleted=True
        )
    return SavedGoal(
        client_id=r.client_id,
        id=str(r.goal.id),
        version=r.goal.version,
        created=r.created,
        deleted=False,
    )


def failed_entry(r: batch.GoalSaveProblem | batch.GoalNotReviewable) -> FailedGoal:
    errors: list[FieldErrorOut] = []
    if isinstance(r, batch.GoalValidationFailed):
        errors = [FieldErrorOut(field=rest_path(e.path), message=e.message) for e in r.field_errors]
        message = r.message_in(rest_path)
    else:
        message = r.message
    return FailedGoal(
        client_id=r.client_id,
        code=r.code.value,
        message=message,
        retryable=r.retryable,
        field_errors=errors,
    )


@router.post(
    "/org/{org_slug}/goals/batch-save",
    response_model=GoalBatchSaveResponse,
    responses=ERROR_RESPONSES,
    summary="Save many goal edits in one transaction",
)
async def batch_save(
    org_slug: str, body: GoalBatchSaveRequest, scope: AuthenticatedScope
) -> GoalBatchSaveResponse:
    outcome = await requests.save_goals(
        scope,
        org_slug=org_slug,
        period_id=body.period_id,
        items=[g.to_item() for g in body.goals],
        error_policy=body.error_policy,
    )
    # Split by the core's own kinds: a new outcome lands on one side, never in neither.
    saved = [saved_entry(r) for r in outcome.results if not isinstance(r, batch.Problem)]
    failed = [failed_entry(r) for r in outcome.results if isinstance(r, batch.Problem)]
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


@router.post(
    "/org/{org_slug}/goals/batch-review",
    response_model=GoalBatchReviewResponse,
    responses=ERROR_RESPONSES,
    summary="Approve or return many submitted goals of direct reports in one transaction",
)
async def batch_review(
    org_slug: str, body: GoalBatchReviewRequest, scope: AuthenticatedScope
) -> GoalBatchReviewResponse:
    outcome = await requests.review_goals(
        scope,
        org_slug=org_slug,
        period_id=body.period_id,
        items=[i.to_item() for i in body.items],
        error_policy=body.error_policy,
    )
    return GoalBatchReviewResponse(
        reviewed=[
            ReviewedGoal(
                client_id=r.client_id,
                goal_id=str(r.goal.id),
                status=r.goal.status,
                version=r.goal.version,
            )
            for r in outcome.results
            if isinstance(r, batch.GoalReviewed)
        ],
        failed=[failed_entry(r) for r in outcome.results if isinstance(r, batch.Problem)],
    )

"""Per-item results of a save as a union: failures are data, never GraphQL errors.

Each union member mirrors one result class of the core (services/batch/results); field paths
are spelled the GraphQL way (`coreValue.coreValuePlan`).
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from goalpost.domain.goal_fields import camel
from goalpost.schema.enums import GoalStatus
from goalpost.schema.types import Goal, WeightTotals, goal_from_record
from goalpost.services import batch
from goalpost.services.batch import ProblemCode
from goalpost.services.goal_submit import SubmitOutcome, SubmitProblemCode

strawberry.enum(ProblemCode, name="GoalSaveErrorCode")


@strawberry.type
class GoalSaved:
    client_id: str
    created: bool
    goal: Goal


@strawberry.type
class GoalDeleted:
    client_id: str
    id: strawberry.ID


@strawberry.type
class FieldError:
    field: str = strawberry.field(description="A path such as `performance.title`.")
    message: str


@strawberry.interface
class GoalSaveProblem:
    client_id: str
    code: ProblemCode
    message: str
    retryable: bool


@strawberry.type
class GoalValidationFailed(GoalSaveProblem):
    field_errors: list[FieldError]


@strawberry.type
class GoalVersionConflict(GoalSaveProblem):
    current: Goal


@strawberry.type
class GoalNotFound(GoalSaveProblem):
    pass


@strawberry.type
class GoalNotEditable(GoalSaveProblem):
    status: GoalStatus


@strawberry.type(description="A database fault on this item; nothing of it was written.")
class GoalSaveFailed(GoalSaveProblem):
    pass


@strawberry.type
class GoalReviewed:
    client_id: str
    goal: Goal


@strawberry.type(description="Only a SUBMITTED goal can be reviewed; `status` is what it is.")
class GoalNotReviewable(GoalSaveProblem):
    status: GoalStatus


GoalSaveResult = Annotated[
    GoalSaved
    | GoalDeleted
    | GoalValidationFailed
    | GoalVersionConflict
    | GoalNotFound
    | GoalNotEditable
    | GoalSaveFailed,
    strawberry.union("GoalSaveResult"),
]
GoalSaveSuccess = Annotated[GoalSaved | GoalDeleted, strawberry.union("GoalSaveSuccess")]


SAVED = (batch.GoalSaved, batch.GoalDeleted)


@strawberry.type
class BatchSaveGoalsPayload:
    """Built from the core's outcome field by field, as the selection asks: a client that
    selects only the counts gets no per-item result objects, no goals, no lists."""

    outcome: strawberry.Private[batch.BatchOutcome]

    @strawberry.field(description="Exactly one result per input item, in input order.")
    def results(self) -> list[GoalSaveResult]:
        return [result_from(r) for r in self.outcome.results]

    @strawberry.field
    def saved(self) -> list[GoalSaveSuccess]:
        return [result_from(r) for r in self.outcome.results if isinstance(r, SAVED)]  # type: ignore[misc]

    @strawberry.field
    def failed(self) -> list[GoalSaveProblem]:
        failed = [result_from(r) for r in self.outcome.results if not isinstance(r, SAVED)]
        return [r for r in failed if isinstance(r, GoalSaveProblem)]

    @strawberry.field
    def saved_count(self) -> int:
        return sum(1 for r in self.outcome.results if isinstance(r, SAVED))

    @strawberry.field
    def failed_count(self) -> int:
        return sum(1 for r in self.outcome.results if not isinstance(r, SAVED))

    @strawberry.field(
        description="The caller's weight sum per category in this period after the batch."
    )
    def weight_totals(self) -> WeightTotals:
        return WeightTotals.from_service(self.outcome.totals)


GoalReviewResult = Annotated[
    GoalReviewed
    | GoalValidationFailed
    | GoalVersionConflict
    | GoalNotFound
    | GoalNotReviewable
    | GoalSaveFailed,
    strawberry.union("GoalReviewResult"),
]


@strawberry.type
class ReviewGoalsPayload:
    results: list[GoalReviewResult] = strawberry.field(
        description="Exactly one result per input item, in input order."
    )
    reviewed_count: int
    failed_count: int


def graphql_path(path: batch.FieldPath) -> str:
    """("core_value", "core_value_plan") → `coreValue.coreValuePlan`."""
    return ".".join(camel(p) if isinstance(p, str) else str(p) for p in path)


def problem_fields(r: batch.GoalSaveProblem | batch.GoalNotReviewable) -> dict[str, Any]:
    """What every GoalSaveProblem member carries."""
    message = r.message_in(graphql_path) if isinstance(r, batch.GoalValidationFailed) else r.message
    return {"client_id": r.client_id, "code": r.code, "message": message, "retryable": r.retryable}


def validation_failed(r: batch.GoalValidationFailed) -> GoalValidationFailed:
    errors = [FieldError(field=graphql_path(e.path), message=e.message) for e in r.field_errors]
    return GoalValidationFailed(**problem_fields(r), field_errors=errors)


def result_from(r: batch.ItemResult) -> GoalSaveResult:
    match r:
        case batch.GoalSaved():
            return GoalSaved(
                client_id=r.client_id, created=r.created, goal=goal_from_record(r.goal)
            )
        case batch.GoalDeleted():
            return GoalDeleted(client_id=r.client_id, id=strawberry.ID(str(r.id)))
        case batch.GoalValidationFailed():
            return validation_failed(r)
        case batch.GoalVersionConflict():
            return GoalVersionConflict(**problem_fields(r), current=goal_from_record(r.current))
        case batch.GoalNotFound():
            return GoalNotFound(**problem_fields(r))
        case batch.GoalNotEditable():
            return GoalNotEditable(**problem_fields(r), status=r.status)
        case batch.GoalSaveFailed():
            return GoalSaveFailed(**problem_fields(r))


def review_result_from(r: batch.ReviewResult) -> GoalReviewResult:
    """The save's mapping for the problems both share; the review's own two here."""
    match r:
        case batch.GoalReviewed():
            return GoalReviewed(client_id=r.client_id, goal=goal_from_record(r.goal))
        case batch.GoalNotReviewable():
            return GoalNotReviewable(**problem_fields(r), status=r.status)
        case _:
            shared = result_from(r)
            assert not isinstance(shared, GoalSaved | GoalDeleted | GoalNotEditable)
            return shared


def review_payload_from(outcome: batch.ReviewOutcome) -> ReviewGoalsPayload:
    results = [review_result_from(r) for r in outcome.results]
    reviewed = sum(1 for r in results if isinstance(r, GoalReviewed))
    return ReviewGoalsPayload(
        results=results, reviewed_count=reviewed, failed_count=len(results) - reviewed
    )


def payload_from(outcome: batch.BatchOutcome) -> BatchSaveGoalsPayload:
    return BatchSaveGoalsPayload(outcome=outcome)


strawberry.enum(SubmitProblemCode, name="SubmitProblemCode")


@strawberry.type
class SubmitProblem:
    code: SubmitProblemCode
    message: str
    goal: Goal | None = strawberry.field(description="The goal at fault, if it is one goal.")


@strawberry.type
class SubmitGoalsPayload:
    submitted: bool
    goals: list[Goal]
    problems: list[SubmitProblem]


def submit_payload_from(outcome: SubmitOutcome) -> SubmitGoalsPayload:
    return SubmitGoalsPayload(
        submitted=outcome.submitted,
        goals=[goal_from_record(g) for g in outcome.goals],
        problems=[
            SubmitProblem(
                code=p.code, message=p.message, goal=goal_from_record(p.goal) if p.goal else None
            )
            for p in outcome.problems
        ],
    )

"""Per-item results of a save as a union: failures are data, never GraphQL errors.

Each union member mirrors one outcome class of the core (services/batch/results), and each
union is derived from the core's list of a use case's outcomes; field paths are spelled the
GraphQL way (`coreValue.coreValuePlan`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union

import strawberry

from goalpost.domain.goal_fields import camel
from goalpost.schema.enums import GoalStatus
from goalpost.schema.types import Goal, WeightTotals, goal_from_record
from goalpost.services import batch
from goalpost.services.batch import ProblemCode
from goalpost.services.goal_submit import SubmitOutcome, SubmitProblemCode

strawberry.enum(ProblemCode, name="GoalSaveErrorCode")


def graphql_path(path: batch.FieldPath) -> str:
    """("core_value", "core_value_plan") → `coreValue.coreValuePlan`."""
    return ".".join(camel(p) if isinstance(p, str) else str(p) for p in path)


@strawberry.type
class GoalSaved:
    client_id: str
    created: bool
    goal: Goal

    @classmethod
    def from_core(cls, r: batch.GoalSaved) -> GoalSaved:
        return cls(client_id=r.client_id, created=r.created, goal=goal_from_record(r.goal))


@strawberry.type
class GoalDeleted:
    client_id: str
    id: strawberry.ID

    @classmethod
    def from_core(cls, r: batch.GoalDeleted) -> GoalDeleted:
        return cls(client_id=r.client_id, id=strawberry.ID(str(r.id)))


@strawberry.type
class GoalReviewed:
    client_id: str
    goal: Goal

    @classmethod
    def from_core(cls, r: batch.GoalReviewed) -> GoalReviewed:
        return cls(client_id=r.client_id, goal=goal_from_record(r.goal))


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

    @staticmethod
    def common(r: batch.Problem) -> dict[str, Any]:
        """What every member carries, field paths in the message spelled the GraphQL way."""
        if isinstance(r, batch.GoalValidationFailed):
            message = r.message_in(graphql_path)
        else:
            message = r.message  # type: ignore[attr-defined]  # every other problem has one
        return {
            "client_id": r.client_id,
            "code": r.code,
            "message": message,
            "retryable": r.retryable,
        }

    @classmethod
    def from_core(cls, r: batch.Problem) -> GoalSaveProblem:
        return cls(**cls.common(r))


@strawberry.type
class GoalValidationFailed(GoalSaveProblem):
    field_errors: list[FieldError]

    @classmethod
    def from_core(cls, r: batch.Problem) -> GoalValidationFailed:
        assert isinstance(r, batch.GoalValidationFailed)
        errors = [FieldError(field=graphql_path(e.path), message=e.message) for e in r.field_errors]
        return cls(**cls.common(r), field_errors=errors)


@strawberry.type
class GoalVersionConflict(GoalSaveProblem):
    current: Goal

    @classmethod
    def from_core(cls, r: batch.Problem) -> GoalVersionConflict:
        assert isinstance(r, batch.GoalVersionConflict)
        return cls(**cls.common(r), current=goal_from_record(r.current))


@strawberry.type
class GoalNotFound(GoalSaveProblem):
    pass


@strawberry.type
class GoalNotEditable(GoalSaveProblem):
    status: GoalStatus

    @classmethod
    def from_core(cls, r: batch.Problem) -> GoalNotEditable:
        assert isinstance(r, batch.GoalNotEditable)
        return cls(**cls.common(r), status=r.status)


@strawberry.type(description="A database fault on this item; nothing of it was written.")
class GoalSaveFailed(GoalSaveProblem):
    pass


@strawberry.type(description="Only a SUBMITTED goal can be reviewed; `status` is what it is.")
class GoalNotReviewable(GoalSaveProblem):
    status: GoalStatus

    @classmethod
    def from_core(cls, r: batch.Problem) -> GoalNotReviewable:
        assert isinstance(r, batch.GoalNotReviewable)
        return cls(**cls.common(r), status=r.status)


GoalSaveSuccess = Annotated[GoalSaved | GoalDeleted, strawberry.union("GoalSaveSuccess")]

# Each outcome of the core (services/batch/results.py) and the GraphQL type that shows it
# (its `from_core`). The unions are derived from the core's lists of each use case's
# outcomes, so an outcome with no GraphQL type fails at import, not silently.
GRAPHQL_TYPES: dict[type[Any], Any] = {
    batch.GoalSaved: GoalSaved,
    batch.GoalDeleted: GoalDeleted,
    batch.GoalReviewed: GoalReviewed,
    batch.GoalValidationFailed: GoalValidationFailed,
    batch.GoalVersionConflict: GoalVersionConflict,
    batch.GoalNotFound: GoalNotFound,
    batch.GoalNotEditable: GoalNotEditable,
    batch.GoalNotReviewable: GoalNotReviewable,
    batch.GoalSaveFailed: GoalSaveFailed,
}


def union_of(outcomes: tuple[type[Any], ...], name: str) -> Any:
    """The GraphQL union of a use case's outcomes, in the core's order."""
    return Annotated[Union[tuple(GRAPHQL_TYPES[o] for o in outcomes)], strawberry.union(name)]  # noqa: UP007


def result_from(r: batch.Success | batch.Problem) -> Any:
    return GRAPHQL_TYPES[type(r)].from_core(r)


if TYPE_CHECKING:
    GoalSaveResult: TypeAlias = Any
    GoalReviewResult: TypeAlias = Any
else:
    GoalSaveResult = union_of(batch.SAVE_OUTCOMES, "GoalSaveResult")
    GoalReviewResult = union_of(batch.REVIEW_OUTCOMES, "GoalReviewResult")


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
        return [result_from(r) for r in self.outcome.results if isinstance(r, batch.Success)]

    @strawberry.field
    def failed(self) -> list[GoalSaveProblem]:
        return [result_from(r) for r in self.outcome.results if isinstance(r, batch.Problem)]

    @strawberry.field
    def saved_count(self) -> int:
        return sum(1 for r in self.outcome.results if isinstance(r, batch.Success))

    @strawberry.field
    def failed_count(self) -> int:
        return sum(1 for r in self.outcome.results if isinstance(r, batch.Problem))

    @strawberry.field(
        description="The caller's weight sum per category in this period after the batch."
    )
    def weight_totals(self) -> WeightTotals:
        return WeightTotals.from_service(self.outcome.totals)


@strawberry.type
class ReviewGoalsPayload:
    results: list[GoalReviewResult] = strawberry.field(
        description="Exactly one result per input item, in input order."
    )
    reviewed_count: int
    failed_count: int


def review_payload_from(outcome: batch.ReviewOutcome) -> ReviewGoalsPayload:
    results = [result_from(r) for r in outcome.results]
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

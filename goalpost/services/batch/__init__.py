"""The batch engine: items in, one result per item out (see engine.py for the phases)."""

from goalpost.services.batch.engine import BatchLimits, batch_save_goals
from goalpost.services.batch.items import ErrorPolicy, GoalBatchItem, GoalPatch
from goalpost.services.batch.results import (
    PROBLEM_TYPES,
    BatchOutcome,
    FieldError,
    FieldPath,
    GoalDeleted,
    GoalNotEditable,
    GoalNotFound,
    GoalNotReviewable,
    GoalReviewed,
    GoalSaved,
    GoalSaveFailed,
    GoalSaveProblem,
    GoalValidationFailed,
    GoalVersionConflict,
    ItemResult,
    ProblemCode,
    ReviewOutcome,
    ReviewResult,
)
from goalpost.services.batch.review import GoalReviewItem, review_goals

__all__ = [
    "PROBLEM_TYPES",
    "BatchLimits",
    "BatchOutcome",
    "ErrorPolicy",
    "FieldError",
    "FieldPath",
    "GoalBatchItem",
    "GoalDeleted",
    "GoalNotEditable",
    "GoalNotFound",
    "GoalNotReviewable",
    "GoalPatch",
    "GoalReviewItem",
    "GoalReviewed",
    "GoalSaveFailed",
    "GoalSaveProblem",
    "GoalSaved",
    "GoalValidationFailed",
    "GoalVersionConflict",
    "ItemResult",
    "ProblemCode",
    "ReviewOutcome",
    "ReviewResult",
    "batch_save_goals",
    "review_goals",
]

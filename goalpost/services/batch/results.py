"""One result per item, one class per outcome, and the outcome of a whole batch.

The outcomes are declared once, here: every failure is a `Problem`, every success a `Success`,
and the two unions below (`ItemResult` for a save, `ReviewResult` for a review) list the
outcomes of each use case. The adapters derive from them: GraphQL's unions, REST's
`saved`/`failed` split, the error policy and the failure log (tests/batch/test_outcomes.py).

Field paths are domain paths, a tuple such as ("core_value", "core_value_plan") or
("competency", "competency_ids", 0); each adapter spells them in its own casing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import get_args

from goalpost.models import GoalStatus
from goalpost.services.goals import GoalRecord, WeightTotals

FieldPath = tuple[str | int, ...]


class ProblemCode(StrEnum):
    VALIDATION_FAILED = "VALIDATION_FAILED"
    DUPLICATE_IN_BATCH = "DUPLICATE_IN_BATCH"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    NOT_FOUND = "NOT_FOUND"
    NOT_EDITABLE = "NOT_EDITABLE"
    SAVE_FAILED = "SAVE_FAILED"
    BATCH_REJECTED = "BATCH_REJECTED"
    NOT_REVIEWABLE = "NOT_REVIEWABLE"


class Success:
    """An item that was written as asked."""

    client_id: str


class Problem:
    """An item that was not written; the request's other items are unaffected."""

    client_id: str
    code: ProblemCode
    retryable: bool


@dataclass(frozen=True)
class FieldError:
    path: FieldPath
    message: str


@dataclass(frozen=True)
class GoalSaved(Success):
    client_id: str
    created: bool
    goal: GoalRecord


@dataclass(frozen=True)
class GoalDeleted(Success):
    client_id: str
    id: uuid.UUID


@dataclass(frozen=True)
class GoalValidationFailed(Problem):
    """The item's input breaks a rule. `summary` is set when the message is not simply the
    field errors (a repeated item); otherwise adapters list the errors in their own paths."""

    client_id: str
    field_errors: tuple[FieldError, ...]
    code: ProblemCode = ProblemCode.VALIDATION_FAILED
    summary: str | None = None
    retryable: bool = False

    def message_in(self, spell: Callable[[FieldPath], str]) -> str:
        """The message, with field paths spelled the adapter's way (`spell`)."""
        return self.summary or "; ".join(f"{spell(e.path)}: {e.message}" for e in self.field_errors)


@dataclass(frozen=True)
class GoalVersionConflict(Problem):
    client_id: str
    current: GoalRecord
    expected_version: int
    code: ProblemCode = ProblemCode.VERSION_CONFLICT
    retryable: bool = False

    @property
    def message(self) -> str:
        return f"The goal is at version {self.current.version}, not {self.expected_version}."


@dataclass(frozen=True)
class GoalNotFound(Problem):
    """Not the caller's own goal in that org and period, or no goal at all: one answer."""

    client_id: str
    code: ProblemCode = ProblemCode.NOT_FOUND
    message: str = "Goal not found."
    retryable: bool = False


@dataclass(frozen=True)
class GoalNotEditable(Problem):
    client_id: str
    status: GoalStatus
    code: ProblemCode = ProblemCode.NOT_EDITABLE
    retryable: bool = False

    @property
    def message(self) -> str:
        return f"A {self.status.value} goal cannot be changed."


@dataclass(frozen=True)
class GoalSaveFailed(Problem):
    """Not written, through no fault of the item: the database refused it (SAVE_FAILED), or
    another item of an ALL_OR_NOTHING batch failed (BATCH_REJECTED). Sending it again may work."""

    client_id: str
    code: ProblemCode
    message: str
    retryable: bool = True


@dataclass(frozen=True)
class GoalReviewed(Success):
    client_id: str
    goal: GoalRecord


@dataclass(frozen=True)
class GoalNotReviewable(Problem):
    """Only a SUBMITTED goal waits for a decision; a draft, or one already decided, does not."""

    client_id: str
    status: GoalStatus
    code: ProblemCode = ProblemCode.NOT_REVIEWABLE
    retryable: bool = False

    @property
    def message(self) -> str:
        return f"A {self.status.value} goal cannot be reviewed; only a SUBMITTED one can."


GoalSaveProblem = (
    GoalValidationFailed | GoalVersionConflict | GoalNotFound | GoalNotEditable | GoalSaveFailed
)
ItemResult = GoalSaved | GoalDeleted | GoalSaveProblem


ReviewProblem = (
    GoalValidationFailed | GoalVersionConflict | GoalNotFound | GoalNotReviewable | GoalSaveFailed
)
ReviewResult = GoalReviewed | ReviewProblem

# The outcomes of each use case, in the order the GraphQL unions list them.
SAVE_OUTCOMES: tuple[type[Success | Problem], ...] = get_args(ItemResult)
REVIEW_OUTCOMES: tuple[type[Success | Problem], ...] = get_args(ReviewResult)


def is_problem(result: object) -> bool:
    return isinstance(result, Problem)


@dataclass(frozen=True)
class BatchOutcome:
    results: list[ItemResult]
    totals: WeightTotals


@dataclass(frozen=True)
class ReviewOutcome:
    results: list[ReviewResult]


def outcome_label(result: ItemResult | ReviewResult) -> str:
    """For metrics: created, saved, deleted, reviewed, or the problem's code."""
    if isinstance(result, GoalReviewed):
        return "reviewed"
    if isinstance(result, GoalSaved):
        return "created" if result.created else "saved"
    if isinstance(result, GoalDeleted):
        return "deleted"
    return result.code.value


def invalid(client_id: str, path: FieldPath, message: str) -> GoalValidationFailed:
    return GoalValidationFailed(client_id, (FieldError(path, message),))


def duplicate(client_id: str) -> GoalValidationFailed:
    return GoalValidationFailed(
        client_id,
        (FieldError(("client_id",), "repeated"),),
        code=ProblemCode.DUPLICATE_IN_BATCH,
        summary="This goal already appears earlier in the batch.",
    )


def rejected(client_id: str) -> GoalSaveFailed:
    return GoalSaveFailed(
        client_id,
        ProblemCode.BATCH_REJECTED,
        "Not saved: another item of this ALL_OR_NOTHING batch failed.",
    )


def save_failed(client_id: str, message: str) -> GoalSaveFailed:
    return GoalSaveFailed(client_id, ProblemCode.SAVE_FAILED, message)

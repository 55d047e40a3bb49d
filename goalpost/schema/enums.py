"""The model enums, exposed to GraphQL under the same names."""

import strawberry

from goalpost.models import (
    GoalCategory,
    GoalEventKind,
    GoalReviewDecision,
    GoalStatus,
    GoalType,
    PeriodStatus,
    Role,
)

strawberry.enum(GoalCategory)
strawberry.enum(GoalEventKind, description="What a history event records (docs/history.md).")
strawberry.enum(GoalReviewDecision, description="A supervisor's decision on a submitted goal.")
strawberry.enum(GoalStatus)
strawberry.enum(GoalType)
strawberry.enum(PeriodStatus)
strawberry.enum(Role)

__all__ = [
    "GoalCategory",
    "GoalEventKind",
    "GoalReviewDecision",
    "GoalStatus",
    "GoalType",
    "PeriodStatus",
    "Role",
]

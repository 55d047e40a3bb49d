"""The enumerations the models store as strings (portable across SQLite and PostgreSQL),
declared in goalpost.domain so the client shares them without loading SQLAlchemy."""

from goalpost.domain.enums import (
    GoalCategory,
    GoalEventKind,
    GoalReviewDecision,
    GoalStatus,
    GoalType,
    PeriodStatus,
    Role,
)

__all__ = [
    "GoalCategory",
    "GoalEventKind",
    "GoalReviewDecision",
    "GoalStatus",
    "GoalType",
    "PeriodStatus",
    "Role",
]

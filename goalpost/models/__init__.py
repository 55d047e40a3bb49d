"""SQLAlchemy models: data only, no business rules."""

from goalpost.models.base import Base, utcnow
from goalpost.models.enums import (
    GoalCategory,
    GoalEventKind,
    GoalReviewDecision,
    GoalStatus,
    GoalType,
    PeriodStatus,
    Role,
)
from goalpost.models.goal import Goal
from goalpost.models.history import GoalEvent
from goalpost.models.org import Competency, EvaluationPeriod, Membership, Organization, User

__all__ = [
    "Base",
    "Competency",
    "EvaluationPeriod",
    "Goal",
    "GoalCategory",
    "GoalEvent",
    "GoalEventKind",
    "GoalReviewDecision",
    "GoalStatus",
    "GoalType",
    "Membership",
    "Organization",
    "PeriodStatus",
    "Role",
    "User",
    "utcnow",
]

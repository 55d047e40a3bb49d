"""The model enums, exposed to GraphQL under the same names."""

import strawberry

from goalpost.models import GoalCategory, GoalStatus, GoalType, PeriodStatus, Role

strawberry.enum(GoalCategory)
strawberry.enum(GoalStatus)
strawberry.enum(GoalType)
strawberry.enum(PeriodStatus)
strawberry.enum(Role)

__all__ = ["GoalCategory", "GoalStatus", "GoalType", "PeriodStatus", "Role"]

"""The goal vocabulary's enumerations, stored as strings (portable across SQLite and PostgreSQL)."""

from enum import StrEnum


class Role(StrEnum):
    EMPLOYEE = "EMPLOYEE"
    SUPERVISOR = "SUPERVISOR"
    ADMIN = "ADMIN"


class PeriodStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"


class GoalCategory(StrEnum):
    PERFORMANCE = "PERFORMANCE"
    COMPETENCY = "COMPETENCY"
    CORE_VALUE = "CORE_VALUE"


class GoalStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class GoalType(StrEnum):
    QUANTITATIVE = "QUANTITATIVE"
    QUALITATIVE = "QUALITATIVE"


class GoalEventKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"


class GoalReviewDecision(StrEnum):
    APPROVE = "APPROVE"
    RETURN = "RETURN"

"""Tenants, people and their memberships, periods and competencies."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from goalpost.models.base import Base, UuidPk, str_enum
from goalpost.models.enums import PeriodStatus, Role


class Organization(UuidPk, Base):
    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("length(slug) BETWEEN 2 AND 63", name="slug_length"),)

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class User(UuidPk, Base):
    __tablename__ = "users"

    subject: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Membership(UuidPk, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organization_id"),
        # The supervisor is a member of the same org: the pair names their membership.
        # No ON DELETE action: a supervisor's membership cannot go while someone reports to
        # them (set the reports' supervisor first); NULL supervisor_id skips the check.
        ForeignKeyConstraint(
            ["supervisor_id", "organization_id"],
            ["memberships.user_id", "memberships.organization_id"],
            name="fk_memberships_supervisor_membership",
        ),
        CheckConstraint("supervisor_id <> user_id", name="not_own_supervisor"),
        Index("ix_memberships_supervisor", "supervisor_id", "organization_id"),  # direct reports
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    # Who reviews this member's goals in this org (docs/review.md); None: nobody.
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column()


class EvaluationPeriod(UuidPk, Base):
    __tablename__ = "evaluation_periods"
    __table_args__ = (
        # Target of the goals' composite foreign key: a goal's period is in the goal's org.
        UniqueConstraint("id", "organization_id"),
        CheckConstraint("starts_on <= ends_on", name="dates_ordered"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[PeriodStatus] = mapped_column(str_enum(PeriodStatus, "period_status"))


class Competency(UuidPk, Base):
    __tablename__ = "competencies"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    ideal_actions: Mapped[list[str]] = mapped_column(JSON, default=list)

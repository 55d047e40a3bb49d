"""The goal row: common columns plus the fields of each category."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from goalpost.models.base import Base, UTCDateTime, UuidPk, str_enum
from goalpost.models.enums import GoalCategory, GoalReviewDecision, GoalStatus, GoalType


class Goal(UuidPk, Base):
    __tablename__ = "goals"
    __table_args__ = (
        UniqueConstraint("owner_id", "period_id", "client_id"),
        CheckConstraint("weight >= 0 AND weight <= 100", name="weight_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("length(client_id) BETWEEN 1 AND 64", name="client_id_length"),
        ForeignKeyConstraint(
            ["period_id", "organization_id"],
            ["evaluation_periods.id", "evaluation_periods.organization_id"],
            ondelete="CASCADE",
        ),
        Index("ix_goals_owner_period", "owner_id", "period_id"),
    )

    # No key of its own to organizations: the period's (above) implies it (migration 0007).
    organization_id: Mapped[uuid.UUID]
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period_id: Mapped[uuid.UUID]
    category: Mapped[GoalCategory] = mapped_column(str_enum(GoalCategory, "goal_category"))
    client_id: Mapped[str] = mapped_column(String(64))
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus, "goal_status"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # PERFORMANCE
    title: Mapped[str | None] = mapped_column(String(200))
    goal_type: Mapped[GoalType | None] = mapped_column(str_enum(GoalType, "goal_type"))
    specific_goal: Mapped[str | None] = mapped_column(Text)
    achievement_criteria: Mapped[str | None] = mapped_column(Text)
    means_methods: Mapped[str | None] = mapped_column(Text)
    # COMPETENCY: ids of the org's competencies, and per competency id the chosen ideal
    # actions. Kept on the row (JSON) so a batch writes one table; the service checks them.
    competency_ids: Mapped[list[str] | None] = mapped_column(JSON)
    selected_ideal_actions: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    action_plan: Mapped[str | None] = mapped_column(Text)
    # CORE_VALUE
    core_value_plan: Mapped[str | None] = mapped_column(Text)
    # The supervisor's last review (docs/review.md): kept on the row, so showing it costs no join
    # and the review writes one table; the history keeps every earlier one.
    review_decision: Mapped[GoalReviewDecision | None] = mapped_column(
        str_enum(GoalReviewDecision, "goal_review_decision")
    )
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

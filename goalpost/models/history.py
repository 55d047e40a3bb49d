"""The goal history: one appended row per change of a goal (docs/history.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    FetchedValue,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from goalpost.models.base import Base, UTCDateTime, str_enum
from goalpost.models.enums import GoalEventKind


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (PostgreSQL 13+)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "XID8"


# SQLite only autoincrements an INTEGER PRIMARY KEY (its rowid).
SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")
TRANSACTION_ID_TYPE = BigInteger().with_variant(Xid8(), "postgresql")


class GoalEvent(Base):
    __tablename__ = "goal_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["period_id", "organization_id"],
            ["evaluation_periods.id", "evaluation_periods.organization_id"],
            ondelete="CASCADE",
        ),
        Index("ix_goal_events_org_period_seq", "organization_id", "period_id", "seq"),
        # The change feed's order on PostgreSQL (services/changes.py).
        Index(
            "ix_goal_events_org_period_xact_seq", "organization_id", "period_id", "xact_id", "seq"
        ),
        Index("ix_goal_events_goal_id", "goal_id", "seq"),
        # The live-changes reader: every org's events after a position (services/live).
        Index("ix_goal_events_xact_seq", "xact_id", "seq"),
    )

    # The total order of events: the cursor of a future change feed. Numbers are taken at
    # insert, not at commit, hence xact_id below.
    seq: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    # Not a foreign key: the events of a deleted goal stay.
    goal_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # No key of its own to organizations: the period's (above) implies it (migration 0007).
    organization_id: Mapped[uuid.UUID]
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period_id: Mapped[uuid.UUID]
    kind: Mapped[GoalEventKind] = mapped_column(str_enum(GoalEventKind, "goal_event_kind"))
    version: Mapped[int] = mapped_column(Integer)  # the goal's version after the change
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # No ON DELETE: who changed a goal is not forgotten while their events are kept.
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    request_id: Mapped[str | None] = mapped_column(String(64))
    # [{field, before, after}] in domain names (weight, status, the category's fields).
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)  # a review's comment
    # PostgreSQL: the writing transaction (pg_current_xact_id(), a server default), so that a
    # reader can hold back events whose transaction may still be in flight. SQLite: NULL
    # (one writer at a time commits in seq order).
    xact_id: Mapped[int | None] = mapped_column(TRANSACTION_ID_TYPE, server_default=FetchedValue())

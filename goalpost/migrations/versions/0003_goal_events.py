"""The goal history: goal_events, one appended row per change of a goal (docs/history.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

class _Xid8(sa.types.UserDefinedType[int]):
    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "XID8"


KINDS = ("CREATED", "UPDATED", "DELETED", "SUBMITTED", "APPROVED", "RETURNED")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # xid8 and pg_current_xact_id() are PostgreSQL 13+: the writer's transaction id lets
        # a reader of the change feed hold back events of transactions still in flight.
        xact_id = sa.Column(
            "xact_id", _Xid8(), server_default=sa.text("pg_current_xact_id()"), nullable=True
        )
        seq = sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False)
    else:
        xact_id = sa.Column("xact_id", sa.BigInteger(), nullable=True)
        seq = sa.Column("seq", sa.Integer(), nullable=False)  # INTEGER PRIMARY KEY: the rowid
    op.create_table(
        "goal_events",
        seq,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS,
                name="goal_event_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        xact_id,
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_goal_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_goal_events_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_goal_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["period_id", "organization_id"],
            ["evaluation_periods.id", "evaluation_periods.organization_id"],
            name=op.f("fk_goal_events_period_id_organization_id_evaluation_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_goal_events")),
        sa.UniqueConstraint("id", name=op.f("uq_goal_events_id")),
    )
    with op.batch_alter_table("goal_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_goal_events_org_period_seq", ["organization_id", "period_id", "seq"], unique=False
        )
        batch_op.create_index("ix_goal_events_goal_id", ["goal_id", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("goal_events", schema=None) as batch_op:
        batch_op.drop_index("ix_goal_events_goal_id")
        batch_op.drop_index("ix_goal_events_org_period_seq")
    op.drop_table("goal_events")

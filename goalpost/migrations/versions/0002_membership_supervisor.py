"""Memberships gain a supervisor: a member of the same organization (docs/domain.md, docs/review.md).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On SQLite this is a table copy (render_as_batch), which is how SQLite adds a foreign key.
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supervisor_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_memberships_supervisor_membership"),
            "memberships",
            ["supervisor_id", "organization_id"],
            ["user_id", "organization_id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_memberships_not_own_supervisor"), "supervisor_id <> user_id"
        )
        batch_op.create_index(
            op.f("ix_memberships_supervisor"), ["supervisor_id", "organization_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_memberships_supervisor"))
        batch_op.drop_constraint(op.f("ck_memberships_not_own_supervisor"), type_="check")
        batch_op.drop_constraint(
            op.f("fk_memberships_supervisor_membership"), type_="foreignkey"
        )
        batch_op.drop_column("supervisor_id")

"""Goals and goal events lose their own organization foreign key: the period's implies it.

Both tables already have (period_id, organization_id) -> evaluation_periods (id,
organization_id) ON DELETE CASCADE, and a period's organization_id -> organizations ON DELETE
CASCADE (all NOT NULL). So a row can only name its period's org, and deleting an org still
deletes its goals and events through its periods. The separate organization_id ->
organizations key only cost one more check per inserted row (a trigger on PostgreSQL).

On SQLite dropping a foreign key is a table copy (batch mode): goal_events.seq stays the
INTEGER PRIMARY KEY (rowid, no AUTOINCREMENT, as 0003 made it) and keeps its values.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("goal_events", "goals")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                op.f(f"fk_{table}_organization_id_organizations"), type_="foreignkey"
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_organization_id_organizations"),
                "organizations",
                ["organization_id"],
                ["id"],
                ondelete="CASCADE",
            )

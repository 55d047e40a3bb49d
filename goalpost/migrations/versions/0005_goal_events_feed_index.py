"""An index in the change feed's PostgreSQL order: (org, period, xact_id, seq) (docs/history.md).

The feed reads a period's events ordered by (writing transaction, seq) from a cursor; with
only (org, period, seq) PostgreSQL sorts every event of the period for each page. SQLite
orders by seq alone (xact_id is NULL there) and keeps using the older index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_goal_events_org_period_xact_seq",
        "goal_events",
        ["organization_id", "period_id", "xact_id", "seq"],
    )


def downgrade() -> None:
    op.drop_index("ix_goal_events_org_period_xact_seq", table_name="goal_events")

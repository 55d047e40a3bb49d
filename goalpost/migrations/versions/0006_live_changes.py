"""Live changes (docs/live.md): PostgreSQL announces every committed batch of goal events.

A statement-level trigger on goal_events calls pg_notify with the writer's transaction id.
NOTIFY is transactional: it is delivered when (and only if) the transaction commits, so a
rolled-back, rejected or failed batch announces nothing, and the batch's one history INSERT
stays its one statement (the trigger runs inside it). Identical notifications of one
transaction are folded into one, so a transaction announces itself once however many
statements insert its events. The payload (a number) stays far below NOTIFY's 8000 bytes:
listeners read the events themselves, from the (xact_id, seq) index added here (across
organizations; the change feed's own index is per org and period, 0005).

SQLite (one process) needs neither: the process publishes after its own commits.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "goalpost_goal_events"  # goalpost.services.live.listen.CHANNEL


def upgrade() -> None:
    # On both databases, as the model declares it (SQLite's xact_id is NULL: unused there).
    op.create_index("ix_goal_events_xact_seq", "goal_events", ["xact_id", "seq"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION goalpost_announce_goal_events() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', pg_current_xact_id()::text);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER goal_events_announce AFTER INSERT ON goal_events
        FOR EACH STATEMENT EXECUTE FUNCTION goalpost_announce_goal_events()
        """
    )


def downgrade() -> None:
    op.drop_index("ix_goal_events_xact_seq", table_name="goal_events")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER goal_events_announce ON goal_events")
    op.execute("DROP FUNCTION goalpost_announce_goal_events()")

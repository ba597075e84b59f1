"""What «never silent» needs to remember (issue: every alert reaches a person, or the
coordinators know it did not). Each part owns a section below; `persistence/tables.py`
mirrors every column and table (a test keeps both in step).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- outbox: leases held by a process, retries woken from the rows ---------------
    op.create_table(
        "processes",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("vias", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    op.add_column("outbox", sa.Column("leased_by", sa.String(40)))
    # --- timers: recurring reminders (cron) remembered across restarts --------------
    op.create_table(
        "recurring_runs",
        sa.Column("playbook_id", sa.String(80), primary_key=True),
        sa.Column("recurring_id", sa.String(80), primary_key=True),
        sa.Column("slot", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    # --- contact: people nobody could reach, reported once per crisis ---------------
    # (no schema: «sin contacto» is folded from the log and the outbox; the report's
    # once-only is the processed_events key contact:<crisis>:<person>)
    # --- whatsapp: full messages owed to people reached by a short template ---------
    op.create_table(
        "whatsapp_owed",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(80), nullable=False),
        sa.Column("crisis_id", sa.String(40)),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("owed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_whatsapp_owed_person", "whatsapp_owed", ["person_id", "id"])
    # --- inbox: inbound commands kept until committed --------------------------------
    pass


def downgrade() -> None:
    # In the reverse order of upgrade().
    # --- whatsapp ---
    op.drop_index("ix_whatsapp_owed_person", table_name="whatsapp_owed")
    op.drop_table("whatsapp_owed")
    # --- timers ---
    op.drop_table("recurring_runs")
    # --- outbox ---
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("leased_by")
    op.drop_table("processes")
    pass

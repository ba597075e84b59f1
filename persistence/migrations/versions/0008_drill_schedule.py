"""Drills scheduled ahead (issue 14 point 1): «SIMULACRO el 3/12 a las 10:00» is announced
now and started at its time by the timer sweep, once whatever the number of replicas; a
restart keeps it. A new table only: `crises` is left alone (on SQLite, Alembic rebuilding
it would drop it, and every task with it through the foreign key's cascade).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drill_schedule",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("playbook_id", sa.String(80), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("declared_by", sa.String(80), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("surprise", sa.Boolean, nullable=False),
        sa.Column("told", sa.JSON, nullable=False),
        sa.Column("injects", sa.JSON),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("done_at", sa.DateTime()),
        sa.Column("done_by", sa.String(80)),
    )
    op.create_index("ix_drill_schedule_due", "drill_schedule", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_drill_schedule_due", table_name="drill_schedule")
    op.drop_table("drill_schedule")

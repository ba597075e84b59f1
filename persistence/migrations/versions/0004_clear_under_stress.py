"""What a clear conversation needs to remember (issue: clear under stress). Each part owns
a section below; `persistence/tables.py` mirrors every column and table (a test keeps both
in step).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- tasks: «no necesaria» with its reason; when a question was asked (it expires) ---
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("skip_reason", sa.Text))
        batch.add_column(sa.Column("asked_at", sa.DateTime()))
    # --- terminal drills: a crisis on simulated time keeps its offset -----------------
    with op.batch_alter_table("crises") as batch:
        batch.add_column(sa.Column("clock_offset", sa.Integer))


def downgrade() -> None:
    # In the reverse order of upgrade().
    with op.batch_alter_table("crises") as batch:
        batch.drop_column("clock_offset")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("asked_at")
        batch.drop_column("skip_reason")

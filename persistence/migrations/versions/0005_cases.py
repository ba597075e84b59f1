"""Cases (issue 12): a crisis becomes one kind of case. Existing crises get kind «crisis»
and keep everything; cases add their short id, typed fields, key, outcome and deadline;
a task remembers its visit (a loop back); a case's frozen playbook is stored once per
version (`frozen_playbooks`) and the case row names it («@<sha256>»), so 10,000 cases do
not hold 10,000 copies. `persistence/tables.py` mirrors every column (a test keeps both in step).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crises") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="crisis"))
        batch.add_column(sa.Column("short_id", sa.String(20)))
        batch.add_column(sa.Column("fields", sa.JSON))
        batch.add_column(sa.Column("case_key", sa.String(120)))
        batch.add_column(sa.Column("outcome", sa.String(80)))
        batch.add_column(sa.Column("due_at", sa.DateTime()))
        batch.add_column(sa.Column("warn_at", sa.DateTime()))
    # A unique index, not a constraint: on SQLite a constraint makes Alembic rebuild the table,
    # and dropping the old `crises` would delete every task through the foreign key's cascade.
    op.create_index("uq_crises_short_id", "crises", ["short_id"], unique=True)
    op.create_index("ix_crises_queue", "crises", ["playbook_id", "state", "declared_at"])
    op.create_index("ix_crises_key", "crises", ["playbook_id", "case_key"])
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("visit", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("kept", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_tasks_owner", "tasks", ["owner", "state"])
    op.create_index("ix_tasks_asking", "tasks", ["asking"])
    op.create_table(
        "frozen_playbooks",
        sa.Column("ref", sa.String(80), primary_key=True),
        sa.Column("json", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("frozen_playbooks")
    op.drop_index("ix_tasks_asking", "tasks")
    op.drop_index("ix_tasks_owner", "tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("kept")
        batch.drop_column("visit")
    op.drop_index("ix_crises_key", "crises")
    op.drop_index("ix_crises_queue", "crises")
    op.drop_index("uq_crises_short_id", "crises")
    with op.batch_alter_table("crises") as batch:
        for name in ("warn_at", "due_at", "outcome", "case_key", "fields", "short_id", "kind"):
            batch.drop_column(name)

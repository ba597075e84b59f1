"""Indexes for 10,000 open cases (issue 12 point 8, bench/cases_scale.py).

- `ix_timers_crisis` (crisis_id, status, due_at): a case's pending timers in due order. With
  only `ix_timers_pending` (status, due_at) to serve the ORDER BY, SQLite walked every pending
  timer (50,000: 37 ms a case) to find one case's.
- `ix_outbox_undone_recipient` (recipient, via, id) on undelivered rows only: «is an earlier
  message to this person still on its way» (`repository._behind`) read every row ever sent to
  them (107 ms a look at the outbox once a person had thousands).
- `ix_outbox_undone_crisis` (crisis_id) on undelivered rows only: a case's undelivered
  messages (the contact watcher, «estado») without reading the whole outbox.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UNDONE = sa.text("delivered_at IS NULL AND failed_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_timers_crisis", "timers", ["crisis_id", "status", "due_at"])
    op.create_index("ix_outbox_undone_recipient", "outbox", ["recipient", "via", "id"],
                    sqlite_where=UNDONE, postgresql_where=UNDONE)
    op.create_index("ix_outbox_undone_crisis", "outbox", ["crisis_id"], sqlite_where=UNDONE, postgresql_where=UNDONE)


def downgrade() -> None:
    op.drop_index("ix_outbox_undone_crisis", table_name="outbox")
    op.drop_index("ix_outbox_undone_recipient", table_name="outbox")
    op.drop_index("ix_timers_crisis", table_name="timers")

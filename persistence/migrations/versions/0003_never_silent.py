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
    # --- timers: recurring reminders (cron) remembered across restarts --------------
    # --- contact: people nobody could reach, reported once per crisis ---------------
    # --- whatsapp: full messages owed to people reached by a short template ---------
    # --- inbox: inbound commands kept until committed --------------------------------
    pass


def downgrade() -> None:
    # In the reverse order of upgrade().
    pass

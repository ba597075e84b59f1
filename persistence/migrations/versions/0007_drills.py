"""Drills (issue 14): a crisis may be a rehearsal («SIMULACRO»). Every message of a drill
says so, the public banner never shows it, and it is kept apart from real crises in the
list and the figures.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crises") as batch:
        # a literal default: with an expression (sa.false()) Alembic rebuilds the table on SQLite,
        # and dropping the old `crises` would delete every task through the foreign key's cascade
        batch.add_column(sa.Column("drill", sa.Boolean, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("crises") as batch:
        batch.drop_column("drill")

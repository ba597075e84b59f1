"""Initial schema: crises, tasks, proposals, log, outbox, timers, processed events.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crises",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("playbook_id", sa.String(80), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("open_key", sa.String(80), unique=True),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.Column("declared_by", sa.String(80), nullable=False),
        sa.Column("reported_by", sa.String(80)),
        sa.Column("description", sa.Text()),
        sa.Column("closing_at", sa.DateTime()),
        sa.Column("closing_by", sa.String(80)),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("playbook_json", sa.Text(), nullable=False),
    )
    op.create_table(
        "tasks",
        sa.Column("crisis_id", sa.String(40), primary_key=True),
        sa.Column("step_id", sa.String(80), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("activated_at", sa.DateTime()),
        sa.Column("deadline_at", sa.DateTime()),
        sa.Column("owner", sa.String(80)),
        sa.Column("claimed_at", sa.DateTime()),
        sa.Column("done_at", sa.DateTime()),
        sa.Column("done_by", sa.String(80)),
        sa.Column("value", sa.Text()),
        sa.Column("acks", sa.JSON(), nullable=False),
        sa.Column("declined", sa.JSON(), nullable=False),
        sa.Column("asking", sa.String(80)),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("checkin_pending", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["crisis_id"], ["crises.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("playbook_id", sa.String(80), nullable=False),
        sa.Column("proposed_by", sa.String(80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("crisis_id", sa.String(40)),
        sa.Column("resolved_by", sa.String(80)),
    )
    op.create_index("ix_proposals_pending", "proposals", ["playbook_id", "state"])
    op.create_table(
        "log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("crisis_id", sa.String(40)),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("person", sa.String(80)),
        sa.Column("channel", sa.String(20)),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_log_crisis", "log", ["crisis_id", "id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("crisis_id", sa.String(40)),
        sa.Column("recipient", sa.String(80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime()),
        sa.Column("failed_at", sa.DateTime()),
        sa.Column("leased_until", sa.DateTime()),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(100)),
        sa.Column("last_error", sa.Text()),
    )
    op.create_index("ix_outbox_pending", "outbox", ["delivered_at", "failed_at", "id"])
    op.create_index("ix_outbox_recipient", "outbox", ["recipient", "via", "id"])
    op.create_index("ix_outbox_external", "outbox", ["via", "external_id"])
    op.create_table(
        "message_refs",
        sa.Column("via", sa.String(20), primary_key=True),
        sa.Column("recipient", sa.String(80), primary_key=True),
        sa.Column("ref", sa.String(120), primary_key=True),
        sa.Column("external_id", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(100)),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "contacts",
        sa.Column("person_id", sa.String(80), primary_key=True),
        sa.Column("via", sa.String(20), primary_key=True),
        sa.Column("last_inbound_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "timers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("crisis_id", sa.String(40), nullable=False),
        sa.Column("step_id", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fired_at", sa.DateTime()),
    )
    op.create_index("ix_timers_pending", "timers", ["status", "due_at"])
    op.create_index("ix_timers_task", "timers", ["crisis_id", "step_id", "status"])
    op.create_table(
        "processed_events",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("contacts", "message_refs", "processed_events", "timers", "outbox", "log", "proposals", "tasks", "crises"):
        op.drop_table(table)

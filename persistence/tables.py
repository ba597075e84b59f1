"""The schema. Alembic migrations (persistence/migrations) create it; a test keeps both in step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy import false as sa_false


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC everywhere; read back as aware UTC (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]


metadata = MetaData()
_UNDONE = text("delivered_at IS NULL AND failed_at IS NULL")  # an outbox row still on its way

crises = Table(
    "crises",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("playbook_id", String(80), nullable=False),
    Column("state", String(16), nullable=False),
    # Equal to playbook_id while the crisis is open, NULL once closed: the unique
    # constraint keeps at most one open crisis per playbook, even across replicas.
    Column("open_key", String(80), unique=True),
    Column("declared_at", UTCDateTime(), nullable=False),
    Column("declared_by", String(80), nullable=False),
    Column("reported_by", String(80)),
    Column("description", Text),
    Column("closing_at", UTCDateTime()),
    Column("closing_by", String(80)),
    Column("closed_at", UTCDateTime()),
    Column("playbook_json", Text, nullable=False),
    Column("clock_offset", Integer),  # seconds of simulated time (a drill in the terminal); NULL: real time
    Column("drill", Boolean, nullable=False, server_default=sa_false()),  # a rehearsal (SIMULACRO, issue 14)
    # Cases (issue 12, flows/cases): a crisis is the kind «crisis»; a case's open_key is NULL
    # (many open at once) and its playbook_json names a row of frozen_playbooks («@<sha256>»).
    Column("kind", String(16), nullable=False, server_default="crisis"),
    Column("short_id", String(20)),  # «R-12», unique (uq_crises_short_id)
    Column("fields", JSON),
    Column("case_key", String(120)),
    Column("outcome", String(80)),
    Column("due_at", UTCDateTime()),
    Column("warn_at", UTCDateTime()),
    Index("uq_crises_short_id", "short_id", unique=True),
    Index("ix_crises_queue", "playbook_id", "state", "declared_at"),
    Index("ix_crises_key", "playbook_id", "case_key"),
)

# One row per version of a playbook frozen into cases (issue 12): a case row names it.
frozen_playbooks = Table(
    "frozen_playbooks",
    metadata,
    Column("ref", String(80), primary_key=True),
    Column("json", Text, nullable=False),
)

tasks = Table(
    "tasks",
    metadata,
    Column("crisis_id", String(40), primary_key=True),
    Column("step_id", String(80), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("activated_at", UTCDateTime()),
    Column("deadline_at", UTCDateTime()),
    Column("owner", String(80)),
    Column("claimed_at", UTCDateTime()),
    Column("done_at", UTCDateTime()),
    Column("done_by", String(80)),
    Column("value", Text),
    Column("acks", JSON, nullable=False),
    Column("declined", JSON, nullable=False),
    Column("asking", String(80)),
    Column("reminders", Integer, nullable=False),
    Column("escalations", Integer, nullable=False),
    Column("checkin_pending", Boolean, nullable=False),
    Column("skip_reason", Text),
    Column("asked_at", UTCDateTime()),
    # Which visit of the step (a case's loop back); earlier visits are kept under step_id
    # "<step>@<visit>" (flows/cases), the live one under the step id.
    Column("visit", Integer, nullable=False, server_default="1"),
    Column("kept", Boolean, nullable=False, server_default=sa_false()),  # shown to its owner alone (flows/cases)
    ForeignKeyConstraint(["crisis_id"], ["crises.id"], ondelete="CASCADE"),
    Index("ix_tasks_owner", "owner", "state"),
    Index("ix_tasks_asking", "asking"),
)

proposals = Table(
    "proposals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("playbook_id", String(80), nullable=False),
    Column("proposed_by", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("crisis_id", String(40)),
    Column("resolved_by", String(80)),
    Index("ix_proposals_pending", "playbook_id", "state"),
)

log = Table(
    "log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crisis_id", String(40)),
    Column("at", UTCDateTime(), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("person", String(80)),
    Column("channel", String(20)),
    Column("data", JSON, nullable=False),
    Index("ix_log_crisis", "crisis_id", "id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crisis_id", String(40)),
    Column("recipient", String(80), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime()),
    Column("failed_at", UTCDateTime()),
    Column("leased_until", UTCDateTime()),  # a sender is delivering it; others keep off until then
    # The process (processes.id) holding the lease, or that delivered it; on an undelivered
    # row without a lease, one whose attempt may have landed (bot/outbox.py `Attempt`).
    Column("leased_by", String(40)),
    Column("via", String(20), nullable=False),
    Column("external_id", String(100)),  # the platform's id of the sent message (Slack ts, Twilio SID)
    Column("last_error", Text),
    Index("ix_outbox_pending", "delivered_at", "failed_at", "id"),
    Index("ix_outbox_recipient", "recipient", "via", "id"),
    Index("ix_outbox_external", "via", "external_id"),
    # Undelivered rows only (migration 0006): a person's or a case's messages still on their way
    Index("ix_outbox_undone_recipient", "recipient", "via", "id", sqlite_where=_UNDONE, postgresql_where=_UNDONE),
    Index("ix_outbox_undone_crisis", "crisis_id", sqlite_where=_UNDONE, postgresql_where=_UNDONE),
)

# The processes that deliver the outbox, each with a heartbeat (bot/processes.py): a lease
# held by a process not seen for a while, or whose pid is gone on this host, is free.
processes = Table(
    "processes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("host", String(255), nullable=False),  # hostname and pid namespace
    Column("pid", Integer, nullable=False),
    Column("vias", String(200), nullable=False),  # the transports it delivers through, comma-separated
    Column("started_at", UTCDateTime(), nullable=False),
    Column("seen_at", UTCDateTime(), nullable=False),  # wall clock, refreshed every few seconds
)

# Where a message shown under a `ref` (a task card, the announcement) lives on a platform,
# so a rich transport can update it in place instead of posting again.
message_refs = Table(
    "message_refs",
    metadata,
    Column("via", String(20), primary_key=True),
    Column("recipient", String(80), primary_key=True),
    Column("ref", String(120), primary_key=True),
    Column("external_id", String(100), nullable=False),
    Column("channel", String(100)),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# When each person last wrote on each channel (WhatsApp's 24-hour window).
contacts = Table(
    "contacts",
    metadata,
    Column("person_id", String(80), primary_key=True),
    Column("via", String(20), primary_key=True),
    Column("last_inbound_at", UTCDateTime(), nullable=False),
)

timers = Table(
    "timers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crisis_id", String(40), nullable=False),
    Column("step_id", String(80), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # pending, fired, cancelled
    Column("fired_at", UTCDateTime()),
    Index("ix_timers_pending", "status", "due_at"),
    Index("ix_timers_task", "crisis_id", "step_id", "status"),
    Index("ix_timers_crisis", "crisis_id", "status", "due_at"),  # a case's pending timers in due order
)

# Drills scheduled ahead (issue 14 point 1, migration 0008): announced to everybody or kept
# as a surprise, started by the timer sweep when due (bot/drill_ahead.py), at most one
# waiting per playbook. `state`: pending, started, skipped, cancelled (flows/drill_start.py).
drill_schedule = Table(
    "drill_schedule",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("playbook_id", String(80), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("declared_by", String(80), nullable=False),
    Column("description", Text, nullable=False),
    Column("surprise", Boolean, nullable=False),
    Column("told", JSON, nullable=False),  # the person ids told of it, told again if it is cancelled
    Column("injects", JSON),  # a drill file's events (NULL: the playbook's)
    Column("created_at", UTCDateTime(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("done_at", UTCDateTime()),
    Column("done_by", String(80)),
    Index("ix_drill_schedule_due", "state", "due_at"),
)

# The last firing (slot) of each recurring reminder: a slot missed while no process ran
# fires once on start-up (bot/scheduler.py).
recurring_runs = Table(
    "recurring_runs",
    metadata,
    Column("playbook_id", String(80), primary_key=True),
    Column("recurring_id", String(80), primary_key=True),
    Column("slot", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Full messages owed to a WhatsApp user who got only a short approved template (outside the
# 24-hour window): sent, in order, as soon as they write (handlers/whatsapp/owed.py).
whatsapp_owed = Table(
    "whatsapp_owed",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(80), nullable=False),
    Column("crisis_id", String(40)),
    Column("payload", JSON, nullable=False),  # the OutMessage, as in the outbox
    Column("owed_at", UTCDateTime(), nullable=False),
    Index("ix_whatsapp_owed_person", "person_id", "id"),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
)

# Bumped by every write of a playbook's crises, tasks or proposals (persistence/writes.py):
# a process that holds that state in memory reuses it only while the number is its own.
revisions = Table(
    "revisions",
    metadata,
    Column("playbook_id", String(80), primary_key=True),
    Column("n", Integer, nullable=False),
)

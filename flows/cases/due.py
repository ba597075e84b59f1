"""A case's deadline from data (issue 12, point 4; seed 001, Anexo 2: the priority matrix,
vulnerability 1 → 12 h ... 4 → 48 h) and how it bends a task's reminder policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from flows.crisis import Crisis
from flows.playbook import DueTime, Playbook, Policy, Step

_SOON = timedelta(seconds=1)  # a deadline already past fires at once (a zero delay means «none»)


def rule_time(playbook: Playbook, case: Crisis) -> DueTime | None:
    """The table's entry for the case's value of the rule's field (compared as text:
    «2» and 2 are the same row), else the rule's `default`; None without a rule or value."""
    rule = playbook.case.due if playbook.case is not None else None
    if rule is None:
        return None
    value = case.fields.get(rule.field)
    if value is None or value == "":
        return None
    return rule.table.get(str(value), rule.default)


def apply(playbook: Playbook, case: Crisis) -> bool:
    """Set `case.due_at`/`warn_at` (UTC, counted from the opening, `declared_at`) once the
    rule's field has a value; True when they were set now (never moved once set)."""
    if case.due_at is not None:
        return False
    entry = rule_time(playbook, case)
    if entry is None:
        return False
    case.due_at = case.declared_at + entry.due
    case.warn_at = case.declared_at + entry.warn if entry.warn is not None else None
    return True


def policy_for(playbook: Playbook, step: Step, case: Crisis | None, now: datetime) -> Policy:
    """The step's policy (playbook + step override), with the case's due time folded in,
    counted from `now` (the task's activation, or its release): unclaimed, a reminder at
    `warn_at` and the escalation to the coordinators at `due_at` at the latest; claimed,
    the owner's deadline is `due_at` at the latest (then check-in and escalation as for
    any task). The step's own earlier reminders still apply. A crisis: the step's policy."""
    base = playbook.policy_for(step)
    if case is None or not case.is_case or case.due_at is None:
        return base
    until_due = max(case.due_at - now, _SOON)
    reminders = list(base.remind_after)
    if case.warn_at is not None and case.warn_at > now and case.warn_at - now not in reminders:
        reminders.append(case.warn_at - now)
    escalate = until_due if base.escalate_after is None else min(base.escalate_after, until_due)
    deadline = until_due if base.deadline is None else min(base.deadline, until_due)
    return base.model_copy(update={
        "remind_after": sorted(r for r in reminders if r < escalate) or [],
        "escalate_after": escalate,
        "escalate_to": base.escalate_to or list(playbook.coordinators),
        "deadline": deadline,
    })

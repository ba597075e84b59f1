"""The short summary of a closed crisis: what the group reads when it closes, and what
«informe» or «bitácora» answer once it is over (issue 11, points 6 and 10).

It never carries the bitácora (45+ lines, 7-13 WhatsApp messages per phone) nor message
receipts (those stay in the CSV), and never names a server command: the report is a link
to the dashboard when there is one, else the person is told to write «bitácora». Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from flows import panel
from flows.crisis import Crisis, TaskState
from flows.messages import LogEntry
from flows.playbook import Playbook
from flows.render import RECEIPTS, age, clock_time, log_lines
from flows.report import ESCALATION_KINDS
from flows.texts import t, tn
from flows.world import Turn


def closed_summary(
    crisis: Crisis, playbook: Playbook, entries: Iterable[LogEntry], lang: str, tz: ZoneInfo,
    link: str | None, now: datetime | None = None, ask_log: bool = True,
) -> str:
    """Lines: when it closed and how long it lasted; tasks done / not needed / not done;
    reminders and escalations; each task not done (number and title); the report link
    (`link`), or how to see the bitácora in chat. `now`: when the summary is read later
    («informe»), a closing on another day shows its date. `ask_log`: without a link, end
    with how to see the bitácora in chat."""
    closed_at = crisis.closed_at or now or crisis.declared_at
    local = closed_at.astimezone(tz)
    if now is not None and now.astimezone(tz).date() != local.date():
        at = t(lang, "closed_at_day", day=local.strftime("%d/%m"), at=clock_time(closed_at, tz))
    else:
        at = t(lang, "closed_at_time", at=clock_time(closed_at, tz))
    states = [task.state for task in crisis.tasks.values()]
    kinds = [entry.kind for entry in entries]
    lines = [
        t(lang, "closed_head", id=crisis.id, at=at, duration=age(closed_at - crisis.declared_at, lang)),
        t(lang, "closed_tasks", done=tn(lang, "n.done", states.count(TaskState.DONE)),
          skipped=tn(lang, "n.skipped", states.count(TaskState.SKIPPED)),
          cancelled=states.count(TaskState.CANCELLED)),
        t(lang, "closed_alerts", reminders=kinds.count("reminder"), escalations=sum(k in ESCALATION_KINDS for k in kinds)),
    ]
    not_done = [s for s in playbook.steps if s.id in crisis.tasks and crisis.tasks[s.id].state == TaskState.CANCELLED]
    if not_done:
        lines.append(t(lang, "closed_not_done"))
        lines += [t(lang, "closed_not_done_line", number=s.number, title=s.title) for s in not_done]
    if link:
        lines.append(t(lang, "closed_link", url=link))
    elif ask_log:
        lines.append(t(lang, "closed_ask_log"))
    return "\n".join(lines)


def send_last_closed(turn: Turn, by: str, full: bool = True) -> bool:
    """«informe» or «bitácora» when no crisis is open: the last closed crisis's summary,
    with a personal link to its report for those who may see the dashboard, else (`full`,
    «bitácora») with its bitácora (receipts left out) or («informe», short for a phone)
    saying that «bitácora» gives it. False when there is no closed crisis to tell about.
    Drills are left out; «informe» after a drill gives that drill's score (issue 14)."""
    if turn.world.last_drill is not None and not full:
        from flows.drill_summary import send_last_drill

        send_last_drill(turn, by, *turn.world.last_drill, turn.tz_of(by))
        return True
    if turn.world.last_closed is None:
        return False
    crisis, entries = turn.world.last_closed
    playbook = Playbook.from_frozen(crisis.playbook_json)
    links, lang, tz = turn.world.links, turn.lang_of(by), turn.tz_of(by)
    link = links.personal(by, panel.report_path(crisis.id)) if links and panel.may_view(turn.directory, playbook, by) else None
    turn.send(by, closed_summary(crisis, playbook, entries, lang, tz, link, now=turn.now, ask_log=not full))
    if link is None and full:
        lines = log_lines(entries, turn.directory, playbook, lang, tz, RECEIPTS)
        turn.send_key(by, "last_closed_log", id=crisis.id, lines="\n".join(lines))
    return True

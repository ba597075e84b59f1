"""The engine: one command and the world in, the outcome out. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Callable

from flows import banner, closing, describe, digest, drill_ahead, drill_injects, drills, inputs, lifecycle, manage, panel, render, tasks, unreachable, which
from flows.case_help import on_case_help
from flows.cases import ask, chat, opening, routing, status
from flows.commands import (
    CaseHelp,
    Command,
    ContactLost,
    ContactRestored,
    Declare,
    MyCases,
    OpenCase,
    Press,
    RecurringDue,
    Say,
    ScheduleDrill,
    StartDrill,
    TimerFired,
    TimersFired,
)
from flows.crisis import CrisisState, ProposalKind
from flows.matching import REPORT_WORDS, Intent, normalize, read
from flows.messages import GROUP, ActionKind, OutMessage, TimerKind
from flows.playbook import StepMode
from flows.progress import post_summary
from flows.world import Outcome, Turn, World

# Log kinds that do not change what the live summary shows.
_QUIET = frozenset({"status", "joined", "info", "claim_refused", "reminder", "proposed_declare", "proposed_close",
                    "proposal_dismissed", "delivered", "delivery_failed", "panel_link", banner.SET,
                    "contact_lost", "contact_restored", "note"})
# ("corrected" and "assigned" are not quiet: they change what the live summary shows, a value or an owner)


def handle(world: World, command: Command) -> Outcome:
    personal = Say | Press | OpenCase | MyCases | CaseHelp | Declare | StartDrill | ScheduleDrill
    channel = command.channel if isinstance(command, personal) else "sistema"
    turn = Turn(world, channel)
    if isinstance(command, personal) and world.directory.get(command.person) is None:
        return turn.out  # handlers tell unknown people so before reaching the engine
    if isinstance(command, CaseHelp):
        on_case_help(turn, command)
    elif isinstance(command, StartDrill) and command.channel == drill_ahead.SCHEDULED_CHANNEL:
        drill_ahead.start_scheduled(turn, command)  # a drill scheduled ahead, now due
    elif isinstance(command, StartDrill):
        drills.start(turn, command.person, command.description, command.injects)
    elif isinstance(command, ScheduleDrill):
        drill_ahead.schedule(turn, command)
    elif isinstance(command, Declare):
        lifecycle.declare(turn, command.person, command.description, reported_by=command.reported_by)
    elif isinstance(command, OpenCase):
        opening.open_case(turn, command)
    elif isinstance(command, MyCases):
        status.my_cases(turn, command.person)
    elif isinstance(command, Say) and turn.playbook.is_case:
        chat.on_say(turn, command)  # a case: its own commands only (flows/cases/chat.py)
    elif isinstance(command, Say):
        on_say(turn, command)
    elif isinstance(command, Press):
        on_press(turn, command)
    elif isinstance(command, TimerFired):
        on_timer(turn, command)
    elif isinstance(command, TimersFired):
        for timer in digest.latest_timers(command.timers):  # due together: the latest state once
            on_timer(turn, timer)
    elif isinstance(command, ContactLost):
        unreachable.contact_lost(turn, command)
    elif isinstance(command, ContactRestored):
        unreachable.contact_restored(turn, command)
    elif isinstance(command, RecurringDue):
        on_recurring(turn, command)
    crisis = turn.out.crisis
    if crisis is not None and not crisis.is_case and crisis.state != CrisisState.CLOSED and any(e.kind not in _QUIET for e in turn.out.log):
        post_summary(turn)
    turn.out.messages = digest.coalesce(turn.out.messages)  # a task's nudge or card once per person
    turn.out.messages.sort(key=_reading_order(world))
    return turn.out


def needs_log(world: World, command: Command) -> bool:
    """Whether the command may read the bitácora: a chat line («bitácora», the banner's
    message), confirming a closing, or anything once the crisis is closing (its end posts
    the report). Other commands skip loading it; nothing on a case reads its log (flows/cases
    answers from its tasks and fields)."""
    if world.crisis is not None and world.crisis.is_case:
        return False
    if isinstance(command, Say):
        return True
    if isinstance(command, Press) and command.action.kind in (ActionKind.CONFIRM, ActionKind.STATUS):
        return True  # «estado» also shows who can be reached, read with the bitácora
    return world.crisis is not None and world.crisis.state == CrisisState.CLOSING


def needs_last_closed(world: World, command: Command) -> bool:
    """Whether to load the last closed crisis: only «informe»/«bitácora» with none open."""
    if not isinstance(command, Say) or world.crisis is not None:
        return False
    return read(command.text, world.playbook.declare_phrase, world.playbook.close_phrase).intent == Intent.LOG


def _reading_order(world: World) -> Callable[[OutMessage], int]:
    """The group first, then each person's messages together, in directory order
    (stable, so each person still reads theirs in the order they were made)."""
    rank = {p.id: i for i, p in enumerate(world.directory.people, start=1)}
    return lambda message: 0 if message.to == GROUP else rank.get(message.to, len(rank) + 1)


def on_say(turn: Turn, cmd: Say) -> None:
    by, crisis = cmd.person, turn.out.crisis
    reading = read(cmd.text, turn.playbook.declare_phrase, turn.playbook.close_phrase, turn.playbook.drill.phrase)
    if crisis is not None and describe.take_answer(turn, by, cmd.text, reading, cmd.direct):
        return  # the answer to a question the bot asked (never a command, a button, an old question)
    if reading.intent == Intent.DRILL:
        drill_ahead.on_phrase(turn, by, reading.rest)  # now, ahead, a surprise, or cancel
    elif reading.intent == Intent.DECLARE and crisis is not None and crisis.drill:
        drills.ask_if_real(turn, by, cmd.text)
    elif reading.intent == Intent.DECLARE:
        if crisis is not None or turn.is_declarer(by):
            lifecycle.declare(turn, by, reading.rest)
        else:
            lifecycle.propose(turn, ProposalKind.DECLARE, by, cmd.text)
    elif reading.intent == Intent.DECLARE_MENTION:
        if crisis is not None:
            lifecycle.join(turn, by, "")
        else:
            lifecycle.propose(turn, ProposalKind.DECLARE, by, cmd.text)
    elif reading.intent in (Intent.CLOSE, Intent.CLOSE_MENTION):
        if crisis is None:
            turn.send_key(by, "no_open_crisis")
        elif reading.intent == Intent.CLOSE and turn.is_declarer(by):
            lifecycle.request_close(turn, by, cmd.text)  # asks first when work is undone
        elif crisis.state == CrisisState.CLOSING:
            lifecycle.close(turn, by)  # tells them the closing is under way
        else:
            lifecycle.propose(turn, ProposalKind.CLOSE, by, cmd.text)
    elif reading.intent == Intent.STATUS:
        send_status(turn, by)
    elif reading.intent == Intent.LOG:
        send_log(turn, by, full=normalize(cmd.text) not in REPORT_WORDS)
        panel.send_report_link(turn, by)
    elif reading.intent == Intent.PANEL:
        panel.send_link(turn, by)
    elif reading.intent == Intent.BANNER:
        banner.on_say(turn, by, reading.rest)
    elif reading.intent == Intent.NOTE:
        manage.note(turn, by, reading.rest)
    elif reading.intent == Intent.TASK and not reading.step:
        picked = which.pick(turn, by, reading.verb) if crisis is not None else None
        if crisis is None:
            turn.send_key(by, "no_open_crisis")
        elif picked is not None:
            tasks.TASK_ACTIONS[ActionKind(reading.verb)](turn, by, *picked)
    elif reading.intent in (Intent.TASK, Intent.CORRECT):
        if crisis is None:
            turn.send_key(by, "no_open_crisis")
        elif not tasks.act_on_step(turn, by, reading):
            turn.send_key(by, "unknown_step", number=reading.step)
    elif reading.intent == Intent.MY_TASKS:
        if crisis is None:
            turn.send_key(by, "no_open_crisis")
        else:
            tasks.my_tasks(turn, by)
    elif reading.intent == Intent.HELP:
        inputs.send_help(turn, by)
    elif cmd.direct:
        turn.send_key(by, "not_understood")


def send_status(turn: Turn, by: str) -> None:
    crisis = turn.out.crisis
    if crisis is None:
        if not drill_ahead.status_note(turn, by):  # a drill announced ahead is mentioned
            turn.send_key(by, "no_open_crisis")
        return
    if crisis.is_case:
        status.send_status(turn, by)
        return
    turn.log("status", by)
    lang, tz = turn.lang_of(by), turn.tz_of(by)
    turn.send(by, render.status_text(crisis, turn.playbook, turn.directory, turn.now, lang, tz, turn.world.delivery),
              panel.status_buttons(turn, by), kind="status")


def send_log(turn: Turn, by: str, full: bool = True) -> None:
    """The bitácora of the open crisis (`full`, «bitácora») or its status («informe»: short
    for a phone, saying that «bitácora» gives the whole log); with none open, the last
    closed one's summary (issue 11 points 6 and 10)."""
    crisis = turn.out.crisis
    if crisis is None:
        if not closing.send_last_closed(turn, by, full):  # right after closing: the last one's summary
            turn.send_key(by, "no_open_crisis")
        return
    if not full:  # «informe» on a phone: the status, short; «bitácora» gives the whole log
        send_status(turn, by)
        turn.send_key(by, "closed_ask_log")
        return
    lang, tz = turn.lang_of(by), turn.tz_of(by)
    lines = render.log_lines(turn.world.log, turn.directory, turn.playbook, lang, tz, render.RECEIPTS)
    text = "\n".join(lines) if lines else turn.say("log_empty")
    turn.send_key(by, "log_head", id=crisis.id, lines=text)


def on_press(turn: Turn, cmd: Press) -> None:
    by, action = cmd.person, cmd.action
    if action.kind in (ActionKind.CONFIRM, ActionKind.DISMISS):
        proposal = next((p for p in turn.world.proposals if p.id == action.ref), None)
        if proposal is None:
            turn.send_key(by, "proposal_expired")
        else:
            lifecycle.resolve_proposal(turn, proposal, by, confirm=action.kind == ActionKind.CONFIRM)
        return
    if action.kind == ActionKind.STATUS:
        send_status(turn, by)
        return
    if action.kind == ActionKind.PANEL:
        panel.send_link(turn, by)
        return
    if action.kind == ActionKind.NOTE:
        manage.note(turn, by, cmd.value)
        return
    crisis_id, step_id = action.task_ref()
    crisis = turn.out.crisis
    if crisis is None or crisis.id != crisis_id or step_id not in crisis.tasks:
        turn.send_key(by, "crisis_over")
        return
    step, task = turn.playbook.step(step_id), crisis.tasks[step_id]
    if action.kind == ActionKind.COMPLETE:
        # on a round, the only such button is «Dar por cumplido», which says what it does: not asked again
        tasks.finish(turn, by, step, task, cmd.value, confirmed=step.mode == StepMode.EACH)
    elif action.kind == ActionKind.CHOOSE:
        ask.choose(turn, by, step, task, action.choice())
    elif action.kind in manage.TASK_ACTIONS:
        manage.TASK_ACTIONS[action.kind](turn, by, step, task, cmd.value)
    elif action.kind == ActionKind.CORRECT:
        if cmd.value is not None and cmd.value.strip():
            inputs.correct(turn, by, step, task, cmd.value)
        else:
            inputs.ask_correction(turn, by, step, task)
    else:
        tasks.TASK_ACTIONS[action.kind](turn, by, step, task)


def on_timer(turn: Turn, cmd: TimerFired) -> None:
    crisis = turn.out.crisis
    if cmd.kind == TimerKind.INJECT:  # a drill's scripted event: no task of its own
        drill_injects.fire(turn, cmd)
        return
    if crisis is None or crisis.id != cmd.crisis_id or cmd.step_id not in crisis.tasks:
        return
    if cmd.kind == TimerKind.WAIT:
        routing.wait_over(turn, turn.playbook.step(cmd.step_id), crisis.tasks[cmd.step_id])
        return
    tasks.fire(turn, turn.playbook.step(cmd.step_id), crisis.tasks[cmd.step_id], cmd.kind, cmd.seq)


def on_recurring(turn: Turn, cmd: RecurringDue) -> None:
    recurring = next((r for r in turn.world.playbook.recurring if r.id == cmd.recurring_id), None)
    if recurring is None:
        return
    people = turn.directory.with_any_role(recurring.roles)
    turn.log("recurring", None, id=recurring.id, names=", ".join(p.name for p in people))
    for person in people:
        turn.send_key(person.id, "recurring", text=recurring.text)

"""Drills (issue 14): a playbook rehearsed in the real channels.

A drill is the playbook's crisis with `Crisis.drill` set, started with the playbook's drill
phrase («SIMULACRO», `Playbook.drill.phrase`) by somebody who may declare. While it runs:

- every message says it is a drill, in its reader's language (`Turn.send`);
- the public banner stays down (flows/banner.py `is_up`);
- the crisis keyword is asked about, never taken as joining the drill: «¿crisis real o
  parte del simulacro?» (a `ProposalKind.REAL` question to whoever wrote it);
- a real crisis (that answer from a declarer, or a declarer confirming somebody's
  proposal) ends the drill at once, says so to the group, and is declared in the same
  transaction (`Outcome.then`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flows import confirm, drill_injects, render
from flows.commands import Declare
from flows.crisis import CrisisEvent, CrisisState, Proposal, ProposalEvent, ProposalKind, TaskEvent, TaskState
from flows.messages import GROUP, Action, ActionKind, Button
from flows.playbook import Inject
from flows.texts import t
from flows.world import Turn


@contextmanager
def unmarked(turn: Turn) -> Iterator[None]:
    """Messages sent inside are about a real crisis: no drill prefix."""
    before, turn.drill_mark = turn.drill_mark, False
    try:
        yield
    finally:
        turn.drill_mark = before


def start(turn: Turn, by: str, description: str, injects: tuple[Inject, ...] | None = None) -> None:
    """«SIMULACRO [texto]»: a drill of the playbook, by somebody who may declare, when no
    crisis (real or drill) is open. `injects` (a drill file's) replace the playbook's
    scripted events in the copy frozen into this drill."""
    from flows import lifecycle  # lifecycle builds on this module

    crisis = turn.world.crisis
    if crisis is not None:
        key = "drill.already_drill" if crisis.drill else "drill.crisis_open"
        with unmarked(turn):
            turn.send_key(by, key, at=render.clock_time(crisis.declared_at, turn.tz_of(by)))
        return
    if not turn.is_declarer(by):
        turn.send_key(by, "drill.not_declarer", names=render.names(
            turn.directory, [p.id for p in turn.directory.with_any_role(turn.playbook.declarers)]))
        return
    if injects is not None:
        playbook = turn.world.playbook
        turn.world.playbook = playbook.model_copy(update={"drill": playbook.drill.model_copy(update={"injects": list(injects)})})
    lifecycle.declare(turn, by, description, drill=True)
    drill_injects.arm(turn)  # its scripted events, due on the drill's clock (issue 14 point 3)


def ask_if_real(turn: Turn, by: str, text: str) -> None:
    """The crisis keyword during a drill: ask whoever wrote it whether it is real. The same
    pending question is shown again, not stacked."""
    crisis = turn.out.crisis
    assert crisis is not None
    proposal = next((p for p in confirm.pending(turn, ProposalKind.REAL) if p.proposed_by == by
                     and p.crisis_id == crisis.id), None)
    if proposal is None:
        proposal = confirm.open_question(turn, ProposalKind.REAL, by, text)
        turn.log("asked_if_real", by, text=text)
    lang = turn.lang_of(by)
    buttons = (Button(t(lang, "drill.btn_real"), Action(ActionKind.CONFIRM, proposal.id), "danger"),
               Button(t(lang, "drill.btn_part"), Action(ActionKind.DISMISS, proposal.id)))
    with unmarked(turn):  # the question itself is real: it may start a real crisis
        turn.send(by, t(lang, "drill.real_ask", text=text,
                        at=render.clock_time(crisis.declared_at, turn.tz_of(by))),
                  buttons, ref=f"proposal:{proposal.id}", kind="proposal")


def resolve(turn: Turn, proposal: Proposal, by: str, real: bool) -> None:
    """The answer to «¿crisis real o parte del simulacro?» (only its asker answers it)."""
    from flows import lifecycle

    if by != proposal.proposed_by:
        turn.send_key(by, "safety.not_for_you", who=render.who(turn.directory, proposal.proposed_by, turn.lang_of(by)))
        return
    crisis = turn.out.crisis
    drill_running = crisis is not None and crisis.drill and crisis.id == proposal.crisis_id and crisis.is_open
    if not real:
        confirm.settle(turn, proposal, ProposalEvent.DISMISS, by)
        turn.log("part_of_drill", by, text=proposal.text)
        if drill_running:
            turn.send_key(by, "drill.part_kept")
        else:
            turn.send_key(by, "crisis_over")
        return
    confirm.settle(turn, proposal, ProposalEvent.CONFIRM, by)
    if not drill_running:  # the drill ended meanwhile: the keyword is read as it is now
        turn.out.then = Declare(by, _description(turn, proposal.text), None, turn.channel)
        return
    if turn.is_declarer(by):
        end_for_real(turn, by, _description(turn, proposal.text))
        return
    with unmarked(turn):  # a real proposal, to the declarers, as ALERTA ROJA outside a drill
        lifecycle.propose(turn, ProposalKind.DECLARE, by, proposal.text, question_key="drill.proposal_real")


def _description(turn: Turn, text: str) -> str:
    from flows.matching import read

    return read(text, turn.playbook.declare_phrase, turn.playbook.close_phrase).rest


def end_for_real(turn: Turn, by: str, description: str, reported_by: str | None = None) -> None:
    """A real crisis during a drill: the drill ends now (its open tasks cancelled, its
    timers with them, its questions expired), the group is told, and the real crisis is
    declared next in the same transaction (`Outcome.then`)."""
    from flows import lifecycle
    from flows.progress import cancel_timers, post_summary, refresh_cards

    drill = turn.out.crisis
    assert drill is not None and drill.drill
    for step, task in turn.task_pairs():
        if task.state in (TaskState.OPEN, TaskState.CLAIMED, TaskState.WAITING):
            task.move(TaskEvent.CANCEL)
            task.asking = None
            cancel_timers(turn, step)
            refresh_cards(turn, step, task)  # no buttons left on the drill's cards (Slack edits; phones leave it out)
    for kind in (ProposalKind.CLOSE, ProposalKind.ACT, ProposalKind.DESCRIBE, ProposalKind.REAL, ProposalKind.DECLARE):
        lifecycle.expire_proposals(turn, kind)
    drill.move(CrisisEvent.END if drill.state == CrisisState.ACTIVE else CrisisEvent.FINISH)
    drill.closed_at = turn.now
    drill_injects.stop(turn)
    turn.log("drill_ended", by, reason="real_crisis")
    post_summary(turn)  # the drill's live message shows it ended (Slack redraws it in place)
    with unmarked(turn):
        turn.send(GROUP, lambda lang: t(lang, "drill.ended_real", by=turn.person(by).name,
                                        at=render.clock_time(turn.now, turn.tz)), kind="announcement")
        # issue 14 point 4: the drill's score, short (a real crisis follows); unmarked, since from
        # here on everything is real, and its own words name the drill
        from flows.drill_summary import send_score

        send_score(turn, [*turn.world.log, *turn.out.log], short=True)
    turn.out.then = Declare(by, description, reported_by, turn.channel)

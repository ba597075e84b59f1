"""Declaring and closing a crisis, and proposals from people who may not do it themselves."""

from __future__ import annotations

from flows import banner, confirm, describe, drills, render, tasks
from flows.crisis import (
    Crisis,
    CrisisEvent,
    CrisisState,
    Proposal,
    ProposalEvent,
    ProposalKind,
    ProposalState,
    TaskEvent,
    TaskState,
)
from flows.matching import read
from flows.messages import GROUP, Action, ActionKind, Button
from flows.playbook import Phase, Step
from flows.progress import cancel_timers, complete, finish_if_done, refresh_cards, spawn
from flows.texts import t
from flows.world import Turn


def plan_lines(turn: Turn, phase: Phase, lang: str, not_needed: dict[str, str] | None = None) -> str:
    """The steps of `phase` people will be asked for, one line each; then those not
    needed (`not_needed`: step id -> reason), which nobody is asked for."""
    skipped = not_needed or {}
    lines = [
        t(lang, "plan_line", number=s.number, title=s.title, names=", ".join(p.name for p in turn.responsibles(s)))
        for s in turn.playbook.steps_of(phase)
        if s.auto is None and not banner.is_bot_step(turn.playbook, s) and s.id not in skipped
    ]
    if skipped:
        lines.append(t(lang, "safety.not_needed_head"))
        lines += [t(lang, "safety.not_needed_line", number=s.number, title=s.title, reason=skipped[s.id])
                  for s in turn.playbook.steps_of(phase) if s.id in skipped]
    return "\n".join(lines)


def declare(turn: Turn, by: str, description: str, reported_by: str | None = None, drill: bool = False) -> None:
    """Open the crisis (a drill when `drill`, flows/drills.py), or join the one open."""
    if turn.world.crisis is not None:
        join(turn, by, description)
        return
    turn.playbook = turn.world.playbook
    crisis = Crisis(
        id=f"{turn.now:%Y%m%d}-{turn.world.new_id()[:4]}", playbook_id=turn.playbook.id, state=CrisisState.ACTIVE, declared_at=turn.now,
        declared_by=by, playbook_json=turn.playbook.model_dump_json(),
        description=description if description and reported_by is None else None,
        reported_by=reported_by, drill=drill,
    )
    turn.out.crisis = crisis
    if drill:
        turn.log("declared", by, reported_by=reported_by, drill=True)
    else:
        turn.log("declared", by, reported_by=reported_by)
    for kind in (ProposalKind.DECLARE, ProposalKind.CLOSE, ProposalKind.ACT, ProposalKind.DESCRIBE):
        expire_proposals(turn, kind)  # questions left over from an earlier crisis

    def announcement(lang: str) -> str:
        reported = t(lang, "declared_reported", who=render.who(turn.directory, reported_by, lang)) if reported_by else ""
        desc = t(lang, "declared_report" if reported_by else "declared_description", text=description) if description else ""
        return t(lang, "drill.declared" if drill else "declared", by=turn.person(by).name, at=render.clock_time(turn.now, turn.tz),
                 reported=reported, description=desc, plan=plan_lines(turn, Phase.CRISIS, lang))

    turn.send(GROUP, announcement, ref=f"announcement:{crisis.id}", kind="announcement")
    spawn(turn, Phase.CRISIS, by)
    for step, task in turn.task_pairs():
        if step.claimed_by_declarer and task.asking == by and step.input is not None:
            if description and reported_by is None:
                complete(turn, step, task, by, description)
            else:
                turn.send_key(by, "ask_description")


def join(turn: Turn, by: str, text: str) -> None:
    crisis = turn.world.crisis
    assert crisis is not None
    turn.log("joined", by)
    turn.send_key(by, "already_open", at=render.clock_time(crisis.declared_at, turn.tz_of(by)),
                  by=turn.person(crisis.declared_by).name)
    if text:
        turn.log("info", by, text=text)
        turn.send_key(GROUP, "info_added", by=turn.person(by).name, text=text)


def request_close(turn: Turn, by: str, text: str) -> None:
    """FIN DE LA CRISIS from a declarer: closes at once when nothing is undone; otherwise
    asks them first, saying what is still open and unsigned (issue 11 point 1), and closes
    on «Cerrar igual». While that question is pending, FIN again shows it again (updated)."""
    crisis = turn.out.crisis
    lang = turn.lang_of(by)
    undone = confirm.undone_text(turn, lang)
    if crisis is None or crisis.state != CrisisState.ACTIVE or undone is None:
        close(turn, by)
        return
    proposal = next((p for p in confirm.pending(turn, ProposalKind.CLOSE)
                     if p.proposed_by == by and p.crisis_id == crisis.id), None)
    if proposal is None:
        proposal = confirm.open_question(turn, ProposalKind.CLOSE, by, text)
        turn.log("proposed_close", by, text=text)
    confirm.ask(turn, proposal, by, t(lang, "safety.close_ask", undone=undone), "safety.btn_close_anyway",
                "safety.btn_keep_open")


def not_needed_closing(turn: Turn) -> dict[str, str]:
    """Closing steps that undo a crisis step that was never done (`undoes`): step id -> why
    they are not needed, in the group's language (the reason is stored with the task). A
    step somebody took but did not mark done may have been done (the banner may be up): its
    undoing is still asked for (review R3); `owner` survives the cancel at FIN."""
    crisis = turn.out.crisis
    assert crisis is not None
    found: dict[str, str] = {}
    for step in turn.playbook.steps_of(Phase.CLOSING):
        undone = crisis.tasks.get(step.undoes) if step.undoes else None
        if step.undoes and (undone is None or (undone.state != TaskState.DONE and undone.owner is None)):
            found[step.id] = turn.say("safety.not_needed_reason", number=_number(turn, step.undoes))
    return found


def _number(turn: Turn, step_id: str) -> str:
    try:
        return turn.playbook.step(step_id).number
    except KeyError:
        return step_id


def close(turn: Turn, by: str) -> None:
    """Announce FIN DE LA CRISIS now: the crisis tasks left are not done, the closing ones
    start (those undoing what was never done start as not needed)."""
    crisis = turn.out.crisis
    if crisis is None:
        turn.send_key(by, "no_open_crisis")
        return
    if crisis.state == CrisisState.CLOSING:
        turn.send_key(by, "closing_in_progress", at=render.clock_time(crisis.closing_at or turn.now, turn.tz_of(by)),
                      by=render.who(turn.directory, crisis.closing_by, turn.lang_of(by)))
        return
    crisis.move(CrisisEvent.CLOSE)
    crisis.closing_at, crisis.closing_by = turn.now, by
    turn.log("closing", by)
    for kind in (ProposalKind.CLOSE, ProposalKind.ACT, ProposalKind.DESCRIBE):
        expire_proposals(turn, kind)
    for step, task in turn.task_pairs():
        if not task.finished:
            if task.state in (TaskState.OPEN, TaskState.CLAIMED, TaskState.WAITING):
                task.move(TaskEvent.CANCEL)
                task.asking = None
                cancel_timers(turn, step)
                turn.log("cancelled", None, step.id)
                refresh_cards(turn, step, task)  # no buttons left on it (Slack edits; phones leave it out)
    not_needed = not_needed_closing(turn)
    turn.send(GROUP, lambda lang: t(lang, "closing_started", by=turn.person(by).name, at=render.clock_time(turn.now, turn.tz),
                                    plan=plan_lines(turn, Phase.CLOSING, lang, not_needed)),
              ref=f"closing:{crisis.id}", kind="announcement")
    spawn(turn, Phase.CLOSING, by, not_needed)
    finish_if_done(turn)


# proposals ---------------------------------------------------------------


def propose(turn: Turn, kind: ProposalKind, by: str, text: str, question_key: str | None = None) -> None:
    """Someone who may not act (or only mentioned the phrase) asks the declarers.
    `question_key`: the text of the question to the declarers, when not the usual one (a
    real crisis reported during a drill says so, flows/drills.py)."""
    self_confirm = turn.is_declarer(by)
    targets = [by] if self_confirm else [p.id for p in turn.directory.with_any_role(turn.playbook.declarers)]
    waiting = [p for p in turn.world.proposals if p.kind == kind and p.state == ProposalState.PENDING]
    if waiting and not self_confirm:
        turn.log(f"proposed_{kind.value}", by, text=text)
        turn.send_key(by, "proposal_waiting", names=render.names(turn.directory, targets))
        return
    proposal = Proposal(id=turn.world.new_id(), kind=kind, playbook_id=turn.playbook.id, proposed_by=by, text=text,
                        created_at=turn.now, crisis_id=turn.out.crisis.id if turn.out.crisis else None)
    turn.out.proposals.append(proposal)
    turn.log(f"proposed_{kind.value}", by, text=text)
    for target in targets:
        lang = turn.lang_of(target)
        confirm_key = "btn_confirm_declare" if kind == ProposalKind.DECLARE else "btn_confirm_close"
        buttons = (
            Button(t(lang, confirm_key), Action(ActionKind.CONFIRM, proposal.id), "danger"),
            Button(t(lang, "btn_dismiss"), Action(ActionKind.DISMISS, proposal.id)),
        )
        key = question_key or ("proposal_self_" if self_confirm else "proposal_") + kind.value
        question = t(lang, key, who=turn.person(by).name, text=text)
        undone = confirm.undone_text(turn, lang) if kind == ProposalKind.CLOSE else None
        if undone:  # whoever confirms the closing sees what is still open (issue 11 point 1)
            question += "\n" + t(lang, "safety.proposal_undone", undone=undone)
        turn.send(target, question, buttons, ref=f"proposal:{proposal.id}", kind="proposal")
    if not self_confirm:
        sent_key = "proposal_sent" if kind == ProposalKind.DECLARE else "proposal_close_sent"
        turn.send_key(by, sent_key, names=render.names(turn.directory, targets))


def expire_proposals(turn: Turn, kind: ProposalKind) -> None:
    for proposal in turn.world.proposals:
        if proposal.kind == kind and proposal.state == ProposalState.PENDING:
            proposal.move(ProposalEvent.EXPIRE)
            turn.out.proposals.append(proposal)


def resolve_proposal(turn: Turn, proposal: Proposal, by: str, confirm: bool) -> None:
    if proposal.state != ProposalState.PENDING:
        turn.send_key(by, "proposal_done", state=proposal.state.value)
        return
    if proposal.kind == ProposalKind.REAL:
        drills.resolve(turn, proposal, by, real=confirm)
        return
    if proposal.kind in (ProposalKind.ACT, ProposalKind.DESCRIBE):
        if by != proposal.proposed_by:
            turn.send_key(by, "safety.not_for_you", who=render.who(turn.directory, proposal.proposed_by, turn.lang_of(by)))
        elif proposal.kind == ProposalKind.ACT:
            resolve_act(turn, proposal, by, confirm)
        else:
            describe.resolve(turn, proposal, by, confirm)
        return
    if not turn.is_declarer(by):
        turn.send_key(by, "not_declarer", names=render.names(
            turn.directory, [p.id for p in turn.directory.with_any_role(turn.playbook.declarers)]))
        return
    if not confirm:
        proposal.move(ProposalEvent.DISMISS)
        proposal.resolved_by = by
        turn.out.proposals.append(proposal)
        turn.log("proposal_dismissed", by, who=proposal.proposed_by)
        kept_open = proposal.kind == ProposalKind.CLOSE and proposal.proposed_by == by
        turn.send_key(by, "safety.kept_open" if kept_open else "proposal_dismissed_you")
        if proposal.proposed_by != by:
            turn.send_key(proposal.proposed_by, "proposal_dismissed", by=turn.person(by).name, text=proposal.text)
        return
    if proposal.kind == ProposalKind.CLOSE and (turn.out.crisis is None or turn.out.crisis.id != proposal.crisis_id):
        proposal.move(ProposalEvent.EXPIRE)
        turn.out.proposals.append(proposal)
        turn.send_key(by, "proposal_expired")
        return
    if proposal.kind == ProposalKind.CLOSE and turn.out.crisis is not None and turn.out.crisis.state != CrisisState.ACTIVE:
        proposal.move(ProposalEvent.EXPIRE)  # somebody closed it meanwhile: say so
        turn.out.proposals.append(proposal)
        close(turn, by)
        return
    if (proposal.kind == ProposalKind.CLOSE and proposal.proposed_by != by
            and turn.now - proposal.created_at > describe.ANSWER_WINDOW
            and undone_now(turn, by)):
        # An old request (review R3): what it listed as open is stale, so the declarer is
        # asked «¿Cerrar igual?» with what is open now, as if they had written FIN.
        proposal.move(ProposalEvent.EXPIRE)
        turn.out.proposals.append(proposal)
        request_close(turn, by, proposal.text)
        return
    proposal.move(ProposalEvent.CONFIRM)
    proposal.resolved_by = by
    turn.out.proposals.append(proposal)
    if proposal.kind == ProposalKind.DECLARE:
        rest = read(proposal.text, turn.playbook.declare_phrase, turn.playbook.close_phrase).rest
        reporter = proposal.proposed_by if proposal.proposed_by != by else None
        if turn.out.crisis is not None and turn.out.crisis.drill and turn.out.crisis.is_open:
            drills.end_for_real(turn, by, rest, reported_by=reporter)  # a real crisis ends the drill at once
        else:
            declare(turn, by, rest, reported_by=reporter)
    else:
        close(turn, by)



def undone_now(turn: Turn, by: str) -> bool:
    """Whether FIN now would leave work undone (`confirm.undone_text`)."""
    return confirm.undone_text(turn, turn.lang_of(by)) is not None


def resolve_act(turn: Turn, proposal: Proposal, by: str, confirmed: bool) -> None:
    """The answer to «La tarea 7 la tiene Claudia Riveros. ¿La marcas hecha tú?»: on yes,
    the action is done by `by` (who is named in the bitácora, the messages and the
    report); on no, nothing changes. A task that changed meanwhile is acted on as it is
    now (the action itself says so when it is done or cancelled)."""
    kind, step_id, owner = confirm.act_request(proposal)
    crisis = turn.out.crisis
    step: Step | None = None
    if crisis is not None and crisis.id == proposal.crisis_id and step_id in crisis.tasks:
        step = turn.playbook.step(step_id)
    if step is None or crisis is None:
        confirm.settle(turn, proposal, ProposalEvent.EXPIRE)
        turn.send_key(by, "crisis_over")
        return
    task = crisis.tasks[step_id]
    if not confirmed:
        confirm.settle(turn, proposal, ProposalEvent.DISMISS, by)
        if not owner:  # «¿Dar por cumplido el paso 3 por todos?» «No»
            turn.send_key(by, "rounds.kept", number=step.number)
            return
        turn.send_key(by, "safety.act_kept", number=step.number, owner=render.who(turn.directory, owner, turn.lang_of(by)))
        return
    confirm.settle(turn, proposal, ProposalEvent.CONFIRM, by)
    if task.state == TaskState.CLAIMED and task.owner not in (owner, by):
        confirm.ask_to_act(turn, by, step, task, kind)  # held by a third person now: ask about them
        return
    if owner and confirm.holder(turn, by, step, task) is not None:
        turn.log("act_confirmed_sign" if step.checks and kind == ActionKind.COMPLETE else "act_confirmed", by, step.id,
                 owner=task.owner)
    if kind == ActionKind.GIVE_UP:
        tasks.release(turn, by, step, task)
    else:
        tasks.finish(turn, by, step, task, confirmed=True)

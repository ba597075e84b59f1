"""Who may see the web dashboard, and the links the bot gives them in chat.

The dashboard is never public: a person gets a personal signed link from the bot, and
only people with a role that oversees the crisis get one: the playbook's declarers and
coordinators, and the responsibles of the steps that check others (step 7)."""

from __future__ import annotations

from collections.abc import Iterable

from flows.directory import Directory
from flows.messages import Action, ActionKind, Button
from flows.playbook import Playbook
from flows.texts import t
from flows.world import Turn

PANEL_PATH = "/panel"
CASES_PATH = f"{PANEL_PATH}/casos"  # the queue of open cases (handlers/web/cases.py)


def report_path(crisis_id: str) -> str:
    return f"{PANEL_PATH}/informe/{crisis_id}"


def viewer_roles(playbook: Playbook) -> list[str]:
    """Who oversees a playbook: its declarers and coordinators, and whoever checks others'
    steps; for a case playbook its coordinators (its declarers open nothing: `case.openers` do)."""
    roles = [*playbook.coordinators] if playbook.is_case else [*playbook.declarers, *playbook.coordinators]
    for step in playbook.steps:
        if step.checks:
            roles.extend(step.responsibles)
    return list(dict.fromkeys(roles))


def may_view(directory: Directory, playbook: Playbook, person_id: str, others: Iterable[Playbook] = ()) -> bool:
    """Whether `person_id` oversees `playbook` or one of `others` (the case playbooks running
    beside it: their declarers and coordinators see the queue of cases, issue 12)."""
    roles = [role for pb in (playbook, *others) for role in viewer_roles(pb)]
    return any(p.id == person_id for p in directory.with_any_role(list(dict.fromkeys(roles))))


def send_link(turn: Turn, by: str) -> None:
    """«panel»: a personal link for those who may see the dashboard; a polite no otherwise."""
    if not may_view(turn.directory, turn.playbook, by, turn.world.case_playbooks):
        turn.send_key(by, "panel_refused")
        return
    links = turn.world.links
    if links is None:
        turn.send_key(by, "panel_unavailable")
        return
    turn.log("panel_link", by)
    if not may_view(turn.directory, turn.playbook, by):  # oversees case procedures only: their queue
        turn.send_key(by, "case_help.panel_link", url=links.personal(by, CASES_PATH), minutes=links.ttl_minutes)
        return
    turn.send_key(by, "panel_link", url=links.personal(by), minutes=links.ttl_minutes)


def status_buttons(turn: Turn, by: str) -> tuple[Button, ...]:
    """A «Panel» button on the status answer: a link where the transport can open one,
    otherwise pressing it asks the bot for the link."""
    links = turn.world.links
    if links is None or not may_view(turn.directory, turn.playbook, by):
        return ()
    crisis = turn.out.crisis
    action = Action(ActionKind.PANEL, crisis.id if crisis else "-")
    return (Button(t(turn.lang_of(by), "btn_panel"), action, url=links.personal(by)),)


def send_report_link(turn: Turn, by: str) -> None:
    """After the bitácora in chat («informe»): the report of the open crisis, for viewers."""
    crisis, links = turn.out.crisis, turn.world.links
    if crisis is None or links is None or not may_view(turn.directory, turn.playbook, by):
        return
    turn.send_key(by, "report_link_you", url=links.personal(by, report_path(crisis.id)), minutes=links.ttl_minutes)


def report_url(turn: Turn, crisis_id: str) -> str | None:
    """The report's plain address, for the group: opening it needs a personal link first."""
    links = turn.world.links
    return links.page(report_path(crisis_id)) if links is not None else None

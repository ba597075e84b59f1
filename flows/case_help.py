"""«/caso» naming no case playbook, or a short id no case has (issue 12, point 5): the
person is told which procedures open cases and how, or that there is no such case."""

from __future__ import annotations

from flows.commands import CaseHelp
from flows.playbook import Playbook
from flows.texts import t
from flows.world import Turn


def how_to_open(playbooks: tuple[Playbook, ...], lang: str) -> str:
    """One line per case playbook: «/caso <id> …» and its open phrase, with its required fields."""
    lines = []
    for playbook in playbooks:
        if playbook.case is None:
            continue
        required = " ".join(f"{f.id}=…" for f in playbook.fields if f.required)
        phrase = playbook.case.open_phrase.in_lang(lang) if playbook.case.open_phrase else ""
        lines.append(t(lang, "case_help.line", name=playbook.name, id=playbook.id, fields=required,
                       phrase=t(lang, "case_help.phrase", phrase=phrase) if phrase else ""))
    return "\n".join(lines)


def on_case_help(turn: Turn, cmd: CaseHelp) -> None:
    lang = turn.lang_of(cmd.person)
    listing = how_to_open(turn.world.case_playbooks, lang)
    if cmd.unknown:
        turn.send_key(cmd.person, "case_help.unknown_case", short_id=cmd.unknown)
    elif not listing:
        turn.send_key(cmd.person, "case_help.none")
    else:
        key = "case_help.unknown_playbook" if cmd.asked else "case_help.list"
        turn.send_key(cmd.person, key, asked=cmd.asked, lines=listing)

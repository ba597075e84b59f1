"""The drill's score in chat (issue 14 point 4): when a drill ends, after its closing or
cut short by a real crisis, its declarer and the coordinators each get the score and the
first things to improve, with a personal link to the drill's report for those who may see
the dashboard; «informe» after a drill says it again. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from flows import panel
from flows.crisis import Crisis
from flows.directory import Directory
from flows.drill_score import DrillScore, ImproveKind, Improvement, score
from flows.messages import LogEntry
from flows.playbook import Playbook
from flows.render import age, clock_time, who
from flows.texts import t, tn
from flows.world import Turn

TOP = 3  # items to improve shown in chat; the report lists them all


def improvement_text(item: Improvement, directory: Directory, lang: str) -> str:
    """One item to improve, one line, in the reader's language (no bullet)."""
    if item.kind in (ImproveKind.LATE, ImproveKind.NOT_DONE, ImproveKind.UNFINISHED, ImproveKind.NOT_REACHED):
        assert item.step is not None
        step = item.step
        if item.kind == ImproveKind.LATE:
            return t(lang, "drill_score.improve_late", number=step.number, title=step.title,
                     late=age(item.amount or timedelta(), lang), deadline=age(item.deadline or timedelta(), lang))
        return t(lang, f"drill_score.improve_{item.kind.value}", number=step.number, title=step.title,
                 deadline=age(item.deadline or timedelta(), lang))
    name = who(directory, item.person, lang)
    if item.kind == ImproveKind.SILENT:
        return tn(lang, "drill_score.improve_silent", len(item.steps), name=name,
                  steps=", ".join(s.number for s in item.steps))
    key = "drill_score.improve_undelivered" if item.kind == ImproveKind.UNDELIVERED else "drill_score.improve_unread"
    return tn(lang, key, item.count, name=name)


def headline(result: DrillScore, lang: str) -> str:
    """«Resultado del simulacro: 60 % de los pasos dentro de su plazo (3 de 5).»"""
    if result.percent is None:
        return t(lang, "drill_score.head_none", id=result.crisis_id)
    return t(lang, "drill_score.head", id=result.crisis_id, pct=result.percent, within=result.within,
             counted=len(result.scored))


def chat_text(
    result: DrillScore, directory: Directory, lang: str, link: str | None, top: int = TOP, short: bool = False,
) -> str:
    """The score, the first `top` items to improve (and how many more), the report link.
    `short`: the score and the link alone."""
    lines = [headline(result, lang)]
    if short:
        pass
    elif result.improve:
        lines.append(t(lang, "drill_score.improve_head"))
        lines += ["• " + improvement_text(i, directory, lang) for i in result.improve[:top]]
        if len(result.improve) > top:
            lines.append(tn(lang, "drill_score.improve_more", len(result.improve) - top))
    else:
        lines.append(t(lang, "drill_score.improve_nothing"))
    if link:
        lines.append(t(lang, "drill_score.link", url=link))
    return "\n".join(lines)


def recipients(crisis: Crisis, playbook: Playbook, directory: Directory) -> list[str]:
    """The drill's declarer, then the coordinators, each once, in directory order."""
    coordinators = [p.id for p in directory.with_any_role(playbook.coordinators)]
    return list(dict.fromkeys([crisis.declared_by, *coordinators]))


def send_score(turn: Turn, entries: Sequence[LogEntry], short: bool = False) -> None:
    """Post the ended drill's score (turn.out.crisis) to its declarer and coordinators and
    note it in the bitácora («drill_scored»). `entries`: the drill's bitácora so far.
    `short`: the score and the link only (a real crisis is being declared: what to improve
    waits in the report)."""
    crisis = turn.out.crisis
    assert crisis is not None and crisis.drill
    result = score(crisis, turn.playbook, [*entries], turn.directory, turn.now)
    turn.log("drill_scored", None, pct=result.percent if result.percent is not None else "-",
             within=result.within, counted=len(result.scored))
    links = turn.world.links
    for person in recipients(crisis, turn.playbook, turn.directory):
        if turn.directory.get(person) is None:
            continue
        link = (links.personal(person, panel.report_path(crisis.id))
                if links is not None and panel.may_view(turn.directory, turn.playbook, person) else None)
        text = chat_text(result, turn.directory, turn.lang_of(person), link, top=0 if short else TOP, short=short)
        turn.send(person, text, ref=f"drill_score:{crisis.id}", kind="report")


def send_last_drill(turn: Turn, by: str, drill: Crisis, entries: Sequence[LogEntry], tz: ZoneInfo) -> None:
    """«informe» when the last thing closed is a drill: its score again, marked as a drill
    (the turn has no drill open, so the mark is written here), with the report link."""
    playbook = Playbook.from_frozen(drill.playbook_json)
    result = score(drill, playbook, entries, turn.directory, turn.now)
    lang, links = turn.lang_of(by), turn.world.links
    link = (links.personal(by, panel.report_path(drill.id))
            if links is not None and panel.may_view(turn.directory, playbook, by) else None)
    when = t(lang, "drill_score.ended_at", at=clock_time(drill.closed_at or turn.now, tz))
    turn.send(by, t(lang, "drill.prefix") + when + "\n" + chat_text(result, turn.directory, lang, link), kind="report")

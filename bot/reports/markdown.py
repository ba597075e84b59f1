"""The report in Markdown: what `crisisbot informe <id>` prints."""

from __future__ import annotations

from bot.reports.view import ReportView
from flows.texts import t


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def to_markdown(view: ReportView, extra: str = "") -> str:
    """`extra`: a section in Markdown after the figures (a drill's score, bot/reports/drill.py)."""
    lang = view.lang
    out = [f"# {view.title}", ""]
    out += _table(["", ""], [[f"**{label}**", value] for label, value in view.facts])
    out += ["", f"## {t(lang, 'rep.figures')}", ""]
    out += _table(["", ""], [[f"**{label}**", value] for label, value in view.figures])
    if extra:
        out += ["", extra.rstrip("\n")]
    out += ["", f"## {t(lang, 'rep.tasks')}", ""]
    out += _table(view.columns, [
        [r.number, r.title, r.responsibles, r.taken_by, r.to_take, r.to_finish, r.reminders, r.escalations,
         f"**{r.result}**" if r.late else r.result]
        for r in view.rows
    ])
    for sign_off in view.sign_offs:
        out += ["", f"## {sign_off.heading}", "", f"**{sign_off.line}**", ""]
        out += [f"- {c.icon} {c.number} {c.title}: {_cell(c.detail)}" for c in sign_off.checks]
    out += ["", f"## {t(lang, 'rep.log', id=view.crisis_id)}", ""]
    out += [f"- {line.at} · {line.who} · {line.channel} · {_cell(line.text)}" for line in view.log]
    if view.deliveries_note:
        out += ["", f"_{view.deliveries_note}_"]
    out += ["", "---", "", f"_{view.definitions}_", "", f"_{view.generated}_", ""]
    return "\n".join(out)

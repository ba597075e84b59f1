"""The score section of a drill's report (issue 14 point 4): the overall score, each step
against its playbook deadline, who answered first and who never did, messages undelivered
and unread, and what to improve. Built from flows/drill_score.py, written into the crisis
report's Markdown and HTML (bot/report.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.reports import fmt
from flows.directory import Directory
from flows.drill_score import DrillScore, StepResult, StepScore, score
from flows.drill_summary import improvement_text
from flows.report import Report
from flows.texts import t

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class StepRow:
    number: str
    title: str
    deadline: str
    taken: str
    result: str
    result_kind: str  # the StepResult value, for styling
    first: str
    silent: str


@dataclass
class ScoreView:
    lang: str
    score: str
    percent: int | None
    columns: list[str] = field(default_factory=list)
    rows: list[StepRow] = field(default_factory=list)
    people_columns: list[str] = field(default_factory=list)
    people: list[tuple[str, int, int]] = field(default_factory=list)  # name, undelivered, unread
    improve: list[str] = field(default_factory=list)
    rules: str = ""


def drill_score_of(report: Report, directory: Directory) -> DrillScore:
    """The score of the drill a report is about (its whole bitácora, deliveries included)."""
    return score(report.crisis, report.playbook, report.entries, directory, report.now)


def _result(s: StepScore, lang: str) -> str:
    if s.result == StepResult.LATE:
        return t(lang, "drill_score.result_late", late=fmt.duration(s.late_by, lang))
    return t(lang, f"drill_score.result_{s.result.value}")


def _first(s: StepScore, directory: Directory, lang: str) -> str:
    if s.first_by is None or s.first_at is None or s.activated_at is None:
        return t(lang, "drill_score.none")
    return t(lang, "drill_score.first", name=fmt.person(directory, s.first_by, lang),
             after=fmt.duration(s.first_at - s.activated_at, lang))


def score_view(result: DrillScore, directory: Directory, lang: str) -> ScoreView:
    none = t(lang, "drill_score.none")
    text = (t(lang, "drill_score.score_value", pct=result.percent, within=result.within, counted=len(result.scored))
            if result.percent is not None else t(lang, "drill_score.score_none"))
    view = ScoreView(lang=lang, score=text, percent=result.percent, rules=t(lang, "drill_score.rules"))
    view.columns = [t(lang, f"drill_score.col_{c}") for c in ("step", "task", "deadline", "taken", "result", "first", "silent")]
    for s in result.steps:
        view.rows.append(StepRow(
            number=s.step.number, title=s.step.title.in_lang(lang),
            deadline=fmt.duration(s.deadline, lang) if s.deadline else none,
            taken=fmt.duration(s.taken, lang) if s.taken is not None else none,
            result=_result(s, lang), result_kind=s.result.value, first=_first(s, directory, lang),
            silent=fmt.people(directory, s.silent, lang) if s.silent else none))
    view.people_columns = [t(lang, f"drill_score.col_{c}") for c in ("person", "undelivered", "unread")]
    view.people = [(fmt.person(directory, p.person, lang), p.undelivered, p.unread) for p in result.people]
    view.improve = [improvement_text(i, directory, lang) for i in result.improve]
    return view


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def to_markdown(view: ScoreView) -> str:
    """The section, from its «##» heading, ending with a blank line."""
    lang = view.lang
    out = [f"## {t(lang, 'drill_score.section')}", "", f"**{t(lang, 'drill_score.score')}: {view.score}**", ""]
    out += ["| " + " | ".join(view.columns) + " |", "|" + "---|" * len(view.columns)]
    out += ["| " + " | ".join(_cell(c) for c in (r.number, r.title, r.deadline, r.taken, r.result, r.first, r.silent)) + " |"
            for r in view.rows]
    out += ["", f"### {t(lang, 'drill_score.messages')}", ""]
    if view.people:
        out += ["| " + " | ".join(view.people_columns) + " |", "|---|---|---|"]
        out += [f"| {_cell(name)} | {failed} | {unread} |" for name, failed, unread in view.people]
    else:
        out.append(t(lang, "drill_score.messages_ok"))
    out += ["", f"### {t(lang, 'drill_score.improve')}", ""]
    out += [f"- {_cell(line)}" for line in view.improve] or [t(lang, "drill_score.improve_nothing")]
    out += ["", f"_{view.rules}_", ""]
    return "\n".join(out)


def to_html(view: ScoreView) -> str:
    """The section as HTML (autoescaped), for the report page's template."""
    return _env.get_template("drill_score.html").render(view=view, t=lambda key, **kw: t(view.lang, key, **kw))

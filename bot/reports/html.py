"""The report as one self-contained HTML page (inline CSS and SVG chart): it can be
saved, mailed or printed as it is."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.reports.view import ReportView
from flows.texts import t

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def to_html(
    view: ReportView, svg: str, downloads: Sequence[tuple[str, str]] = (), back: str | None = None, extra: str = "",
) -> str:
    """`svg` comes from bot.reports.gantt, which escapes everything it writes; `extra`, HTML
    already escaped (a drill's score section, bot/reports/drill.py), goes after the figures."""
    template = _env.get_template("report.html")
    return template.render(view=view, svg=Markup(svg), t=partial(t, view.lang), downloads=downloads, back=back,
                           extra=Markup(extra))

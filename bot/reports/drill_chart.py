"""The chart over drills of one playbook (issue 14 point 4): each ended drill's score (0-100 %)
in the order they were run, oldest on the left, joined by a line; an inline SVG like the
report's Gantt (bot/reports/gantt.py), everything it writes escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 720
HEIGHT = 260
LEFT = 44
RIGHT = 20
TOP = 20
BOTTOM = 44
COLORS = {"line": "#2b6cb0", "point": "#2b6cb0", "grid": "#e2e8f0", "text": "#1a202c", "muted": "#4a5568"}


@dataclass(frozen=True)
class ChartPoint:
    drill_id: str
    label: str  # the date under the point («24/11»)
    percent: int  # 0-100
    title: str  # the tooltip


def _x(i: int, n: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return round(LEFT + (inner / 2 if n == 1 else inner * i / (n - 1)), 1)


def _y(percent: int) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (100 - max(0, min(100, percent))) / 100, 1)


def score_chart_svg(points: Sequence[ChartPoint], title: str) -> str:
    """`points` oldest first. With none, an empty frame with its axis."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="drill-chart" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for pct in (0, 25, 50, 75, 100):
        y = _y(pct)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="{COLORS["grid"]}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4}" font-size="11" text-anchor="end" fill="{COLORS["muted"]}">{pct} %</text>')
    n = len(points)
    if n > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{_x(i, n)} {_y(p.percent)}" for i, p in enumerate(points))
        out.append(f'<path d="{path}" fill="none" stroke="{COLORS["line"]}" stroke-width="2" class="trend"/>')
    for i, p in enumerate(points):
        x, y = _x(i, n), _y(p.percent)
        out.append(f'<g class="drill-point" data-drill="{escape(p.drill_id)}" data-percent="{p.percent}">'
                   f'<title>{escape(p.title)}</title>'
                   f'<circle cx="{x}" cy="{y}" r="5" fill="{COLORS["point"]}"/>'
                   f'<text x="{x}" y="{y - 9}" font-size="11" text-anchor="middle" fill="{COLORS["text"]}">{p.percent} %</text>'
                   f'<text x="{x}" y="{HEIGHT - BOTTOM + 18}" font-size="11" text-anchor="middle" '
                   f'fill="{COLORS["muted"]}">{escape(p.label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)

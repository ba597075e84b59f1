"""The dashboard's colours, read from panel.css: every text colour that states something
(«Sin firmar», «En vivo», chips, a late task) keeps a contrast of at least 4.5:1 (WCAG AA)
on its background (that late and overdue tasks say so in words: tests/web/test_live.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "handlers" / "web" / "static" / "panel.css").read_text(encoding="utf-8")
WHITE, PAGE = "#ffffff", "var(--bg)"


def rules() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", CSS, flags=re.DOTALL)):
        props = dict((k.strip(), v.strip()) for k, v in (p.split(":", 1) for p in body.split(";") if ":" in p))
        for selector in selectors.split(","):
            found.setdefault(" ".join(selector.split()), {}).update(props)
    return found


def colour(value: str) -> str:
    names = rules()[":root"]
    while value.startswith("var("):
        value = names[value[4:-1].strip()]
    value = value.split()[0] if value.startswith("#") else value
    if value in ("#fff", "white"):
        return WHITE
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), value
    return value.lower()


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(fg: str, bg: str) -> float:
    high, low = sorted((luminance(colour(fg)), luminance(colour(bg))), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(("selector", "background"), [
    (".unsigned", WHITE),  # «Sin firmar todavía», on a card
    (".signed", WHITE),
    (".live-status.ok", PAGE),  # «● En vivo», on the page
    (".live-status.wait", PAGE),
    (".task-missing", WHITE),
    (".task-escalated", WHITE),
    (".act-warn", WHITE),
    ("li.task.overdue .task-detail", "var(--red-bg)"),
    (".muted", PAGE),
])
def test_text_colours_meet_aa(selector: str, background: str) -> None:
    fg = rules()[selector]["color"]
    assert contrast(fg, background) >= 4.5, (selector, fg, round(contrast(fg, background), 2))


def test_every_chip_meets_aa() -> None:
    chips = {s: p for s, p in rules().items() if s.startswith(".chip") and "color" in p and "background" in p}
    assert len(chips) >= 8
    for selector, props in chips.items():
        ratio = contrast(props["color"], props["background"])
        assert ratio >= 4.5, (selector, round(ratio, 2))

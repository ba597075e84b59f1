"""The live dashboard in keyed pieces (issue 11, point 13).

Each piece (the crisis head, one task card, the chart...) is rendered on its own and
carries `data-key`. A live stream remembers what it last sent its page and sends only the
pieces that changed, as JSON: {"parts": {key: html}} or, the first time and whenever the
set of pieces changes (a crisis opens, closing tasks appear), {"full": html}; with
{"announce": text} for a screen reader («Tarea 4 tomada por Valeria»). static/panel.js
swaps the pieces in place, keeping focus, what is being typed and the chart's scroll."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from bot.runtime import Runtime
from flows.directory import Directory, Person
from flows.messages import LogEntry
from flows.playbook import Playbook
from flows.render import RECEIPTS
from flows.texts import CATALOGS, DEFAULT_LANG, t, tn
from handlers.web import views
from handlers.web.forms import forms_for

ANNOUNCED = 3  # changes read out one by one; more are counted


@dataclass
class Live:
    """The live part of the dashboard for one viewer, in document order."""

    parts: dict[str, str]
    task_keys: list[str] = field(default_factory=list)
    sign_off_keys: list[str] = field(default_factory=list)
    crisis_id: str | None = None
    entries: list[LogEntry] = field(default_factory=list)  # the open crisis's bitácora, without receipts
    playbook: Playbook | None = None

    @property
    def layout(self) -> tuple[str, ...]:
        return tuple(self.parts)


class LivePieces:
    def __init__(self, env: Environment, form_token: Callable[[str], str]) -> None:
        self.env = env
        self.form_token = form_token

    async def build(self, runtime: Runtime, viewer: Person) -> Live:
        lang, now = viewer.lang, runtime.clock.now()
        macros: Any = self.env.get_template("_parts.html").make_module({"t": partial(t, lang), "lang": lang})
        report = await views.open_report(runtime.db, runtime.playbook.id, runtime.directory, now)
        rows = await views.crisis_rows(runtime.db, runtime.directory, lang, now)
        updated = t(lang, "web.updated", at=now.astimezone(runtime.service.tz).strftime("%H:%M:%S"))
        parts: dict[str, str] = {"updated": str(macros.updated(updated))}
        live = Live(parts)
        if report is not None:
            delivery = await views.delivery_for(runtime.db, report.crisis, now)
            crisis = views.crisis_view(report, runtime.directory, lang, delivery=delivery)
            forms = forms_for(report.crisis, report.playbook, runtime.directory, viewer.id, lang, self.form_token(viewer.id))
            parts["head"] = str(macros.head(crisis, True))
            parts["note"] = str(macros.note(crisis, forms))
            for task in crisis.tasks:
                key = f"task:{task.step_id}"
                parts[key] = str(macros.task_card(task, forms))
                live.task_keys.append(key)
            if crisis.contacts:
                parts["contacts"] = str(macros.contacts(crisis))
            for index, sign_off in enumerate(crisis.sign_offs, start=1):
                parts[f"signoff:{index}"] = str(macros.sign_off(sign_off, index))
                live.sign_off_keys.append(f"signoff:{index}")
            parts["chart"] = str(macros.chart(crisis))
            parts["timeline"] = str(macros.timeline(crisis, True))
            live.crisis_id = report.crisis.id
            live.entries = [e for e in report.entries if e.kind not in RECEIPTS]
            live.playbook = report.playbook
        parts["list"] = str(macros.crisis_list(rows))
        return live

    def html(self, live: Live, lang: str) -> str:
        return self.env.get_template("_live.html").render(
            lang=lang, t=partial(t, lang), p={k: Markup(v) for k, v in live.parts.items()}, task_keys=live.task_keys, sign_off_keys=live.sign_off_keys)


def announcement(entries: list[LogEntry], directory: Directory, playbook: Playbook | None, lang: str) -> str:
    """Short words for what just happened, for the page's aria-live region."""
    texts: list[str] = []
    for entry in entries:
        key = f"web.announce.{entry.kind}"
        if key not in CATALOGS[DEFAULT_LANG]:
            continue
        step = entry.data.get("step")
        number = step
        if playbook is not None and isinstance(step, str):
            try:
                number = playbook.step(step).number
            except KeyError:
                pass
        who = directory[entry.person].name if entry.person and directory.get(entry.person) else "crisisbot"
        to = entry.data.get("to")
        texts.append(t(lang, key, number=number or "", who=who,
                       to=directory[to].name if isinstance(to, str) and directory.get(to) else to or ""))
    if len(texts) > ANNOUNCED:
        texts = [*texts[:ANNOUNCED], tn(lang, "web.announce_more", len(texts) - ANNOUNCED)]
    return ". ".join(texts)


class StreamState:
    """What one live stream last sent its page: the next event carries only the difference."""

    def __init__(self, pieces: LivePieces, runtime: Runtime, viewer: Person) -> None:
        self.pieces, self.runtime, self.viewer = pieces, runtime, viewer
        self.sent: dict[str, str] | None = None
        self.crisis_id: str | None = None
        self.seen = 0  # bitácora entries of that crisis already announced

    async def next_event(self) -> str | None:
        """The JSON of the next `live` event, or None when nothing changed."""
        live = await self.pieces.build(self.runtime, self.viewer)
        lang = self.viewer.lang
        news: list[LogEntry] = []
        if live.crisis_id is not None and live.crisis_id == self.crisis_id:
            news = live.entries[self.seen:]
        self.seen = len(live.entries)
        self.crisis_id = live.crisis_id
        event: dict[str, Any] = {}
        if self.sent is None or tuple(self.sent) != live.layout:
            event["full"] = self.pieces.html(live, lang)
        else:
            changed = {k: v for k, v in live.parts.items() if self.sent.get(k) != v}
            if not changed:
                return None
            event["parts"] = changed
        self.sent = dict(live.parts)
        spoken = announcement(news, self.runtime.directory, live.playbook, lang) if news else ""
        if spoken:
            event["announce"] = spoken
        return json.dumps(event, ensure_ascii=False, separators=(",", ":"))

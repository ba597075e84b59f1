"""Opening a case (issue 12, point 2): «/caso danos contrato=4452211 vulnerabilidad=2» or a
playbook's open phrase («RECLAMO REITERADO 4452211»)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flows.cases import due, routing, values
from flows.commands import OpenCase
from flows.crisis import Crisis, CrisisState
from flows.playbook import FieldDef, Playbook
from flows.texts import t, tn
from flows.world import Turn


@dataclass(frozen=True)
class Opening:
    """What an opening line gives: `fields` typed by kind (flows/cases/values.py), the
    required fields still `missing`, the values that do not fit (`errors`), and `key`
    (the key field's value as text, None without a key or a value)."""

    fields: dict[str, Any] = field(default_factory=dict)
    missing: list[FieldDef] = field(default_factory=list)
    errors: list[values.FieldValueError] = field(default_factory=list)
    key: str | None = None

    @property
    def ok(self) -> bool:
        return not self.missing and not self.errors


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()  # «motivo="sin señal"»: the quotes were only there to keep the spaces
    return value


def _split_fields(names: Iterable[str], text: str) -> tuple[dict[str, str], str]:
    """`text` as `campo=valor` pairs for the field ids `names` (spaces around «=» allowed) and
    the words before the first pair. A value runs up to the next `campo=` (a front desk writes
    «problema=no hay internet desde ayer», «fecha=30/11 14:00», «telefono=4425 2211»)."""
    ids = sorted(names, key=len, reverse=True)
    if not ids:
        return {}, text.strip()
    marker = re.compile(rf"(?<![\w=])({'|'.join(re.escape(i) for i in ids)})\s*=\s*", re.IGNORECASE)
    found = list(marker.finditer(text))
    if not found:
        return {}, text.strip()
    raw: dict[str, str] = {}
    for here, after in zip(found, [*found[1:], None], strict=True):
        raw[here.group(1).lower()] = _unquote(text[here.end():after.start() if after else len(text)])
    return raw, text[:found[0].start()].strip()


def parse_opening(playbook: Playbook, text: str, now: datetime | None = None) -> Opening:
    """Read `text` (what followed the keyword): `field=value` pairs by field id, each value up
    to the next pair (spaces around «=» and inside a value are kept, quotes optional); the
    words before the first pair fill the first required field still missing (or, with none
    missing, the first field without a value). Pure: the service calls it to
    learn the key before loading earlier cases. `now` dates a «30/11 14:00» without year."""
    tz = ZoneInfo(playbook.timezone)
    by_id = playbook.fields_by_id
    raw, loose = _split_fields(by_id, text)
    if loose:
        empty = [f for f in playbook.fields if f.id not in raw]
        target = next((f for f in empty if f.required), empty[0] if empty else None)
        if target is not None:
            raw[target.id] = _unquote(loose)
    typed: dict[str, Any] = {}
    errors: list[values.FieldValueError] = []
    for name, value in raw.items():
        try:
            typed[name] = values.parse_value(by_id[name], value, tz, now)
        except values.FieldValueError as exc:
            errors.append(exc)
    missing = [f for f in playbook.fields if f.required and f.id not in raw]
    key_field = playbook.case.key.field if playbook.case is not None and playbook.case.key is not None else None
    key = str(typed[key_field]) if key_field is not None and key_field in typed else None
    return Opening(fields=typed, missing=missing, errors=errors, key=key)


def _example(playbook: Playbook) -> str:
    parts = [f"{f.id}={f.options[0].value if f.options else '…'}" for f in playbook.fields if f.required]
    return f"/caso {playbook.id} " + " ".join(parts)


def open_case(turn: Turn, cmd: OpenCase) -> None:
    """Open a case of `turn.playbook` for `cmd.person` (world.short_id the new id,
    world.prior the earlier cases with the same key): refused when the person may not open
    one, a required field is missing or a value does not fit; joined (nothing opened)
    when the key is `unique: open` and a case with it is open; otherwise opened with
    `reiterado`/`previos` (with a key) and the due time, and its first step started."""
    playbook, by = turn.playbook, cmd.person
    settings = playbook.case
    assert settings is not None
    if not any(p.id == by for p in turn.directory.with_any_role(settings.openers)):
        turn.send_key(by, "cases.not_opener", name=playbook.name)
        return
    opening = parse_opening(playbook, cmd.text, turn.now)
    lang = turn.lang_of(by)
    if opening.errors:
        turn.send(by, lambda lang: "\n".join(e.render(lang) for e in opening.errors))
        return
    if opening.missing:
        labels = ", ".join(f.label.in_lang(lang) for f in opening.missing)
        turn.send_key(by, "cases.missing", labels=labels, example=_example(playbook))
        return
    key = settings.key
    if key is not None and key.unique == "open" and opening.key is not None:
        same = next((c for c in turn.world.prior if c.state != CrisisState.CLOSED and c.case_key == opening.key), None)
        if same is not None:
            opener = turn.directory.get(same.declared_by)
            turn.send_key(by, "cases.already_open", label=playbook.fields_by_id[key.field].label if key.field in
                          playbook.fields_by_id else key.field, value=opening.key, id=same.label,
                          at=same.declared_at.astimezone(turn.tz_of(by)).strftime("%H:%M"),
                          by=opener.name if opener else same.declared_by)
            return
    # The case's id is its short id («R-12», unique): a button's ref names the case's playbook by
    # its prefix, so the service routes a press without reading anything (bot/case_routes.py).
    case = Crisis(id=turn.world.short_id or f"{turn.now:%Y%m%d}-{turn.world.new_id()}", playbook_id=playbook.id, state=CrisisState.ACTIVE,
                  declared_at=turn.now, declared_by=by, playbook_json=playbook.model_dump_json(), kind="case",
                  short_id=turn.world.short_id, fields=dict(opening.fields), case_key=opening.key)
    if key is not None:
        earlier = [c for c in turn.world.prior if c.id != case.id]
        case.fields["previos"] = len(earlier)
        case.fields["reiterado"] = bool(earlier)
    turn.out.crisis = case
    due.apply(playbook, case)
    turn.log("case_opened", by, id=case.label, name=playbook.name)
    turn.send(by, lambda lang: _opened_text(turn, case, lang, turn.tz_of(by)))
    routing.enter(turn, playbook.first_step(), by)


def _opened_text(turn: Turn, case: Crisis, lang: str, tz: ZoneInfo) -> str:
    text = t(lang, "cases.opened", id=case.label, name=turn.playbook.name)
    if case.fields.get("reiterado"):
        text += tn(lang, "cases.opened_repeated", int(case.fields.get("previos", 0)))
    if case.due_at is not None:
        text += t(lang, "cases.opened_due", at=case.due_at.astimezone(tz).strftime("%d/%m %H:%M"))
    return text

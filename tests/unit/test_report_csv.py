"""The managers' CSV opens as columns in a Spanish-locale spreadsheet (issue 11, point 12),
and the closing summary names what was not done (point 6)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.loading import load_all
from bot.reports.bitacora_csv import to_csv
from flows.closing import closed_summary
from flows.crisis import Crisis, CrisisState, Task, TaskState
from flows.messages import LogEntry
from tests.support import DIRECTORY, PLAYBOOK, START

PB, DIR = load_all(PLAYBOOK, DIRECTORY, "es")
assert DIR is not None


def entries() -> list[LogEntry]:
    at = START
    return [
        LogEntry(at=at, kind="declared", person="jaime", channel="whatsapp", crisis_id="c1", data={}),
        LogEntry(at=at, kind="description", person="jaime", channel="whatsapp", crisis_id="c1",
                 data={"text": "caída; sin servicio, \"total\""}),
        LogEntry(at=at + timedelta(minutes=7), kind="completed_value", person="cecilia", channel="slack", crisis_id="c1",
                 data={"step": "entel", "label": "el número de ticket de Entel", "value": "4455-AB", "on_behalf": False}),
        LogEntry(at=at + timedelta(minutes=30), kind="checkin", person=None, channel="sistema", crisis_id="c1",
                 data={"step": "banner", "owner": "valeria"}),
        LogEntry(at=at + timedelta(minutes=31), kind="delivered", person=None, channel="whatsapp", crisis_id="c1",
                 data={"to": "luis", "via": "whatsapp"}),
    ]


def rows(lang: str = "es") -> list[list[str]]:
    text = to_csv(entries(), DIR, PB, lang)
    assert text.startswith("\ufeff")  # Excel reads the accents right
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_every_line_splits_into_the_same_columns_on_semicolons() -> None:
    table = rows()
    assert table[0] == ["Fecha y hora", "Persona", "Canal", "Evento", "Paso", "Descripción", "Detalle"]
    assert [len(r) for r in table] == [7] * 6  # commas, semicolons and quotes in what people wrote stay in their cell
    assert table[2][5] == 'Describió la crisis: caída; sin servicio, "total"'


def test_events_are_readable_names_details_are_text_and_dates_read_as_dates() -> None:
    table = rows()
    assert [r[3] for r in table[1:]] == ["Alerta decretada", "Descripción de la crisis", "Tarea hecha con dato",
                                         "Pregunta de seguimiento", "Mensaje entregado"]
    entel = table[3]
    assert entel[:5] == ["2026-11-23 09:07:00", "Cecilia", "slack", "Tarea hecha con dato", "2"]
    assert entel[6] == "dato: el número de ticket de Entel · valor: 4455-AB"
    assert table[4][6] == "a cargo: Valeria" and table[5][6] == "para: Luis · por: whatsapp"
    assert not any("{" in cell or '":' in cell for r in table for cell in r)  # no JSON anywhere
    for r in table[1:]:
        datetime.strptime(r[0], "%Y-%m-%d %H:%M:%S")


def test_the_csv_in_english() -> None:
    table = rows("en")
    assert table[0][:4] == ["Date and time", "Person", "Channel", "Event"]
    assert table[3][3] == "Task done with a value" and table[3][6] == "field: el número de ticket de Entel · value: 4455-AB"


def test_the_closing_summary_names_each_task_not_done_without_the_bitacora() -> None:
    crisis = Crisis(id="c1", playbook_id=PB.id, state=CrisisState.CLOSED, declared_at=START, declared_by="jaime",
                    playbook_json="{}", closed_at=START + timedelta(hours=1, minutes=5))
    states = {"decretar": TaskState.DONE, "entel": TaskState.DONE, "atencion": TaskState.DONE, "banner": TaskState.SKIPPED,
              "email": TaskState.CANCELLED, "timify": TaskState.DONE, "chequeo": TaskState.CANCELLED}
    crisis.tasks = {step: Task(step_id=step, state=state) for step, state in states.items()}
    log = [*entries(), LogEntry(at=START, kind="reminder", person=None, channel="sistema", crisis_id="c1", data={}),
           LogEntry(at=START, kind="escalated", person=None, channel="sistema", crisis_id="c1", data={})]
    text = closed_summary(crisis, PB, log, "es", ZoneInfo(PB.timezone), None)
    assert text.splitlines() == [
        "🏁 Crisis c1 cerrada a las 10:05. Duración: 1 h 5 min.",
        "Tareas: 4 hechas · 1 no necesaria · 2 sin realizar.",
        "Recordatorios: 1 · escalamientos: 1.",
        "No se hizo:",
        "• 5 Email masivo",
        "• 7 Chequeo de las tareas",
        "Escribe «bitácora» para ver el registro completo.",
    ]

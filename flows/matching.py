"""Reading what people write: keywords tolerant of case, accents, punctuation and emoji."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """'🚨 ¡Alerta Roja!!' -> 'alerta roja'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain).strip()


class Intent(StrEnum):
    DECLARE = "declare"
    DECLARE_MENTION = "declare_mention"
    CLOSE = "close"
    CLOSE_MENTION = "close_mention"
    STATUS = "status"
    LOG = "log"
    HELP = "help"
    MY_TASKS = "my_tasks"
    TASK = "task"  # "tomo 2", "hecho 4", "no puedo 5", "leído 3", "sigo 4"
    PANEL = "panel"  # a link to the web dashboard
    BANNER = "banner"  # "banner: <public message>" (or "banner" alone: show it)
    OTHER = "other"


@dataclass(frozen=True)
class Reading:
    intent: Intent
    rest: str = ""  # what followed the phrase ("ALERTA ROJA: se cayó el servidor")
    verb: str = ""  # for TASK: claim, done, cantdo, ack, still
    step: str = ""  # for TASK: the step number as written in the playbook ("2", "8b")


_TASK = re.compile(
    r"^(?:(?:lo |la )?(?P<claim>tomo|take)|(?P<done>hecho|listo|done)|(?P<cantdo>no puedo|cant)"
    r"|(?P<ack>leido|read)|(?P<still>sigo|sigo en esto))(?: (?:la |el )?(?:tarea|paso|task|step))? (?P<step>[0-9]+[a-z]?)$"
)
_STATUS_WORDS = {"estado", "status", "estado crisis", "estado de la crisis"}
_LOG_WORDS = {"bitacora", "log", "informe", "report"}
_HELP_WORDS = {"ayuda", "help", "menu", "comandos"}
_MY_TASKS_WORDS = {"mis tareas", "tareas", "my tasks", "tasks"}
_PANEL_WORDS = {"panel", "dashboard", "tablero"}
_BANNER = re.compile(r"^\s*banner\s*[:：]\s*(?P<rest>.*?)\s*$", re.IGNORECASE | re.DOTALL)


def _after_phrase(text: str, phrase: str) -> str | None:
    """The original text after a leading phrase, or None if it does not lead."""
    tokens = text.split()
    for i in range(1, len(tokens) + 1):
        head = normalize(" ".join(tokens[:i]))
        if head == phrase:
            return " ".join(tokens[i:]).lstrip(" :;,.-–—!¡").strip()
        if not phrase.startswith(head):
            return None
    return None


def read(text: str, declare_phrase: str, close_phrase: str) -> Reading:
    norm = normalize(text)
    asks = "?" in text
    banner = _BANNER.match(text)
    if banner or norm == "banner":
        return Reading(Intent.BANNER, banner.group("rest") if banner else "")
    for phrase, exact, mention in (
        (normalize(declare_phrase), Intent.DECLARE, Intent.DECLARE_MENTION),
        (normalize(close_phrase), Intent.CLOSE, Intent.CLOSE_MENTION),
    ):
        rest = _after_phrase(text, phrase)
        if norm == phrase and not asks:
            # «ALERTA ROJA: 🔥🌊» has a description made only of emoji; «🚨 ALERTA ROJA 🚨» has none
            return Reading(exact, rest if rest and re.search(r"[:：]", text) else "")
        if rest is not None and not asks:
            return Reading(exact, rest)
        if f" {phrase} " in f" {norm} ":
            return Reading(mention)
    task = _TASK.match(norm)
    if task:
        verb = next(k for k in ("claim", "done", "cantdo", "ack", "still") if task.group(k))
        return Reading(Intent.TASK, verb=verb, step=task.group("step"))
    if norm in _STATUS_WORDS:
        return Reading(Intent.STATUS)
    if norm in _LOG_WORDS:
        return Reading(Intent.LOG)
    if norm in _HELP_WORDS:
        return Reading(Intent.HELP)
    if norm in _MY_TASKS_WORDS:
        return Reading(Intent.MY_TASKS)
    if norm in _PANEL_WORDS:
        return Reading(Intent.PANEL)
    return Reading(Intent.OTHER)

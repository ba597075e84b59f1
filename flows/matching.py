"""Reading what people write: keywords tolerant of case, accents, punctuation and emoji."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from flows.localtext import LocalText

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
    TASK = "task"  # "tomo 2", "hecho 4", "no puedo 5", "leído 3", "sigo 4"; without a number: step ""
    CORRECT = "correct"  # "corregir 2" or "corregir 2: 4455-AC" (value in `rest`, as written)
    PANEL = "panel"  # a link to the web dashboard
    BANNER = "banner"  # "banner: <public message>" (or "banner" alone: show it)
    NOTE = "note"  # "nota: <text>": a note for the bitácora (flows/manage.py)
    DRILL = "drill"  # the playbook's drill phrase («SIMULACRO»): start a drill (flows/drills.py)
    OTHER = "other"


@dataclass(frozen=True)
class Reading:
    intent: Intent
    rest: str = ""  # what followed the phrase ("ALERTA ROJA: se cayó el servidor")
    verb: str = ""  # for TASK: claim, done, cantdo, ack, still
    step: str = ""  # for TASK, CORRECT: the step number as written in the playbook ("2", "8b"); "" when not given


_VERBS = (r"(?:(?:lo |la )?(?P<claim>tomo|take|take it|i take it|i ll take it)|(?P<done>hecho|hecha|listo|lista|done)"
          r"|(?P<cantdo>no puedo|cant|can t|cannot|i can t)|(?P<ack>leido|read|ok leido)|(?P<still>sigo|sigo en esto|still|still on it))")
_TASK = re.compile(rf"^{_VERBS}(?: (?:la |el |the )?(?:tarea|paso|task|step))? (?P<step>[0-9]+[a-z]?)$")
_TASK_ALONE = re.compile(rf"^{_VERBS}$")  # «leído» with one pending task: the engine finds which
_CORRECT = re.compile(
    r"^\s*(?:corregir|corrige|correct|fix)\s+(?:(?:la |el |the )?(?:tarea|paso|task|step)\s+)?(?P<step>[0-9]+[a-zA-Z]?)"
    r"\s*(?:[:：=]\s*(?P<value>.*?))?\s*$", re.IGNORECASE | re.DOTALL)
_HELP_MARKS = {"?", "¿?", "??", "¿"}
_STATUS_WORDS = {"estado", "status", "estado crisis", "estado de la crisis"}
REPORT_WORDS = frozenset({"informe", "report"})
"""«informe» (LOG intent): after the crisis closed it gives the short summary, «bitácora» the whole log."""
_LOG_WORDS = {"bitacora", "log"} | REPORT_WORDS
_HELP_WORDS = {"ayuda", "help", "menu", "comandos", "commands"}
_MY_TASKS_WORDS = {"mis tareas", "tareas", "my tasks", "tasks", "mine"}
_PANEL_WORDS = {"panel", "dashboard", "tablero"}
_BANNER = re.compile(r"^\s*banner\s*[:：]\s*(?P<rest>.*?)\s*$", re.IGNORECASE | re.DOTALL)
_NOTE = re.compile(r"^\s*(?:nota|note)\s*[:：]\s*(?P<rest>.*?)\s*$", re.IGNORECASE | re.DOTALL)


def after_phrase(text: str, phrase: str) -> str | None:
    """The original text after a leading phrase, or None if it does not lead."""
    tokens = text.split()
    for i in range(1, len(tokens) + 1):
        head = normalize(" ".join(tokens[:i]))
        if head == phrase:
            return " ".join(tokens[i:]).lstrip(" :;,.-–—!¡").strip()
        if not phrase.startswith(head):
            return None
    return None


def keyword_forms(phrase: str) -> list[str]:
    """A keyword's normalized forms, one per language the playbook gives (flows/localtext.py)."""
    forms = phrase.variants() if isinstance(phrase, LocalText) else [phrase]
    return [n for n in dict.fromkeys(normalize(f) for f in forms) if n]


_TASK_WORDS = {"tomo", "lo tomo", "la tomo", "take", "take it", "hecho", "hecha", "listo", "lista", "done", "no puedo",
               "cant", "can t", "cannot", "leido", "read", "ok leido", "sigo", "still", "corregir", "corrige", "correct",
               "fix", "confirmar", "confirmo", "confirm", "descartar", "descarto", "dismiss", "enviar", "mis casos", "caso"}
"""The task verbs and the answers typed instead of buttons: a drill word must not swallow them."""
_BUILT_IN = (_STATUS_WORDS | _LOG_WORDS | _HELP_WORDS | _MY_TASKS_WORDS | _PANEL_WORDS | _TASK_WORDS
             | {"banner", "nota", "note"})


def drill_phrase_clashes(drill_phrase: str, declare_phrase: str, close_phrase: str) -> list[tuple[str, str]]:
    """(drill form, what it would swallow) for each form of the drill phrase that equals, or
    starts, the crisis keywords or a built-in command in any language: `read` tries the
    drill phrase first, so «ALERTA» as a drill phrase would turn «ALERTA ROJA» into a drill
    (`crisisbot check` refuses it, flows/validation.py)."""
    others = [*keyword_forms(declare_phrase), *keyword_forms(close_phrase), *sorted(_BUILT_IN)]
    return [(form, other) for form in keyword_forms(drill_phrase) for other in others
            if other == form or other.startswith(form + " ")]


def read(text: str, declare_phrase: str, close_phrase: str, drill_phrase: str | None = None) -> Reading:
    """What a chat line asks. The phrases may be LocalText: every language's is accepted
    (issue 11, point 9), whoever writes it. `drill_phrase` («SIMULACRO»), when given, is
    read only as the whole line or at its start (a description may follow)."""
    norm = normalize(text)
    asks = "?" in text
    banner = _BANNER.match(text)
    if banner or norm == "banner":
        return Reading(Intent.BANNER, banner.group("rest") if banner else "")
    note = _NOTE.match(text)
    if note:
        return Reading(Intent.NOTE, note.group("rest"))
    if text.strip() in _HELP_MARKS:
        return Reading(Intent.HELP)
    for phrase in keyword_forms(drill_phrase) if drill_phrase else ():
        rest = after_phrase(text, phrase)
        if rest is not None and "?" not in text:
            return Reading(Intent.DRILL, rest)
    for phrases, exact, mention in (
        (keyword_forms(declare_phrase), Intent.DECLARE, Intent.DECLARE_MENTION),
        (keyword_forms(close_phrase), Intent.CLOSE, Intent.CLOSE_MENTION),
    ):
        for phrase in phrases:
            rest = after_phrase(text, phrase)
            if norm == phrase and not asks:
                # «ALERTA ROJA: 🔥🌊» has a description made only of emoji; «🚨 ALERTA ROJA 🚨» has none
                return Reading(exact, rest if rest and re.search(r"[:：]", text) else "")
            if rest is not None and not asks:
                return Reading(exact, rest)
        if any(f" {phrase} " in f" {norm} " for phrase in phrases):
            return Reading(mention)
    correct = _CORRECT.match(text)
    if correct:
        return Reading(Intent.CORRECT, rest=(correct.group("value") or "").strip(), step=correct.group("step").lower())
    task = _TASK.match(norm) or _TASK_ALONE.match(norm)
    if task:
        verb = next(k for k in ("claim", "done", "cantdo", "ack", "still") if task.group(k))
        return Reading(Intent.TASK, verb=verb, step=task.groupdict().get("step") or "")
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

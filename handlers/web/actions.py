"""POST /panel/accion: a manager acts from the dashboard (issue 11, point 13).

The form is checked three ways before the engine sees it: the signed session cookie says
who acts, the form's token (CSRF) was signed for that same person, and a browser's
Origin, when sent, is this site. Then it is a Press on channel «panel», with the same
rights as in chat (the engine refuses in words what the person may not do). The answer
the engine gives that person is shown once on the page (a short-lived signed cookie),
and the page goes back to the task's card."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.runtime import Runtime
from flows.commands import Press
from flows.crisis import TaskState
from flows.directory import Person
from flows.messages import Action, ActionKind
from flows.texts import t
from handlers.web.forms import ACTIONS
from handlers.web.links import COOKIE_PATH
from persistence import repository as repo
from persistence.database import reading

log = logging.getLogger(__name__)

CHANNEL = "panel"  # the bitácora's channel for what is done from the dashboard
FLASH = "crisisbot_panel_flash"
FLASH_SECONDS = 120
VALUE_CHARS = 1000


class Flash:
    """The engine's answer to the person who acted, carried to the next page view."""

    def __init__(self, secret_of: URLSafeTimedSerializer) -> None:
        self._signer = secret_of

    def set(self, response: Response, person_id: str, texts: list[str], secure: bool) -> None:
        value = str(self._signer.dumps({"p": person_id, "m": texts[:6]}))
        response.set_cookie(FLASH, value, max_age=FLASH_SECONDS, path=COOKIE_PATH, httponly=True, samesite="lax",
                            secure=secure)

    def take(self, request: Request, person_id: str) -> list[str]:
        raw = request.cookies.get(FLASH)
        if not raw:
            return []
        try:
            data = self._signer.loads(raw, max_age=FLASH_SECONDS)
        except BadSignature:
            return []
        if not isinstance(data, dict) or data.get("p") != person_id:
            return []
        return [str(m) for m in data.get("m", [])]


def same_origin(request: Request, public_base_url: str) -> bool:
    """A browser names the page a POST comes from; it must be this site: the Host asked,
    or PUBLIC_BASE_URL (behind a proxy that rewrites Host). No Origin: a client that is
    not a browser, still bound by the form's token. «Origin: null»: the pages' own
    `Referrer-Policy: no-referrer` makes a browser hide the origin of their forms
    (Fetch, «serializing a request origin»); then its `Sec-Fetch-Site` must say
    same-origin (absent in an old browser: the token still binds the form)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return request.headers.get("sec-fetch-site", "same-origin") == "same-origin"
    return urlsplit(origin).netloc in (request.headers.get("host", ""), urlsplit(public_base_url).netloc)


async def stale(runtime: Runtime, viewer: Person, form: dict[str, str]) -> list[str] | None:
    """Why the form no longer applies, in words, or None when it does: its crisis is no
    longer the open one (a tab left open since then), it names no task of that crisis, or
    the task changed hands since the form was drawn (its `holder` field): the dashboard's
    «La tiene Valeria: quedará hecha por ti» is its confirmation (flows/confirm.py), so a
    form drawn before Valeria took the task must not do it over her (issue 11 point 4)."""
    crisis_id, step_id = form.get("crisis", ""), form.get("step", "")
    async with reading(runtime.db) as conn:
        open_id = await repo.open_crisis_id(conn, runtime.playbook.id)
        crisis = await repo.load_crisis(conn, crisis_id) if open_id == crisis_id or form.get("kind") == "choose" else None
    if crisis is None or (crisis.id != open_id and (not crisis.is_case or crisis.closed_at is not None)):
        return [t(viewer.lang, "web.act_gone")]
    if form.get("kind") == ActionKind.NOTE.value:
        return None
    task = crisis.tasks.get(step_id)
    if task is None:
        return [t(viewer.lang, "web.act_expired")]
    holder = task.owner if task.state == TaskState.CLAIMED else None
    if "holder" in form and holder is not None and holder not in (form["holder"], viewer.id):
        owner = runtime.directory.get(holder)  # someone the form did not name: ask to look again
        return [t(viewer.lang, "web.act_changed", number=runtime.playbook.step(step_id).number,
                  owner=owner.name if owner else holder)]
    return None


async def press_from_form(runtime: Runtime, viewer: Person, form: dict[str, str]) -> list[str] | None:
    """Run the form as a Press; the texts the engine answered `viewer`, or None when the
    form names no action the dashboard offers."""
    kind = form.get("kind", "")
    crisis_id = form.get("crisis", "")
    if kind not in ACTIONS or not crisis_id:
        return None
    value = (form.get("value") or "").strip()[:VALUE_CHARS] or None
    if kind == ActionKind.NOTE.value:
        action = Action(ActionKind.NOTE, crisis_id)
    else:
        step = form.get("step", "")
        if not step:
            return None
        # a case question's option (value: the option value) is its CHOOSE action
        action = Action.for_choice(crisis_id, step, value or "") if kind == ActionKind.CHOOSE.value \
            else Action.for_task(ActionKind(kind), crisis_id, step)
    refused = await stale(runtime, viewer, form)  # a note too: never into the next crisis
    if refused is not None:
        log.info("dashboard: %s sent a stale %s form on %s", viewer.id, kind, action.ref)
        return refused
    outcome = await runtime.service.handle(Press(viewer.id, action, CHANNEL, None if action.choice() else value))
    log.info("dashboard: %s pressed %s on %s", viewer.id, kind, action.ref)
    if outcome is None:
        return []
    return [m.text for m in outcome.messages if m.to == viewer.id and m.kind != "card"]  # the page shows the cards


def back_to(form: dict[str, str]) -> RedirectResponse:
    step = form.get("step", "")
    anchor = f"#task-{step}" if step and step.replace("_", "").replace("-", "").isalnum() else ""
    return RedirectResponse(f"{COOKIE_PATH}{anchor}", status_code=303)

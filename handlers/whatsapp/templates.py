"""The Content templates the bot needs, made or listed through Twilio's Content API
(`crisisbot whatsapp plantillas`): an approved text template and an approved task
card for outside the 24-hour window, and session quick replies with 1-3 buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twilio.rest.content.v1.content import ContentList
from twilio.rest.content.v1.content.approval_create import ApprovalCreateList

from bot.settings import Settings
from flows.texts import t
from handlers.whatsapp.api import TwilioApi
from handlers.whatsapp.config import template_lang

VAR = "{{1}}"
V1, V2, V3 = "{{1}}", "{{2}}", "{{3}}"


@dataclass(frozen=True)
class TemplateSpec:
    name: str  # the Content's friendly_name, and its WhatsApp template name
    setting: str  # the environment variable that takes its id
    types: dict[str, Any]
    variables: dict[str, str]  # samples, required by WhatsApp's review
    approval: bool  # submitted to WhatsApp (needed outside the window)


def _quick_reply(count: int, lang: str) -> TemplateSpec:
    """A session quick reply (never submitted to WhatsApp): inside the window the whole
    card goes in {{1}}, new lines and all; then each button's title and payload."""
    actions = [{"type": "QUICK_REPLY", "title": f"{{{{{2 + 2 * i}}}}}", "id": f"{{{{{3 + 2 * i}}}}}"} for i in range(count)]
    samples = {"1": t(lang, "whatsapp.template.sample")}
    labels = ("btn_claim", "btn_done", "btn_give_up")[:count] if count > 1 else ("btn_ack",)
    for i, key in enumerate(labels):
        samples[str(2 + 2 * i)] = t(lang, key)
        samples[str(3 + 2 * i)] = f"claim:20261123-a3f9/paso{i}"
    return TemplateSpec(f"crisisbot_botones_{count}", f"TWILIO_CONTENT_BUTTONS_{count}",
                        {"twilio/quick-reply": {"body": VAR, "actions": actions}}, samples, approval=False)


def specs(lang: str) -> list[TemplateSpec]:
    """The templates the bot uses. The two approved ones (outside the window) start and end
    with fixed text and hold short one-line variables (render.Essentials): {{1}} the first
    line of the message, {{2}} the rest on one line, {{3}} what to answer (notice) or the
    payloads of Lo tomo / Hecho / No puedo (task)."""
    task_actions = [{"type": "QUICK_REPLY", "title": t(lang, key), "id": f"{{{{{3 + i}}}}}"}
                    for i, key in enumerate(("btn_claim", "btn_done", "btn_give_up"))]
    return [
        TemplateSpec("crisisbot_aviso", "TWILIO_CONTENT_NOTICE",
                     {"twilio/text": {"body": t(lang, "whatsapp.template.notice", v1=V1, v2=V2, v3=V3)}},
                     {"1": t(lang, "whatsapp.template.sample"), "2": t(lang, "whatsapp.template.sample_detail"),
                      "3": t(lang, "whatsapp.template.sample_todo")}, approval=True),
        TemplateSpec("crisisbot_tarea", "TWILIO_CONTENT_TASK",
                     {"twilio/quick-reply": {"body": t(lang, "whatsapp.template.task", v1=V1, v2=V2),
                                             "actions": task_actions}},
                     {"1": t(lang, "whatsapp.template.sample_task"), "2": t(lang, "whatsapp.template.sample_detail"),
                      "3": "claim:20261123-a3f9/entel", "4": "done:20261123-a3f9/entel",
                      "5": "cantdo:20261123-a3f9/entel"}, approval=True),
        *(_quick_reply(count, lang) for count in (1, 2, 3)),
    ]


@dataclass(frozen=True)
class TemplateState:
    spec: TemplateSpec
    sid: str | None
    created: bool


async def sync_templates(settings: Settings, create: bool) -> list[TemplateState]:
    """List the bot's templates in the account; with `create`, make the missing ones and
    submit the out-of-window ones to WhatsApp (category UTILITY)."""
    lang = template_lang(settings.lang)
    api = TwilioApi(settings)
    contents = api.client.content.v1.contents
    try:
        existing = {c.friendly_name: c.sid for c in await contents.list_async()}
        states = []
        for spec in specs(lang):
            sid = existing.get(spec.name)
            created = False
            if sid is None and create:
                request = ContentList.ContentCreateRequest(
                    {"friendly_name": spec.name, "language": lang, "variables": spec.variables, "types": spec.types})
                sid = (await contents.create_async(request)).sid
                created = True
                if spec.approval:
                    approval = ApprovalCreateList.ContentApprovalRequest({"name": spec.name, "category": "UTILITY"})
                    await contents(sid).approval_create.create_async(approval)
            states.append(TemplateState(spec, sid, created))
        return states
    finally:
        await api.aclose()

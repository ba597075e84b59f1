"""The Content templates the bot needs, made or listed through Twilio's Content API
(`crisisbot whatsapp plantillas`): an approved text template and an approved task
card for outside the 24-hour window (and the same two for drills), session quick replies
with 1-3 buttons, and session list pickers with 1-10 items (a case question's options)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twilio.rest.content.v1.content import ContentList
from twilio.rest.content.v1.content.approval_create import ApprovalCreateList

from bot.settings import Settings
from flows.texts import CATALOGS, DEFAULT_LANG, t
from handlers.whatsapp.api import TwilioApi
from handlers.whatsapp.config import MAX_LIST_ITEMS, template_lang

VAR = "{{1}}"
V1, V2, V3 = "{{1}}", "{{2}}", "{{3}}"


@dataclass(frozen=True)
class TemplateSpec:
    name: str  # the Content's friendly_name, and its WhatsApp template name
    setting: str  # the environment variable that takes its id
    types: dict[str, Any]
    variables: dict[str, str]  # samples, required by WhatsApp's review
    approval: bool  # submitted to WhatsApp (needed outside the window)
    lang: str = DEFAULT_LANG  # the language it is made in


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
                        {"twilio/quick-reply": {"body": VAR, "actions": actions}}, samples, approval=False, lang=lang)


def _list_picker(count: int, lang: str) -> TemplateSpec:
    """A session list picker with `count` items (never submitted: Twilio's list pickers
    cannot be approved) for a case question's options: {{1}} the body, {{2}} the button,
    per item {{3+3i}} title, {{4+3i}} id (the CHOOSE action), {{5+3i}} description
    (render.list_variables)."""
    items = [{"item": f"{{{{{3 + 3 * i}}}}}", "id": f"{{{{{4 + 3 * i}}}}}", "description": f"{{{{{5 + 3 * i}}}}}"}
             for i in range(count)]
    samples = {"1": t(lang, "whatsapp.template.sample"), "2": t(lang, "options.list_button")}
    for i in range(count):
        samples.update({str(3 + 3 * i): f"{i + 1}. Call Center", str(4 + 3 * i): f"choose:R-1/derivar=op{i + 1}",
                        str(5 + 3 * i): "Call Center"})
    return TemplateSpec(f"crisisbot_lista_{count}", f"TWILIO_CONTENT_LIST_{count}",
                        {"twilio/list-picker": {"body": V1, "button": V2, "items": items}}, samples, approval=False, lang=lang)


def approved_specs(lang: str, group: str) -> list[TemplateSpec]:
    """The two templates approved for outside the window, made in `lang` (a template's
    language is part of what WhatsApp approves). They start and end with fixed text and
    hold short one-line variables (render.Essentials): {{1}} the first line of the message,
    {{2}} the rest on one line, {{3}} what to answer (notice) or the payloads of Lo tomo /
    Hecho / No puedo (task). Named `crisisbot_aviso` in Spanish, `crisisbot_aviso_en` in
    English...; their setting is TWILIO_CONTENT_NOTICE in the `group` language (CRISISBOT_LANG),
    TWILIO_CONTENT_NOTICE_EN... in the others."""
    task_actions = [{"type": "QUICK_REPLY", "title": t(lang, key), "id": f"{{{{{3 + i}}}}}"}
                    for i, key in enumerate(("btn_claim", "btn_done", "btn_give_up"))]
    suffix = "" if lang == DEFAULT_LANG else f"_{lang}"
    setting = "" if lang == group else f"_{lang.upper()}"
    return [
        TemplateSpec(f"crisisbot_aviso{suffix}", f"TWILIO_CONTENT_NOTICE{setting}",
                     {"twilio/text": {"body": t(lang, "whatsapp.template.notice", v1=V1, v2=V2, v3=V3)}},
                     {"1": t(lang, "whatsapp.template.sample"), "2": t(lang, "whatsapp.template.sample_detail"),
                      "3": t(lang, "whatsapp.template.sample_todo")}, approval=True, lang=lang),
        TemplateSpec(f"crisisbot_tarea{suffix}", f"TWILIO_CONTENT_TASK{setting}",
                     {"twilio/quick-reply": {"body": t(lang, "whatsapp.template.task", v1=V1, v2=V2),
                                             "actions": task_actions}},
                     {"1": t(lang, "whatsapp.template.sample_task"), "2": t(lang, "whatsapp.template.sample_detail"),
                      "3": "claim:20261123-a3f9/entel", "4": "done:20261123-a3f9/entel",
                      "5": "cantdo:20261123-a3f9/entel"}, approval=True, lang=lang),
    ]


def drill_specs(lang: str, group: str) -> list[TemplateSpec]:
    """The two approved templates again for drills (issue 14 point 2), made in `lang`: the
    same bodies and buttons as `approved_specs`, their fixed text starting with the drill
    prefix («🧪 SIMULACRO · crisisbot · {{1}}…»), so that a drill message outside the window
    says it is a drill before any variable. Named `crisisbot_simulacro_aviso` /
    `crisisbot_simulacro_tarea` (`_en`...); their settings TWILIO_CONTENT_DRILL_NOTICE /
    _TASK (`_EN`... in languages other than the group's)."""
    prefix = t(lang, "drill.prefix")
    samples = {"1": t(lang, "whatsapp.drill.sample"), "2": t(lang, "whatsapp.template.sample_detail")}
    made = []
    for spec, kind in zip(approved_specs(lang, group), ("aviso", "tarea"), strict=True):
        [(content_type, content)] = spec.types.items()
        types = {content_type: {**content, "body": prefix + content["body"]}}
        made.append(TemplateSpec(spec.name.replace(f"crisisbot_{kind}", f"crisisbot_simulacro_{kind}"),
                                 spec.setting.replace("TWILIO_CONTENT_", "TWILIO_CONTENT_DRILL_"), types,
                                 {**spec.variables, **samples}, approval=True, lang=lang))
    return made


def specs(lang: str) -> list[TemplateSpec]:
    """The templates the bot uses with the group in `lang`: the approved ones in that
    language (`approved_specs`) and the session quick replies (their text all variables)."""
    return [*approved_specs(lang, lang), *(_quick_reply(count, lang) for count in (1, 2, 3))]


def list_specs(lang: str) -> list[TemplateSpec]:
    """The session list pickers with 1-10 items (a case question's options): optional, made
    by `crisisbot whatsapp plantillas`; without one, the options go as numbered text."""
    return [_list_picker(count, lang) for count in range(1, MAX_LIST_ITEMS + 1)]


def every_spec(group: str) -> list[TemplateSpec]:
    """`specs(group)` and the approved templates of every other language with a catalogue,
    so that each reader gets the fixed text of their own language outside the window; then
    the drill templates of every language (`drill_specs`)."""
    others = [spec for lang in CATALOGS if lang != group for spec in approved_specs(lang, group)]
    drills = [spec for lang in [group, *(lang for lang in CATALOGS if lang != group)] for spec in drill_specs(lang, group)]
    own = specs(group)
    return [*own[:2], *others, *own[2:], *list_specs(group), *drills]


def configured(settings: Settings, spec: TemplateSpec) -> str | None:
    """The id the settings give the template (config.Templates: a suffixed setting of the
    group's language takes the unsuffixed one's place)."""
    suffixed = getattr(settings, f"{spec.setting.lower()}_{spec.lang}", None) if spec.approval else None
    return suffixed or getattr(settings, spec.setting.lower(), None) or None


def _existing_key(spec: TemplateSpec) -> tuple[str, str]:
    return spec.name.removesuffix(f"_{spec.lang}"), spec.lang


@dataclass(frozen=True)
class TemplateState:
    spec: TemplateSpec
    sid: str | None
    created: bool


async def sync_templates(settings: Settings, create: bool) -> list[TemplateState]:
    """List the bot's templates in the account (`every_spec`: the approved ones in every
    language); with `create`, make the missing ones and submit the out-of-window ones to
    WhatsApp (category UTILITY). A template is found by its name, or by its base name in its
    language (`crisisbot_aviso` made in English before templates were per language)."""
    lang = template_lang(settings.lang)
    api = TwilioApi(settings)
    contents = api.client.content.v1.contents
    try:
        listed = await contents.list_async()
        by_name = {c.friendly_name: c.sid for c in listed}
        by_lang = {(c.friendly_name, c.language): c.sid for c in listed}
        states = []
        for spec in every_spec(lang):
            if spec.approval:  # its language matters
                sid = by_lang.get((spec.name, spec.lang)) or by_lang.get(_existing_key(spec))
            else:
                sid = by_name.get(spec.name)
            created = False
            if sid is None and create:
                request = ContentList.ContentCreateRequest(
                    {"friendly_name": spec.name, "language": spec.lang, "variables": spec.variables, "types": spec.types})
                sid = (await contents.create_async(request)).sid
                created = True
                if spec.approval:
                    approval = ApprovalCreateList.ContentApprovalRequest({"name": spec.name, "category": "UTILITY"})
                    await contents(sid).approval_create.create_async(approval)
            states.append(TemplateState(spec, sid, created))
        return states
    finally:
        await api.aclose()

"""/crisis estado | declarar [texto] | cerrar | mis-tareas | informe | ayuda: each one the
line the engine reads ("estado", "ALERTA ROJA", "FIN DE LA CRISIS"...). The answer comes
by direct message, like any answer of the bot."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from flows.commands import Say
from flows.texts import t
from handlers.slack.config import COMMAND, VIA
from handlers.slack.context import SlackContext
from handlers.slack.inbound import command_key, command_line


def register(app: AsyncApp, ctx: SlackContext, command: str = COMMAND) -> None:
    @app.command(command)
    async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        user = str(body.get("user_id") or "")
        person = ctx.people.person_of(user)
        if person is None:
            await ack(text=ctx.unknown_text(user), response_type="ephemeral")
            return
        lang = ctx.lang_of(person)
        playbook = ctx.rt.playbook
        line = command_line(str(body.get("text") or ""), playbook.declare_phrase, playbook.close_phrase)
        if line is None:
            await ack(text=t(lang, "slack.usage"), response_type="ephemeral")
            return
        outcome = await ctx.rt.service.handle(Say(person, line, VIA, direct=True), event_key=command_key(body))
        in_dm = str(body.get("channel_id") or "").startswith("D")
        if line == "ayuda":
            await ack(text=t(lang, "slack.usage"), response_type="ephemeral")
        elif in_dm:
            await ack()
        else:
            await ack(text=t(lang, "slack.answer_in_dm"), response_type="ephemeral")
        if ctx.asks(body.get("trigger_id"), person, outcome):
            ctx.spawn(ctx.open_modal_if_asked(body.get("trigger_id"), person, outcome))

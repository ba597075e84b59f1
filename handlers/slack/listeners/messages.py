"""Messages in channels the bot is in and in direct messages: ALERTA ROJA, FIN DE LA
CRISIS, «estado», answers to the bot's questions... read by the engine like any chat line."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from flows.commands import Say
from handlers.slack.config import VIA
from handlers.slack.context import SlackContext
from handlers.slack.inbound import event_key, is_somebody_writing, message_text, reads_as_command
from handlers.slack.inbox import tell_received


def register(app: AsyncApp, ctx: SlackContext) -> None:
    @app.event("message")
    async def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        if not is_somebody_writing(event):
            return
        user, channel = str(event["user"]), event.get("channel")
        text = message_text(str(event.get("text") or ""))
        direct = event.get("channel_type") == "im" or str(channel or "").startswith("D")
        playbook = ctx.rt.playbook
        person = await ctx.identify(user)
        if person is None:
            if direct or reads_as_command(text, playbook.declare_phrase, playbook.close_phrase):
                ctx.spawn(ctx.tell_unknown(channel, user))
            return
        if direct and channel:
            ctx.people.remember_im(user, str(channel))
        if text:
            taken = await ctx.rt.inbox.take(Say(person, text, VIA, direct=direct), event_key(body),
                                            ctx.settings.inbox_slack_budget_seconds)
            if taken.spooled and (direct or reads_as_command(text, playbook.declare_phrase, playbook.close_phrase)):
                tell_received(ctx, str(channel) if channel else None, user, person)

"""/caso <playbook> [campo=valor …]: opens a case (issue 12, point 5), as the line
«/caso …» does in any chat; «/caso» alone lists the case playbooks and how to open one.
The answer comes by direct message, like any answer of the bot."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from flows.commands import Say
from flows.texts import t
from handlers.slack.config import VIA
from handlers.slack.context import SlackContext
from handlers.slack.inbound import command_key

CASE_COMMAND = "/caso"


def register(app: AsyncApp, ctx: SlackContext, command: str = CASE_COMMAND) -> None:
    @app.command(command)
    async def on_case(ack: AsyncAck, body: dict[str, Any]) -> None:
        user = str(body.get("user_id") or "")
        person = await ctx.identify(user)
        if person is None:
            await ack(text=ctx.unknown_text(user), response_type="ephemeral")
            return
        line = f"/caso {str(body.get('text') or '').strip()}".strip()
        taken = await ctx.rt.inbox.take(Say(person, line, VIA, direct=True), command_key(body),
                                        ctx.settings.inbox_slack_budget_seconds)
        lang = ctx.lang_of(person)
        if taken.spooled:  # the database could not take it in time: kept, and they are told in the ack
            await ack(text=t(lang, "inbox.received"), response_type="ephemeral")
        elif str(body.get("channel_id") or "").startswith("D"):
            await ack()
        else:
            await ack(text=t(lang, "slack.answer_in_dm"), response_type="ephemeral")

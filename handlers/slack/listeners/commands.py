"""/crisis estado | declarar [texto] | simulacro [texto] | cerrar | mis-tareas | informe |
ayuda: each one the line the engine reads ("estado", "ALERTA ROJA", "SIMULACRO …", "FIN DE
LA CRISIS"...). The answer comes by direct message, like any answer of the bot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from flows.commands import Say
from flows.texts import t
from handlers.slack.config import COMMAND, VIA
from handlers.slack.context import SlackContext
from handlers.slack.inbound import command_key, command_line

Line = Callable[[SlackContext, str], str | None]
"""What the engine reads for a slash command's text; None: not understood (the usage is shown)."""


DRILL_WORDS = frozenset({"simulacro", "drill"})


def crisis_line(ctx: SlackContext, text: str) -> str | None:
    playbook = ctx.rt.playbook
    return drill_line(text, playbook.drill.phrase) or command_line(text, playbook.declare_phrase, playbook.close_phrase)


def drill_line(text: str, phrase: str) -> str | None:
    """`/crisis simulacro [texto]` -> "SIMULACRO [texto]": what typing the playbook's drill
    phrase does (issue 14 point 1), now, ahead («el 3/12 a las 10:00 …»), as a surprise or
    «cancelar», through the same inbox as any line. None when it is another subcommand."""
    head, _, rest = (text or "").strip().partition(" ")
    if head.casefold() not in DRILL_WORDS:
        return None
    return f"{phrase} {rest.strip()}".strip()


def register(app: AsyncApp, ctx: SlackContext, command: str = COMMAND, line_of: Line = crisis_line) -> None:
    @app.command(command)
    async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        user = str(body.get("user_id") or "")
        person = await ctx.identify(user)
        if person is None:
            await ack(text=ctx.unknown_text(user), response_type="ephemeral")
            return
        lang = ctx.lang_of(person)
        line = line_of(ctx, str(body.get("text") or ""))
        if line is None:
            await ack(text=t(lang, "slack.usage"), response_type="ephemeral")
            return
        taken = await ctx.rt.inbox.take(Say(person, line, VIA, direct=True), command_key(body),
                                        ctx.settings.inbox_slack_budget_seconds)
        if taken.spooled:  # the database could not take it in time: kept, and they are told in the ack
            await ack(text=t(lang, "inbox.received"), response_type="ephemeral")
            return
        outcome = taken.outcome
        in_dm = str(body.get("channel_id") or "").startswith("D")
        if line == "ayuda":
            await ack(text=t(lang, "slack.usage"), response_type="ephemeral")
        elif in_dm:
            await ack()
        else:
            await ack(text=t(lang, "slack.answer_in_dm"), response_type="ephemeral")
        if ctx.asks(body.get("trigger_id"), person, outcome):
            ctx.spawn(ctx.open_modal_if_asked(body.get("trigger_id"), person, outcome))

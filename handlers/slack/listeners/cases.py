"""/caso <playbook> [campo=valor …]: opens a case (issue 12, point 5), as the line
«/caso …» does in any chat; «/caso» alone lists the case playbooks and how to open one.
The answer comes by direct message, like any answer of the bot (the /crisis listener's
handling: handlers/slack/listeners/commands.py)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext
from handlers.slack.listeners import commands

CASE_COMMAND = "/caso"


def case_line(ctx: SlackContext, text: str) -> str:
    return f"{CASE_COMMAND} {text.strip()}".strip()


def register(app: AsyncApp, ctx: SlackContext, command: str = CASE_COMMAND) -> None:
    commands.register(app, ctx, command, line_of=case_line)

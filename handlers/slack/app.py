"""The Bolt app: Slack's signature check, then each feature area's listeners, registered
explicitly here (nothing registers itself at import)."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from handlers.slack.config import secret
from handlers.slack.context import SlackContext
from handlers.slack.listeners import actions, commands, home, messages

log = logging.getLogger(__name__)


def build_app(ctx: SlackContext) -> AsyncApp:
    """process_before_response: the listener (the command, committed) runs before Bolt
    answers, so an ack means the press is saved; Slack calls that need not hold the ack
    run afterwards (SlackContext.spawn)."""
    signing_secret = secret(ctx.settings.slack_signing_secret)
    app = AsyncApp(
        client=ctx.client,
        signing_secret=signing_secret or "socket-mode-only",  # without it only Socket Mode is served
        process_before_response=True,
        logger=logging.getLogger("handlers.slack.bolt"),
    )
    messages.register(app, ctx)
    actions.register(app, ctx)
    commands.register(app, ctx)
    home.register(app, ctx)
    return app

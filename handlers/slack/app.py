"""The Bolt app: Slack's signature check, then each feature area's listeners, registered
explicitly here (nothing registers itself at import)."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.config import retry_handlers, secret
from handlers.slack.context import SlackContext
from handlers.slack.listeners import actions, cases, commands, home, membership, messages

log = logging.getLogger(__name__)
BOLT_LOGGER = "handlers.slack.bolt"


class _TokenFromEnvironmentNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that it is unused
    when a client is given: true and expected here (see `authorize`), so not worth a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class _NoRefusedBodies(logging.Filter):
    """Bolt logs a refused request's signature and whole body at INFO: a replayed genuine
    request carries people's messages and Slack's verification token. Keep the fact only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Invalid request signature detected"):
            record.msg, record.args = "Invalid request signature detected: refused with 401", ()
        elif str(record.msg).startswith("Unhandled request"):  # signed, but no listener takes it: one line
            record.msg, record.args = str(record.msg).split("\n", 1)[0][:300] + ": answered 404", ()
        return True


def build_app(ctx: SlackContext) -> AsyncApp:
    """process_before_response: the listener (the command, committed) runs before Bolt
    answers, so an ack means the press is saved; Slack calls that need not hold the ack
    run afterwards (SlackContext.spawn)."""
    signing_secret = secret(ctx.settings.slack_signing_secret)
    bolt_log = logging.getLogger(BOLT_LOGGER)
    for kind in (_TokenFromEnvironmentNotice, _NoRefusedBodies):  # Bolt's loggers copy these filters
        if not any(isinstance(f, kind) for f in bolt_log.filters):
            bolt_log.addFilter(kind())

    async def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None = None) -> AuthorizeResult:
        return ctx.authorize(enterprise_id, team_id, user_id)  # Bolt passes arguments by name: a plain function

    app = AsyncApp(
        # The listeners call Slack through ctx.client; Bolt's own client gets the bot token
        # per request from `authorize`, which answers from what start-up learnt (auth.test
        # once), not with an auth.test on the first request.
        client=AsyncWebClient(base_url=ctx.client.base_url, retry_handlers=retry_handlers()),
        authorize=authorize,
        signing_secret=signing_secret or "socket-mode-only",  # without it only Socket Mode is served
        process_before_response=True,
        logger=bolt_log,
    )
    messages.register(app, ctx)
    actions.register(app, ctx)
    commands.register(app, ctx)
    cases.register(app, ctx)
    home.register(app, ctx)
    membership.register(app, ctx)
    return app

"""The bot joining or leaving the crisis channel (member_joined_channel, member_left_channel,
channel_left): while it is out, the group's messages are relayed by direct message."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext


def register(app: AsyncApp, ctx: SlackContext) -> None:
    @app.event("member_joined_channel")
    async def on_member_joined(event: dict[str, Any]) -> None:
        if event.get("user") and event.get("user") == ctx.bot_user_id:
            ctx.spawn(ctx.channel_membership_changed(event.get("channel"), joined=True))

    @app.event("member_left_channel")
    async def on_member_left(event: dict[str, Any]) -> None:
        if event.get("user") and event.get("user") == ctx.bot_user_id:
            ctx.spawn(ctx.channel_membership_changed(event.get("channel"), joined=False))

    @app.event("channel_left")
    async def on_channel_left(event: dict[str, Any]) -> None:
        """Sent to the bot itself when it is removed from a channel."""
        ctx.spawn(ctx.channel_membership_changed(event.get("channel"), joined=False))

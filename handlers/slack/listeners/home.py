"""The App Home tab: the viewer's open tasks with their buttons, and the crisis status."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext


def register(app: AsyncApp, ctx: SlackContext) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event["user"])
        ctx.spawn(_publish(ctx, user))


async def _publish(ctx: SlackContext, user: str) -> None:
    await ctx.publish_home(user, await ctx.identify(user))

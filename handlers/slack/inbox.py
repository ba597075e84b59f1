"""Slack's side of the inbox (bot/inbox.py): a command the database could not take within
the ack's budget (Slack waits 3 s) is acknowledged at once, the person is told it is
received, and once it commits the pressed surface is redrawn as it would have been."""

from __future__ import annotations

from typing import Any

from bot.inbox import FollowUp
from flows.texts import t
from flows.world import Outcome
from handlers.slack.context import SlackContext
from persistence.spool import Entry


def press_context(user: str, body: dict[str, Any], pressed: dict[str, Any] | None, card_ref: str | None) -> dict[str, Any]:
    """What `SlackContext.after_press` will need once the press commits, as JSON kept
    with it: the surface pressed (container, the message's blocks, the view's type)."""
    message = body.get("message") or {}
    view = body.get("view") or {}
    surface: dict[str, Any] = {"container": body.get("container") or {}}
    if message:
        surface["message"] = {"text": message.get("text"), "blocks": message.get("blocks") or []}
    if view:
        surface["view"] = {"type": view.get("type")}
    return {"user": user, "card_ref": card_ref, "body": surface,
            "pressed": {"text": pressed.get("text")} if pressed is not None else None}


def tell_received(ctx: SlackContext, channel: str | None, user: str, person_id: str) -> None:
    """«Received, being recorded», only to them: in the conversation where they acted, or
    by direct message (a modal, the App Home). After the ack, never holding it."""

    async def tell() -> None:
        text = t(ctx.lang_of(person_id), "inbox.received")
        if channel:
            await ctx.client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            await ctx.client.chat_postMessage(channel=await ctx.people.im_channel(ctx.client, user), text=text)

    ctx.spawn(tell())


def follow_up(ctx: SlackContext) -> FollowUp:
    """Registered as the inbox's follow-up for Slack: a kept press, once committed, redraws
    the pressed card (or takes the buttons off the pressed message) as `on_button` does."""

    async def committed(entry: Entry, outcome: Outcome | None) -> None:
        context = entry.context
        user, person_id = str(context.get("user") or ""), entry.command.person
        body, pressed, card_ref = context.get("body") or {}, context.get("pressed"), context.get("card_ref")
        if not user:
            return
        if outcome is None:  # an earlier attempt committed it: its card as it is now
            if card_ref:
                ctx.spawn(ctx.redraw_card(person_id, str(card_ref)))
            return
        if ctx.surface_changes(person_id, body, pressed, card_ref, outcome):
            ctx.spawn(ctx.after_press(person_id, user, body, pressed, card_ref, outcome))

    return committed

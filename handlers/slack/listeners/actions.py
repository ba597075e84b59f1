"""Buttons (block_actions) and the modal's submission (view_submission): each one a Press
of the engine. "Hecho" on a task that records a value opens the modal first; submitting
it is "Hecho" with the value."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError

from flows.commands import Press
from flows.messages import Action
from flows.texts import t
from handlers.slack.blocks import ANSWER_ACTION, BUTTON_PREFIX, LINK_PREFIX, SELECT_PREFIX
from handlers.slack.config import VIA
from handlers.slack.context import SlackContext, card_ref_of
from handlers.slack.errors import slack_error_code
from handlers.slack.inbound import action_key, view_key
from handlers.slack.inbox import press_context, tell_received
from handlers.slack.payloads import chosen
from handlers.slack.views import INPUT_BLOCK, INPUT_CALLBACK, submitted

log = logging.getLogger(__name__)


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")


def _label(action: dict[str, Any]) -> str:
    return str((action.get("text") or {}).get("text") or "")


def register(app: AsyncApp, ctx: SlackContext) -> None:
    @app.action(re.compile("^" + re.escape(BUTTON_PREFIX) + r"\d+$"))
    async def on_button(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        try:
            engine_action: Action | None = Action.decode(str(action.get("value") or ""))
        except ValueError:
            engine_action = None
        await pressed(ack, body, action, engine_action)

    @app.action(re.compile("^" + re.escape(SELECT_PREFIX)))
    async def on_select(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """An option chosen in a case question's static_select: its CHOOSE action."""
        option = action.get("selected_option") or {}
        engine_action = chosen(str(action.get("action_id") or ""), str(option.get("value") or ""), SELECT_PREFIX)
        await pressed(ack, body, {**action, "text": option.get("text")}, engine_action)

    async def pressed(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], engine_action: Action | None) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        person = await ctx.identify(user)
        if person is None or engine_action is None:
            await ack()
            if person is None:
                ctx.spawn(ctx.tell_unknown(_channel(body), user))
            return
        card_ref = card_ref_of(action)
        modal = await ctx.modal_step(engine_action)
        if modal is not None and body.get("trigger_id"):
            crisis, step = modal
            try:
                await ctx.open_modal(str(body["trigger_id"]), crisis, step, person, card_ref)
            except SlackApiError as exc:  # an expired trigger: the engine asks for the value in chat instead
                log.info("Slack: modal not opened (%s); asking in chat", slack_error_code(exc))
            else:
                await ack()
                return
        taken = await ctx.rt.inbox.take(Press(person, engine_action, VIA), action_key(body, action),
                                        ctx.settings.inbox_slack_budget_seconds, what=_label(action),
                                        context=press_context(user, body, action, card_ref))
        await ack()
        if taken.spooled:  # the database could not take it in time: kept, and they are told
            tell_received(ctx, _channel(body), user, person)
            return
        outcome = taken.outcome
        if outcome is not None:
            if ctx.asks(body.get("trigger_id"), person, outcome):
                ctx.spawn(ctx.open_modal_if_asked(body.get("trigger_id"), person, outcome))
            if ctx.surface_changes(person, body, action, card_ref, outcome):
                ctx.spawn(ctx.after_press(person, user, body, action, card_ref, outcome))

    @app.action(re.compile("^" + re.escape(LINK_PREFIX) + r"\d+$"))
    async def on_link(ack: AsyncAck) -> None:
        await ack()  # Slack opened the link in the browser; nothing for the engine

    @app.action(ANSWER_ACTION)
    async def on_answer(ack: AsyncAck, body: dict[str, Any]) -> None:
        """"Responder" under a question of the bot: the same question, as a modal."""
        await ack()
        user = str((body.get("user") or {}).get("id") or "")
        person = await ctx.identify(user)
        if person is None:
            ctx.spawn(ctx.tell_unknown(_channel(body), user))
            return
        crisis = await ctx.open_crisis()
        step = await ctx.asked(person, crisis)
        if crisis is None or step is None or not body.get("trigger_id"):
            ctx.spawn(ctx.tell(_channel(body), user, person, "slack.nothing_asked"))
            return
        await ctx.open_modal(str(body["trigger_id"]), crisis, step, person, f"card:{crisis.id}/{step.id}")

    @app.view(INPUT_CALLBACK)
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        person = await ctx.identify(user)
        if person is None:
            await ack(response_action="errors", errors={INPUT_BLOCK: ctx.unknown_text(user)})
            return
        form = submitted(view)
        if not form.value.strip():
            await ack(response_action="errors",
                      errors={INPUT_BLOCK: t(ctx.lang_of(person), "slack.input_required", label=form.label)})
            return
        press = Press(person, form.action, VIA, value=form.value.strip())
        card_ref = form.card_ref
        taken = await ctx.rt.inbox.take(press, view_key(body), ctx.settings.inbox_slack_budget_seconds,
                                        what=press.value or "", context=press_context(user, {}, None, card_ref))
        await ack()
        if taken.spooled:
            tell_received(ctx, None, user, person)
            return
        outcome = taken.outcome
        if outcome is not None and card_ref is not None and ctx.surface_changes(person, {}, None, card_ref, outcome):
            ctx.spawn(ctx.after_press(person, user, {}, None, card_ref, outcome))

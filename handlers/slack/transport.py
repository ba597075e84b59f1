"""The Slack transport as the outbox sees it.

A person's messages go to their direct-message channel (conversations.open, cached); a
message shown under a ref (a task card, a proposal) is updated in place with chat.update
once it exists, so no stale buttons remain. The group is the crisis channel: the
announcement and the live summary are one message there, rendered from the crisis as it
is when delivered and kept up to date with chat.update; the closing announcement and the
report are posted in the channel; other group news goes in the announcement's thread."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import PermanentError, Sent, Shown
from bot.settings import Settings
from flows import render
from flows.directory import Person
from flows.messages import GROUP, OutMessage
from flows.playbook import Playbook
from flows.texts import t
from handlers.slack.blocks import (
    answer_block,
    live_payload,
    message_payload,
    question_kind,
)
from handlers.slack.config import REDRAW, VIA
from handlers.slack.errors import CONNECTION_ERRORS, as_delivery_error, slack_error_code
from handlers.slack.people import SlackPeople
from persistence import repository as repo
from persistence.database import reading
from persistence.slack import live_refreshes_waiting

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

GONE = frozenset({"message_not_found", "cant_update_message", "channel_not_found", "edit_window_closed",
                  "is_archived", "msg_too_long_for_update"})
"""chat.update errors after which the message is posted anew instead."""


def crisis_of(ref: str | None) -> str | None:
    """'card:<crisis>/<step>', 'summary:<crisis>'... -> the crisis id."""
    if not ref or ":" not in ref:
        return None
    kind, _, rest = ref.partition(":")
    return rest.partition("/")[0] if kind in ("card", "announcement", "summary", "closing", "report") else None


class SlackTransport:
    name = VIA

    def __init__(self, settings: Settings, client: AsyncWebClient, people: SlackPeople) -> None:
        self.settings = settings
        self.client = client
        self.people = people
        self.channel = settings.slack_crisis_channel
        # Without a crisis channel, the group's messages reach each Slack person by DM.
        self.group_mode = "post" if self.channel else "relay"
        self._runtime: Runtime | None = None
        self._live_shown: dict[str, dict[str, Any]] = {}  # crisis id -> the live payload last shown

    def bind(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @property
    def rt(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the Slack transport is used before the runtime started")
        return self._runtime

    def reaches(self, person: Person) -> bool:
        return self.people.reaches(person)

    async def deliver(self, recipient: str, message: OutMessage) -> Sent:
        shown: list[Shown] = []  # what is posted under a ref is recorded with the delivery
        try:
            if recipient == GROUP:
                ts: str | None = await self._to_channel(message, shown)
            else:
                ts = await self._to_person(recipient, message, shown)
        except (SlackApiError, *CONNECTION_ERRORS) as exc:
            raise as_delivery_error(exc) from exc
        return Sent(ts, tuple(shown))

    # people ------------------------------------------------------------------

    async def _to_person(self, person_id: str, message: OutMessage, shown: list[Shown]) -> str | None:
        person = self.rt.directory.get(person_id)
        user = self.people.user_of(person_id)
        if person is None or user is None:
            raise PermanentError(f"{person_id} has no Slack user")
        if message.kind == REDRAW:
            drawn = await self._draw_card(person, message.ref or "")
            if drawn is None:
                return None
            message = drawn
        extra = None
        if not message.buttons and message.kind == "info":
            question = question_kind(message.text, person.lang)
            if question is not None:
                key = "slack.btn_describe" if question == "description" else "slack.btn_answer"
                extra = [answer_block(t(person.lang, key))]
        payload = message_payload(message, extra)
        if message.ref:
            ts = await self._update_ref(person_id, message.ref, payload)
            if ts is not None:
                return ts
        channel = await self.people.im_channel(self.client, user)
        return await self._post(channel, payload, person_id, message.ref, shown)

    async def _draw_card(self, person: Person, ref: str) -> OutMessage | None:
        """The person's card as the crisis is now (None when the task no longer exists)."""
        crisis_id, _, step_id = ref.removeprefix("card:").partition("/")
        async with reading(self.rt.db) as conn:
            crisis = await repo.load_crisis(conn, crisis_id)
        if crisis is None or step_id not in crisis.tasks:
            return None
        playbook = Playbook.from_frozen(crisis.playbook_json)
        step, task = playbook.step(step_id), crisis.tasks[step_id]
        tz = ZoneInfo(person.timezone)
        text = render.card_text(crisis, playbook, self.rt.directory, step, task, person.id, person.lang, tz)
        buttons = render.task_buttons(crisis.id, step, task, person.id, person.lang)
        return OutMessage(to=person.id, text=text, buttons=buttons, ref=ref, kind="card")

    # the crisis channel -----------------------------------------------------

    async def _to_channel(self, message: OutMessage, shown: list[Shown]) -> str:
        assert self.channel is not None
        crisis_id = crisis_of(message.ref)
        if crisis_id is None:
            async with reading(self.rt.db) as conn:
                crisis_id = await repo.open_crisis_id(conn, self.rt.playbook.id)
        kind = (message.ref or "").partition(":")[0]
        if kind in ("announcement", "summary") and crisis_id:
            return await self._live(crisis_id, shown)
        payload = message_payload(message)
        if kind in ("closing", "report"):
            ts = await self._post(self.channel, payload, GROUP, message.ref, shown)
            if crisis_id:
                await self._live(crisis_id, shown)  # the closed state shows in the announcement too
            return ts
        thread = None
        if crisis_id:
            async with reading(self.rt.db) as conn:
                live = await repo.get_message_ref(conn, VIA, GROUP, f"announcement:{crisis_id}")
            thread = live.external_id if live else None
        if thread:
            payload["thread_ts"] = thread
        return await self._post(self.channel, payload, GROUP, message.ref, shown)

    async def _live(self, crisis_id: str, shown: list[Shown]) -> str:
        """Show the crisis as it is now in the channel's one message (posted once, then updated)."""
        rt = self.rt
        ref = f"announcement:{crisis_id}"
        async with reading(rt.db) as conn:
            existing = await repo.get_message_ref(conn, VIA, GROUP, ref)
            if existing is not None and await live_refreshes_waiting(conn, crisis_id) > 1:
                return existing.external_id  # a burst: a later row (after this one) draws the newest state
            crisis = await repo.load_crisis(conn, crisis_id)
        if crisis is None:
            raise PermanentError(f"no crisis {crisis_id}")
        playbook = Playbook.from_frozen(crisis.playbook_json)
        payload = live_payload(crisis, playbook, rt.directory, rt.clock.now(), self.settings.lang, ZoneInfo(playbook.timezone))
        if existing is not None and self._live_shown.get(crisis_id) == payload:
            return existing.external_id  # a burst of summaries: the newest state is already shown
        ts = await self._update_ref(GROUP, ref, payload)
        if ts is None:
            ts = await self._post(self.channel or "", payload, GROUP, ref, shown)
        self._live_shown[crisis_id] = payload
        return ts

    # calls ---------------------------------------------------------------------

    async def _update_ref(self, recipient: str, ref: str, payload: dict[str, Any]) -> str | None:
        """chat.update the message shown under ref; None when there is none (or it is gone)."""
        async with reading(self.rt.db) as conn:
            existing = await repo.get_message_ref(conn, VIA, recipient, ref)
        if existing is None or not existing.channel:
            return None
        try:
            response = await self.client.chat_update(channel=existing.channel, ts=existing.external_id, **payload)
        except SlackApiError as exc:
            if slack_error_code(exc) in GONE:
                log.info("Slack: %s for %s is gone (%s); posting it again", ref, recipient, slack_error_code(exc))
                return None
            raise
        return str(response.get("ts") or existing.external_id)

    async def _post(self, channel: str, payload: dict[str, Any], recipient: str, ref: str | None,
                    shown: list[Shown]) -> str:
        response = await self.client.chat_postMessage(channel=channel, **payload)
        ts = str(response["ts"])
        if ref:  # Slack's answer names the DM channel when a user id was posted to
            shown.append(Shown(recipient, ref, ts, str(response.get("channel") or channel)))
        return ts

"""The Slack transport as the outbox sees it.

A person's messages go to their direct-message channel (conversations.open, cached). A
card's own state is redrawn in place (chat.update of the message shown under its ref), so
no stale buttons remain; what asks the person to act now (a reminder, an escalation, a
check-in, «mis tareas»: `OutMessage.fresh`) is posted as a new message, because Slack
does not notify edits, and the older copy under the same ref is redrawn without its
buttons. The group is the crisis channel: the announcement and the live summary are one
message there, rendered from the crisis as it is when delivered and kept up to date with
chat.update; the closing announcement and the report are posted in the channel (the
announcement redrawn first, so its final state never depends on them); other group news
goes in the announcement's thread. While the bot is not in the channel the group's
messages are relayed to every Slack person by direct message and the declarer is told
(`CrisisChannel`). A message too long for one Slack message goes as several.

Every post is tagged with its outbox row (message metadata); a row whose earlier attempt
may have landed is looked for in the conversation first and not posted twice
(handlers/slack/dedupe.py)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import PermanentError, Sent, Shown, TransientError, current_attempt
from bot.routing import Delivery
from bot.settings import Settings
from flows import render
from flows.directory import Person
from flows.messages import GROUP, OutMessage
from flows.playbook import Playbook
from flows.texts import t
from handlers.drillmark import marked
from handlers.slack.blocks import (
    answer_block,
    live_payload,
    message_payloads,
    pressed_blocks,
    question_kind,
)
from handlers.slack.channel import NOT_IN_CHANNEL, CrisisChannel
from handlers.slack.config import REDRAW, VIA
from handlers.slack.dedupe import PostedMessages, tag
from handlers.slack.errors import CONNECTION_ERRORS, as_delivery_error, slack_error_code
from handlers.slack.people import SlackPeople
from persistence import repository as repo
from persistence.database import reading, writing
from persistence.slack import live_refreshes_waiting, shown_message

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

GONE = frozenset({"message_not_found", "cant_update_message", "channel_not_found", "edit_window_closed",
                  "is_archived", "msg_too_long_for_update"})
"""chat.update errors after which the message is posted anew instead."""
ACT_NOW = frozenset({"nudge", "proposal"})
"""Kinds that always ask to act now (besides any message marked `fresh`)."""


def crisis_of(ref: str | None) -> str | None:
    """'card:<crisis>/<step>', 'summary:<crisis>'... -> the crisis id."""
    if not ref or ":" not in ref:
        return None
    kind, _, rest = ref.partition(":")
    return rest.partition("/")[0] if kind in ("card", "announcement", "summary", "closing", "report") else None


class SlackTransport:
    name = VIA
    edits_in_place = True  # a card is redrawn with chat.update (bot/compact.py leaves its redraws alone)

    def __init__(self, settings: Settings, client: AsyncWebClient, people: SlackPeople,
                 crisis_channel: CrisisChannel | None = None) -> None:
        self.settings = settings
        self.client = client
        self.people = people
        self.channel = settings.slack_crisis_channel
        self.crisis_channel = crisis_channel or CrisisChannel(client, self.channel)
        self._runtime: Runtime | None = None
        self._live_shown: dict[str, dict[str, Any]] = {}  # crisis id -> the live payload last shown
        self._declarer_told: set[str] = set()  # crises whose declarer knows the bot is not in the channel
        self._retired: set[str] = set()  # ts of older copies already redrawn without buttons by this process
        self._posted: PostedMessages | None = None  # what is already in Slack for a row (made with the runtime's clock)

    @property
    def group_mode(self) -> str:
        """Group messages are posted in the crisis channel, or relayed to each Slack person by
        DM without one or while the bot is not in it (decided when a row is written)."""
        return "relay" if self.crisis_channel.relayed else "post"

    @group_mode.setter
    def group_mode(self, value: str) -> None:
        raise AttributeError("the Slack transport's group mode follows the bot's membership of the crisis channel")

    def bind(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._posted = PostedMessages(self.client, runtime.clock.to_real)

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
                ts: str | None = await self._to_group(message, shown)
            else:
                ts = await self._to_person(recipient, message, shown)
        except (SlackApiError, *CONNECTION_ERRORS) as exc:
            error = as_delivery_error(exc)
            if isinstance(exc, CONNECTION_ERRORS) and isinstance(error, TransientError):  # no answer: it may have landed
                error = TransientError(str(error), error.retry_after, maybe_sent=True)
            raise error from exc
        return Sent(ts, tuple(shown))

    # people ------------------------------------------------------------------

    async def _to_person(self, person_id: str, message: OutMessage, shown: list[Shown]) -> str | None:
        person = self.rt.directory.get(person_id)
        user = self.people.user_of(person_id)
        if person is not None and user is None and person_id in self.people.retrying:
            raise TransientError(f"{person_id} not looked up in Slack yet", retry_after=self.people.seconds_to_retry())
        if person is None or user is None:
            raise PermanentError(f"{person_id} has no Slack user")
        if message.to == GROUP and self.channel and self.crisis_channel.member is False:
            await self._tell_declarer(crisis_of(message.ref))  # relayed because the bot is not in the channel
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
        payloads = message_payloads(message, extra, person.lang)
        fresh = message.fresh or message.kind in ACT_NOW
        if message.ref and not fresh and len(payloads) == 1:
            ts = await self._update_ref(person_id, message.ref, payloads[0])
            if ts is not None:
                if message.ref.startswith("card:") and not message.buttons:  # nothing left to press on it
                    await self._settle_nudge(person, message.ref)
                return ts
        previous = None
        if message.ref and fresh:
            async with reading(self.rt.db) as conn:
                previous = await repo.get_message_ref(conn, VIA, person_id, message.ref)
        channel = await self.people.im_channel(self.client, user)
        ts = await self._post_all(channel, payloads, person_id, message.ref, shown)
        if previous is not None and previous.channel and previous.external_id != ts:
            await self._retire(person, message.ref or "", previous)
        return ts

    async def _settle_nudge(self, person: Person, card_ref: str) -> None:
        """A card redrawn without buttons (taken by somebody else, done, cancelled): the
        person's last reminder or escalation about that task loses its buttons too."""
        nudge_ref = "nudge:" + card_ref.removeprefix("card:")
        async with reading(self.rt.db) as conn:
            nudge = await repo.get_message_ref(conn, VIA, person.id, nudge_ref)
        if nudge is not None and nudge.external_id not in self._retired:
            await self._retire(person, nudge_ref, nudge, "slack.settled")

    async def _retire(self, person: Person, ref: str, previous: repo.MessageRef, note: str = "slack.superseded") -> None:
        """An older copy loses its buttons, with a note (`note`: a text key): a newer one is
        below, or it needs no answer any more. Best effort: a failure here only leaves
        buttons that still act on the task as it is (the engine checks its state)."""
        if previous.external_id in self._retired:
            return
        async with reading(self.rt.db) as conn:
            old = await shown_message(conn, person.id, previous.external_id)
        if old is not None and (old.kind == REDRAW or ref.startswith("card:")):
            old = await self._draw_card(person, ref) or old
        if old is None or not old.buttons or previous.channel is None:
            return
        payload = message_payloads(replace(old, buttons=()))[0]
        blocks = pressed_blocks(payload["blocks"], t(person.lang, note))
        try:
            await self.client.chat_update(channel=previous.channel, ts=previous.external_id, text=payload["text"],
                                          blocks=blocks)
            self._retired.add(previous.external_id)
        except (SlackApiError, *CONNECTION_ERRORS) as exc:
            log.info("Slack: the older copy of %s for %s kept its buttons (%s)", ref, person.id,
                     slack_error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__)

    async def _draw_card(self, person: Person, ref: str) -> OutMessage | None:
        """The person's card as the crisis is now (None when the task no longer exists); a
        drill's starts with the drill prefix, as the engine's own cards do."""
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
        return OutMessage(to=person.id, text=marked(text, person.lang, crisis.drill), buttons=buttons, ref=ref,
                          kind="card", drill=crisis.drill)

    # the crisis channel -----------------------------------------------------

    async def _to_group(self, message: OutMessage, shown: list[Shown]) -> str | None:
        """Post in the crisis channel; relay by DM when the bot is not in it."""
        await self.crisis_channel.recheck_if_due()
        if self.crisis_channel.member is not False:
            try:
                return await self._to_channel(message, shown)
            except SlackApiError as exc:
                code = slack_error_code(exc)
                if code not in NOT_IN_CHANNEL:
                    raise
                self.crisis_channel.lost(code)
        await self._relay(message)
        return None

    async def _relay(self, message: OutMessage) -> None:
        """A group message written for the channel, while the bot is not in it: one row per
        Slack person instead (as the router plans a relayed group), and the declarer told.
        The live summary is not relayed: it only makes sense updated in place."""
        rt = self.rt
        crisis_id = crisis_of(message.ref)
        if crisis_id is None:
            async with reading(rt.db) as conn:
                crisis_id = await repo.open_crisis_id(conn, rt.playbook.id)
        if message.kind != "summary":
            router = rt.service.router
            deliveries = [Delivery(p.id, VIA, message) for p in rt.directory.people if router.channel_for(p) == VIA]
            async with writing(rt.db) as conn:
                await repo.enqueue(conn, crisis_id, deliveries, rt.clock.now())
            rt.outbox.kick()
        await self._tell_declarer(crisis_id)

    async def _tell_declarer(self, crisis_id: str | None) -> None:
        """Once per crisis (and process): the declarer learns that the bot is not in the
        channel, how to invite it, and that the group's messages go by DM meanwhile."""
        if crisis_id is None or crisis_id in self._declarer_told or not self.channel:
            return
        self._declarer_told.add(crisis_id)
        rt = self.rt
        async with reading(rt.db) as conn:
            crisis = await repo.load_crisis(conn, crisis_id)
        person = rt.directory.get(crisis.declared_by) if crisis is not None else None
        if person is None:
            return
        text = t(person.lang, self.crisis_channel.declarer_key, channel=self.crisis_channel.label)
        deliveries = rt.service.router.plan(OutMessage(to=person.id, text=text))
        async with writing(rt.db) as conn:
            await repo.enqueue(conn, crisis_id, deliveries, rt.clock.now())
        rt.outbox.kick()

    async def _to_channel(self, message: OutMessage, shown: list[Shown]) -> str:
        assert self.channel is not None
        crisis_id = crisis_of(message.ref)
        if crisis_id is None:
            async with reading(self.rt.db) as conn:
                crisis_id = await repo.open_crisis_id(conn, self.rt.playbook.id)
        kind = (message.ref or "").partition(":")[0]
        if kind in ("announcement", "summary") and crisis_id:
            return await self._live(crisis_id, shown)
        payloads = message_payloads(message, lang=self.settings.lang)
        if kind in ("closing", "report"):
            if crisis_id:  # the announcement's new state first: it never waits for (or fails with) the post
                await self._live(crisis_id, shown)
            return await self._post_all(self.channel, payloads, GROUP, message.ref, shown)
        thread = None
        if crisis_id:
            async with reading(self.rt.db) as conn:
                live = await repo.get_message_ref(conn, VIA, GROUP, f"announcement:{crisis_id}")
            thread = live.external_id if live else None
        if thread:
            payloads = [{**payload, "thread_ts": thread} for payload in payloads]
        return await self._post_all(self.channel, payloads, GROUP, message.ref, shown)

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

    async def _post_all(self, channel: str, payloads: list[dict[str, Any]], recipient: str, ref: str | None,
                        shown: list[Shown]) -> str:
        """Post the parts of a message in order; the ref names the last (the one with the
        buttons). If a later part fails the row is retried whole: earlier parts may show
        twice, nothing is lost."""
        ts = ""
        for index, payload in enumerate(payloads):
            ts = await self._post(channel, payload, recipient, ref if index == len(payloads) - 1 else None, shown,
                                  part=index)
        return ts

    async def _post(self, channel: str, payload: dict[str, Any], recipient: str, ref: str | None,
                    shown: list[Shown], part: int = 0) -> str:
        """Post part `part` of the outbox row being delivered, tagged with the row; if an
        earlier attempt of the row may have landed and the part is in the conversation,
        take it (redrawn if it shows something else) instead of posting it again."""
        attempt = current_attempt.get()
        found = None
        if attempt is not None:
            payload = {**payload, "metadata": tag(attempt.row, part)}
            if attempt.maybe_landed and self._posted is not None:
                found = await self._posted.find(channel, payload.get("thread_ts"), attempt, part)
        if found is not None:
            log.info("Slack: outbox %s (part %s) is already in %s (ts %s): not posted again", attempt and attempt.row,
                     part, found.channel, found.ts)
            if found.text != payload.get("text") or found.blocks != payload.get("blocks", []):
                await self.client.chat_update(channel=found.channel, ts=found.ts, text=payload.get("text"),
                                              blocks=payload.get("blocks"))
            ts, where = found.ts, found.channel
        else:
            if self._posted is not None:
                self._posted.posted(channel, part)
            response = await self.client.chat_postMessage(channel=channel, **payload)
            ts, where = str(response["ts"]), str(response.get("channel") or channel)
        if channel == self.channel:
            self.crisis_channel.joined()  # a post there succeeded: the bot is in it
        if ref:  # Slack's answer names the DM channel when a user id was posted to
            shown.append(Shown(recipient, ref, ts, where))
        return ts

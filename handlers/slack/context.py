"""What the Slack listeners share: the runtime, the client, the people map, and the
follow-ups of a press that Slack shows but the engine does not decide (open a modal,
take the buttons off a pressed message, redraw the App Home)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.routing import Delivery
from bot.settings import Settings
from flows import render
from flows.crisis import Crisis, TaskState
from flows.messages import GROUP, Action, ActionKind, OutMessage
from flows.playbook import Playbook, Step, StepMode
from flows.texts import t
from flows.world import Outcome
from handlers.slack.blocks import REF_BLOCK, pressed_blocks
from handlers.slack.channel import CrisisChannel
from handlers.slack.config import REDRAW, VIA
from handlers.slack.errors import CONNECTION_ERRORS
from handlers.slack.people import SlackPeople
from handlers.slack.views import home_view, input_modal, notice_view
from persistence import repository as repo
from persistence.database import reading, writing

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


class SlackContext:
    def __init__(self, settings: Settings, client: AsyncWebClient, people: SlackPeople,
                 crisis_channel: CrisisChannel | None = None) -> None:
        self.settings = settings
        self.client = client
        self.people = people
        self.crisis_channel = crisis_channel or CrisisChannel(client, settings.slack_crisis_channel)
        self._runtime: Runtime | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.bot_user_id: str | None = None  # from auth.test at start-up
        self.bot_id: str | None = None

    def bind(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @property
    def rt(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("a Slack request arrived before the runtime started")
        return self._runtime

    async def learn_identity(self) -> None:
        """The bot's own user and bot ids (auth.test), once at start-up. Without them Bolt
        cannot tell the bot's own messages by user id; they are skipped by bot_id anyway."""
        try:
            response = await self.client.auth_test()
        except (SlackApiError, *CONNECTION_ERRORS) as exc:
            log.error("Slack: auth.test failed (%s): check SLACK_BOT_TOKEN", type(exc).__name__)
            return
        self.bot_user_id, self.bot_id = response.get("user_id"), response.get("bot_id")

    def authorize(self, enterprise_id: str | None, team_id: str | None, user_id: str | None = None) -> AuthorizeResult:
        """Bolt's authorization of each request: the one workspace, the bot token."""
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                               bot_token=self.client.token, bot_user_id=self.bot_user_id, bot_id=self.bot_id)

    async def identify(self, user: str) -> str | None:
        """The directory person behind a Slack user id; one not resolved at start-up is
        recognised now by their profile's e-mail (SlackPeople.identify)."""
        return await self.people.identify(self.client, self.rt.directory, user)

    def lang_of(self, person_id: str | None) -> str:
        person = self.rt.directory.get(person_id) if person_id else None
        return person.lang if person else self.settings.lang

    def tz_of(self, person_id: str | None) -> ZoneInfo:
        person = self.rt.directory.get(person_id) if person_id else None
        return ZoneInfo(person.timezone if person else self.rt.playbook.timezone)

    # background work after the ack -----------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run Slack calls that need not hold the ack; their errors are logged here, the
        one place this transport's follow-ups fail (the state is already committed)."""
        task = asyncio.create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except (SlackApiError, *CONNECTION_ERRORS) as exc:
            log.warning("Slack follow-up failed: %s", exc)

    def busy(self) -> bool:
        return bool(self._tasks)

    async def idle(self) -> None:
        """Wait for the follow-ups under way (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # reading the crisis -------------------------------------------------------------

    async def open_crisis(self) -> Crisis | None:
        async with reading(self.rt.db) as conn:
            crisis_id = await repo.open_crisis_id(conn, self.rt.playbook.id)
            return await repo.load_crisis(conn, crisis_id) if crisis_id else None

    async def crisis(self, crisis_id: str) -> Crisis | None:
        async with reading(self.rt.db) as conn:
            return await repo.load_crisis(conn, crisis_id)

    # replies that are not the engine's -----------------------------------------------

    async def tell_unknown(self, channel: str | None, user: str) -> None:
        """Someone not in the directory: a polite answer only they see."""
        if channel:
            await self.client.chat_postEphemeral(channel=channel, user=user, text=self.unknown_text(user))

    def unknown_text(self, user: str) -> str:
        """«Not in the directory»; or, while Slack cannot say who they are (users.info failed
        and people are still being looked up), that what they wrote was not taken."""
        if user in self.people.undetermined:
            return t(self.settings.lang, "slack.unknown_for_now", name=f"<@{user}>")
        return t(self.settings.lang, "unknown_person", name=f"<@{user}>")

    async def tell(self, channel: str | None, user: str, person_id: str, key: str, **kw: Any) -> None:
        if channel:
            await self.client.chat_postEphemeral(channel=channel, user=user, text=t(self.lang_of(person_id), key, **kw))

    # modals -------------------------------------------------------------------------

    async def modal_step(self, action: Action) -> tuple[Crisis, Step] | None:
        """The task behind "Hecho" when Slack should ask its value in a modal first."""
        if action.kind != ActionKind.COMPLETE or "/" not in action.ref:
            return None
        crisis_id, step_id = action.task_ref()
        try:
            if self.rt.playbook.step(step_id).input is None:
                return None  # the common case, without reading the crisis (its frozen copy may differ
                # from the file only if the file was edited meanwhile; then the engine asks in chat)
        except KeyError:
            pass
        crisis = await self.crisis(crisis_id)
        if crisis is None or step_id not in crisis.tasks:
            return None
        step = Playbook.from_frozen(crisis.playbook_json).step(step_id)
        task = crisis.tasks[step_id]
        if step.input is None or step.mode != StepMode.ANY or step.checks:
            return None
        return (crisis, step) if task.state in (TaskState.OPEN, TaskState.CLAIMED) else None

    async def open_modal(self, trigger_id: str, crisis: Crisis, step: Step, person_id: str, card_ref: str | None) -> None:
        view = input_modal(crisis.id, step, self.lang_of(person_id), card_ref, drill=crisis.drill)
        await self.client.views_open(trigger_id=trigger_id, view=view)

    async def asked(self, person_id: str, crisis: Crisis | None) -> Step | None:
        """The step whose value the bot is waiting for from this person, if any."""
        if crisis is None:
            return None
        playbook = Playbook.from_frozen(crisis.playbook_json)
        for step_id, task in crisis.tasks.items():
            step = playbook.step(step_id)
            if task.asking == person_id and step.input is not None:
                return step
        return None

    @staticmethod
    def asks(trigger_id: str | None, person_id: str, outcome: Outcome | None) -> bool:
        """Whether the engine is waiting for a value from this person and the interaction
        brought a trigger_id to open a modal with (checked before any work is queued)."""
        return bool(trigger_id) and outcome is not None and outcome.crisis is not None and any(
            m.to == person_id for m in outcome.messages) and any(
            task.asking == person_id for task in outcome.crisis.tasks.values())

    async def open_modal_if_asked(self, trigger_id: str | None, person_id: str, outcome: Outcome | None) -> None:
        """The engine just asked this person for a value (the declarer's description):
        Slack can ask it in a modal, as the interaction brought a trigger_id. Queued only
        when `asks` says so."""
        if not trigger_id or outcome is None:
            return
        step = await self.asked(person_id, outcome.crisis)
        if step is not None and outcome.crisis is not None:
            await self.open_modal(trigger_id, outcome.crisis, step, person_id, None)

    # after a press ----------------------------------------------------------------------

    @staticmethod
    def surface_changes(person_id: str, body: dict[str, Any], pressed: dict[str, Any] | None, card_ref: str | None,
                        outcome: Outcome) -> bool:
        """Whether `after_press` has anything to do: most presses redraw their card through
        the engine's own messages, and then nothing is queued after the ack."""
        container = body.get("container") or {}
        if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
            return True
        if card_ref is not None:
            return not any(m.to == person_id and m.ref == card_ref for m in outcome.messages)
        return pressed is not None and container.get("type") == "message" and bool(container.get("channel_id"))

    async def after_press(self, person_id: str, user: str, body: dict[str, Any], pressed: dict[str, Any] | None,
                          card_ref: str | None, outcome: Outcome) -> None:
        """What the pressed surface shows next: the card redrawn, or the buttons taken off
        the pressed message, and the App Home redrawn when the press came from it."""
        container = body.get("container") or {}
        if card_ref is not None:
            if not any(m.to == person_id and m.ref == card_ref for m in outcome.messages):
                await self.redraw_card(person_id, card_ref)
        elif pressed is not None and container.get("type") == "message" and container.get("channel_id"):
            label = ((pressed.get("text") or {}).get("text")) or ""
            note = t(self.lang_of(person_id), "slack.pressed", label=label,
                     at=render.clock_time(self.rt.clock.now(), self.tz_of(person_id)))
            blocks = pressed_blocks((body.get("message") or {}).get("blocks") or [], note)
            await self.client.chat_update(channel=container["channel_id"], ts=container["message_ts"],
                                          text=(body.get("message") or {}).get("text") or note, blocks=blocks)
        if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
            await self.publish_home(user, person_id)

    async def redraw_card(self, person_id: str, card_ref: str) -> None:
        """The engine tells the presser what happened in words and redraws the card for the
        others; the presser's own card is redrawn here, through the outbox like any card, so
        it keeps its place among their messages. The row is drawn when it is delivered, from
        the crisis as it is then: a later press can never be overwritten by an older state."""
        crisis_id = card_ref.removeprefix("card:").partition("/")[0]
        message = OutMessage(to=person_id, text="", ref=card_ref, kind=REDRAW)
        async with writing(self.rt.db) as conn:
            await repo.enqueue(conn, crisis_id, [Delivery(person_id, VIA, message)], self.rt.clock.now())
        self.rt.outbox.kick()

    # the crisis channel ---------------------------------------------------------------

    async def channel_membership_changed(self, channel: str | None, joined: bool) -> None:
        """Slack says the bot joined or left the crisis channel. Once in, the channel gets
        the live announcement as the crisis is now (group messages are posted there again)."""
        if not channel or channel != self.crisis_channel.id:
            return
        if not joined:
            self.crisis_channel.lost("not_in_channel")
            return
        self.crisis_channel.joined()
        crisis = await self.open_crisis()
        if crisis is not None:
            summary = OutMessage(to=GROUP, text="", ref=f"summary:{crisis.id}", kind="summary")
            async with writing(self.rt.db) as conn:
                await repo.enqueue(conn, crisis.id, [Delivery(GROUP, VIA, summary)], self.rt.clock.now())
            self.rt.outbox.kick()

    # App Home ----------------------------------------------------------------------------

    async def publish_home(self, user: str, person_id: str | None) -> None:
        if person_id is None:
            await self.client.views_publish(user_id=user, view=notice_view(self.unknown_text(user)))
            return
        crisis = await self.open_crisis()
        view = home_view(crisis, self.rt.directory, person_id, self.rt.clock.now(), self.lang_of(person_id), self.tz_of(person_id))
        await self.client.views_publish(user_id=user, view=view)


def card_ref_of(action: dict[str, Any]) -> str | None:
    """The card a pressed button belongs to (its actions block names the ref)."""
    block_id = str(action.get("block_id") or "")
    ref = block_id.removeprefix(REF_BLOCK) if block_id.startswith(REF_BLOCK) else None
    return ref if ref and ref.startswith("card:") else None

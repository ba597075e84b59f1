"""The shapes of the Slack payloads the bot takes, checked before Bolt or a listener reads
them: every field that Bolt (request/internals.py, listener matchers) or our listeners read
has its type and a size; anything else is kept as it came (`extra="allow"`).

Sizes are Slack's own limits where it documents them, else what our columns hold:
- ids (users U/W, teams T, channels C/D/G, views V...) are upper-case letters and digits;
  kept to 40 characters so that every key built from them fits `processed_events.key`
  (String(200)) and a person or recipient column (String(80)).
- a message's text: 40,000 characters (https://api.slack.com/methods/chat.postMessage);
  a button's `value` 2,000, `action_id`/`block_id` 255 (https://api.slack.com/reference/block-kit/block-elements#button);
  a modal's `private_metadata` 3,000, a plain-text input 3,000
  (https://api.slack.com/reference/surfaces/views, .../block-elements#input);
  at most 25 elements in an actions block (https://api.slack.com/reference/block-kit/blocks#actions).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from flows.messages import Action as EngineAction
from flows.messages import ActionKind

SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,40}$")]
Ts = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,9})?$")]
Token = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,100}$")]  # trigger_id, event_id
Short = Annotated[str, StringConstraints(max_length=255)]
LongText = Annotated[str, StringConstraints(max_length=40_000)]
Value = Annotated[str, StringConstraints(max_length=3_000)]
Url = Annotated[str, StringConstraints(max_length=2_000, pattern=r"^https?://")]
FormId = SlackId | Literal[""]  # a slash command's form sends an empty field for what does not apply
Block = dict[str, Any]


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class Named(Shape):
    """A team, enterprise, channel or user given as an object."""

    id: SlackId | None = None
    team_id: SlackId | None = None
    enterprise_id: SlackId | None = None
    name: Short | None = None
    username: Short | None = None
    domain: Short | None = None


class Who(Named):
    id: SlackId  # the person who pressed or submitted: required


class Authorization(Shape):
    enterprise_id: SlackId | None = None
    team_id: SlackId | None = None
    user_id: SlackId | None = None
    is_bot: bool | None = None
    is_enterprise_install: bool | None = None


class PlainText(Shape):
    type: Short | None = None
    text: Value | None = None


class InputValue(Shape):
    type: Short | None = None
    value: Value | None = None


class ViewState(Shape):
    values: dict[Short, dict[Short, InputValue]] = Field(default_factory=dict, max_length=100)


class View(Shape):
    id: SlackId | None = None
    type: Short | None = None
    callback_id: Short | None = None
    private_metadata: Value | None = None
    state: ViewState | None = None
    hash: Short | None = None
    team_id: SlackId | None = None
    app_installed_team_id: SlackId | None = None
    root_view_id: SlackId | None = None
    previous_view_id: SlackId | None = None
    blocks: list[Block] | None = Field(default=None, max_length=100)


class Located(Shape):
    channel: SlackId | Named | None = None
    channel_id: SlackId | None = None
    user: SlackId | Named | None = None
    user_id: SlackId | None = None
    team: SlackId | Named | None = None
    thread_ts: Ts | None = None


class Message(Located):
    ts: Ts | None = None
    text: LongText | None = None
    subtype: Short | None = None
    bot_id: SlackId | None = None
    blocks: list[Block] | None = Field(default=None, max_length=100)


class Event(Message):
    type: Short
    user: SlackId | None = None  # the listeners read it as a user id
    channel_type: Short | None = None
    tab: Short | None = None
    event_ts: Ts | None = None
    user_team: SlackId | None = None
    message: Message | None = None
    previous_message: Message | None = None
    item: Located | None = None
    view: View | None = None

    @model_validator(mode="after")
    def _required(self) -> Event:
        """What Slack always sends with the events the listeners take (api.slack.com/events)."""
        missing = [name for name in EVENT_FIELDS.get(self.type, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.type} event has {', '.join(missing)}")
        return self


EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "app_home_opened": ("user", "channel"),
    "member_joined_channel": ("user", "channel"),
    "member_left_channel": ("user", "channel"),
    "channel_left": ("channel",),
}


class SelectedOption(Shape):
    """The option chosen in a static_select (a case question's options, handlers/slack/blocks.py):
    its value at most 150 characters, its text 75 (docs.slack.dev composition-objects#option)."""

    value: Annotated[str, StringConstraints(max_length=150)]
    text: PlainText | None = None


class Action(Shape):
    action_id: Short
    block_id: Short | None = None
    type: Short | None = None
    value: Annotated[str, StringConstraints(max_length=2_000)] | None = None
    selected_option: SelectedOption | None = None
    text: PlainText | None = None
    style: Short | None = None
    action_ts: Ts | None = None


class Container(Shape):
    """Where a button was pressed: a message (its channel and ts) or a view (its id), as
    Slack always sends them; the follow-up that redraws the surface reads them."""

    type: Short | None = None
    message_ts: Ts | None = None
    thread_ts: Ts | None = None
    channel_id: SlackId | None = None
    view_id: SlackId | None = None
    is_ephemeral: bool | None = None

    @model_validator(mode="after")
    def _where(self) -> Container:
        if self.type == "message" and (self.message_ts is None or self.channel_id is None):
            raise ValueError("a message container has message_ts and channel_id")
        if self.type == "view" and self.view_id is None:
            raise ValueError("a view container has view_id")
        return self


class ResponseUrl(Shape):
    response_url: Url | None = None


class Envelope(Shape):
    """What Bolt reads from any payload to build its context (team, user, channel...)."""

    type: Short
    token: Short | None = None
    team_id: SlackId | None = None
    api_app_id: SlackId | None = None
    enterprise_id: SlackId | None = None
    team: SlackId | Named | None = None
    enterprise: SlackId | Named | None = None
    authorizations: list[Authorization] | None = Field(default=None, max_length=10)
    is_enterprise_install: bool | None = None
    is_ext_shared_channel: bool | None = None
    channel: SlackId | Named | None = None
    user: SlackId | Named | None = None
    user_id: SlackId | None = None
    response_url: Url | None = None
    response_urls: list[ResponseUrl] | None = Field(default=None, max_length=10)
    trigger_id: Token | None = None
    thread_ts: Ts | None = None
    message: Message | None = None
    previous_message: Message | None = None
    item: Located | None = None
    assistant_thread: Located | None = None
    function_execution_id: Short | None = None
    bot_access_token: Short | None = None
    function_data: dict[str, Any] | None = None


class UrlVerification(Envelope):
    type: Literal["url_verification"]
    challenge: Annotated[str, StringConstraints(max_length=200)]


class EventCallback(Envelope):
    type: Literal["event_callback"]
    event_id: Token
    event_time: int | None = None
    event: Event


class BlockActions(Envelope):
    type: Literal["block_actions"]
    user: Who
    actions: list[Action] = Field(min_length=1, max_length=25)
    container: Container | None = None
    view: View | None = None


class SubmittedView(View):
    type: Short  # Bolt reads view.type of every submission (is_workflow_step_save)
    callback_id: Short


class ViewSubmission(Envelope):
    type: Literal["view_submission"]
    user: Who
    view: SubmittedView


class SlashCommand(Shape):
    """A slash command's form (every value a string)."""

    command: Annotated[str, StringConstraints(pattern=r"^/[a-z0-9_.-]{1,31}$")]
    text: Annotated[str, StringConstraints(max_length=4_000)] = ""
    user_id: SlackId
    channel_id: FormId = ""
    team_id: FormId = ""
    enterprise_id: FormId = ""
    api_app_id: FormId = ""
    trigger_id: Token | Literal[""] = ""
    response_url: Url | Literal[""] = ""
    token: Short = ""
    user_name: Short = ""
    channel_name: Short = ""
    team_domain: Short = ""
    enterprise_name: Short = ""
    is_enterprise_install: Short = ""


PAYLOADS: dict[str, type[Envelope]] = {
    "url_verification": UrlVerification,
    "event_callback": EventCallback,
    "block_actions": BlockActions,
    "view_submission": ViewSubmission,
}
"""The payload types the bot answers; Slack's other types (view_closed, shortcuts,
app_rate_limited...) are acknowledged and left alone."""


def chosen(action_id: str, selected: str, prefix: str) -> EngineAction | None:
    """The CHOOSE action a static_select's choice is: its action_id is `prefix` +
    'choose:<case>/<step>' (the question), `selected` the option value (selected_option.value);
    None when it is not one of ours (another kind, no value)."""
    if not action_id.startswith(prefix) or not selected:
        return None
    try:
        question = EngineAction.decode(action_id.removeprefix(prefix))
    except ValueError:
        return None
    if question.kind != ActionKind.CHOOSE or "=" in question.ref:
        return None
    return EngineAction(ActionKind.CHOOSE, f"{question.ref}={selected}")

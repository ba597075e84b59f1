"""Settings from the environment or `.env` (pydantic-settings). Secrets never have defaults."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")  # a Twilio Content template id
NOT_CONTENT_SID = "not a template id (HX and 32 hex digits, as `crisisbot whatsapp plantillas` prints them)"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///crisisbot.db"
    playbook: Path = Path("playbooks/fullpyme_contingencia.yaml")
    # Every playbook to run (issue 12): paths or glob patterns, comma-separated
    # ("playbooks/*.yaml", "a.yaml,b.yaml"); files that hold a directory are left out. Unset:
    # PLAYBOOK alone when it is set, else every playbook in PLAYBOOK's folder. One of them
    # must be the crisis playbook (kind: crisis); the others run cases (bot/playbooks.py).
    playbooks: str | None = None
    directory: Path = Path("playbooks/directory.example.yaml")
    # Language of the company group's messages (each person has their own). Not `LANG`:
    # that is the system locale.
    crisisbot_lang: Literal["es", "en"] = "es"
    port: int = Field(default=8000, ge=0, le=65535)  # TCP port of `crisisbot serve`; 0: any free one
    # The address `crisisbot serve` listens on: 0.0.0.0 (every interface, what platforms such
    # as Heroku or Render expect), 127.0.0.1 behind a local proxy, :: for IPv6.
    host: str = "0.0.0.0"
    # Python logging level name, any case ("info" is INFO).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    outbox_max_attempts: int = Field(default=8, ge=1)
    # Deliveries at once in `crisisbot serve` (to different people; one person's stay in
    # order). Slack limits posting per channel, and each person's DM is its own channel.
    outbox_concurrency: int = Field(default=16, ge=1, le=64)
    # GET /healthz answers 503 (page someone) when, in seconds, a pending timer is overdue
    # by more than HEALTH_TIMER_OVERDUE_SECONDS, or an outbox row has waited undelivered
    # longer than HEALTH_OUTBOX_AGE_SECONDS; or when this many timer sweeps failed in a row.
    health_timer_overdue_seconds: float = Field(default=120.0, gt=0)
    health_outbox_age_seconds: float = Field(default=600.0, gt=0)
    health_sweep_failures: int = Field(default=3, ge=1)
    # Seconds between two looks at the directory file while running: a change that validates
    # is put in use without a restart (bot/reload.py). 0: only on SIGHUP.
    directory_reload_seconds: float = Field(default=5.0, ge=0)
    # Seconds between a process's heartbeats, and seconds without one after which its
    # outbox leases are free for the other processes (a dead replica on another machine).
    # On the same machine a dead process is noticed at once by its pid.
    outbox_heartbeat_seconds: float = Field(default=5.0, gt=0)
    outbox_process_timeout_seconds: float = Field(default=15.0, gt=0)
    # The public address of `crisisbot serve` (signature checks behind a proxy, links in chat).
    public_base_url: str = "http://localhost:8000"
    # Signs dashboard links. Without it a random key is made at start-up (links die on restart).
    secret_key: SecretStr | None = None
    # WhatsApp through Twilio (handlers/whatsapp): on when the SID, the token and the sender are set.
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_from: str | None = None  # the bot's sender, "whatsapp:+14155238886"
    # Twilio's REST API, or a gateway / local fake (then the Content API is reached there too).
    twilio_api_url: str = "https://api.twilio.com"
    twilio_messages_per_second: float = Field(default=10.0, gt=0)  # the sender's throughput; the transport paces itself
    # SMS as the last channel (handlers/sms): the account's SMS number, E.164 ("+14155550100").
    # With it, people no chat channel reaches get the essentials by SMS, and answer by SMS
    # (Twilio's webhook for the number: PUBLIC_BASE_URL + /twilio/sms).
    twilio_sms_from: str | None = None  # `crisisbot doctor` checks that it looks E.164
    # Content template ids (HX...), made by `crisisbot whatsapp plantillas`. Without them the
    # bot sends numbered text, and cannot reach people outside WhatsApp's 24-hour window.
    twilio_content_notice: str | None = None  # approved text template: any message, out of the window
    twilio_content_task: str | None = None  # approved quick reply: Lo tomo / Hecho / No puedo
    twilio_content_buttons_1: str | None = None  # session quick replies with 1, 2 and 3 buttons
    twilio_content_buttons_2: str | None = None
    twilio_content_buttons_3: str | None = None
    # session list pickers (a case question's options, handlers/whatsapp/render.py), one per item count 1-10:
    # Twilio's twilio/list-picker has a fixed number of items (each title, id, description a variable)
    twilio_content_list_1: str | None = None
    twilio_content_list_2: str | None = None
    twilio_content_list_3: str | None = None
    twilio_content_list_4: str | None = None
    twilio_content_list_5: str | None = None
    twilio_content_list_6: str | None = None
    twilio_content_list_7: str | None = None
    twilio_content_list_8: str | None = None
    twilio_content_list_9: str | None = None
    twilio_content_list_10: str | None = None
    # The two approved templates per language (a template's language is part of what WhatsApp
    # approves): a person outside the window gets those of their own `lang`, else the group's.
    # TWILIO_CONTENT_NOTICE / _TASK are the ones in CRISISBOT_LANG; a suffixed one of that
    # language takes their place.
    twilio_content_notice_es: str | None = None
    twilio_content_notice_en: str | None = None
    twilio_content_task_es: str | None = None
    twilio_content_task_en: str | None = None
    # The same two for drills (issue 14): their approved body starts with «🧪 SIMULACRO · »
    # («🧪 DRILL · » in English). Without them a drill message outside the window goes as the
    # ones above with the prefix inside its first variable (`crisisbot doctor` warns).
    twilio_content_drill_notice: str | None = None
    twilio_content_drill_task: str | None = None
    twilio_content_drill_notice_es: str | None = None
    twilio_content_drill_notice_en: str | None = None
    twilio_content_drill_task_es: str | None = None
    twilio_content_drill_task_en: str | None = None
    # The web dashboard (handlers/web): how long a personal link from the bot («panel») opens
    # it, and how long the session it starts lasts in that browser.
    panel_link_minutes: int = Field(default=120, ge=1)  # minutes
    panel_session_hours: int = Field(default=12, ge=1)  # hours
    # Slack (handlers/slack): on when the bot token and the signing secret (HTTP) or the app
    # token (Socket Mode) are set.
    slack_bot_token: SecretStr | None = None  # xoxb-...
    slack_signing_secret: SecretStr | None = None  # checks every request to POST /slack/events
    slack_app_token: SecretStr | None = None  # xapp-...: Socket Mode, no public URL needed
    slack_crisis_channel: str | None = None  # the company group's channel id (C0123...)
    # Slack's Web API, or a Slack-compatible gateway / local fake.
    slack_api_url: str = "https://slack.com/api/"

    # The inbox (bot/inbox.py): a command the database cannot commit in time is kept on local
    # disk, the platform is answered at once, and it is retried until committed.
    # Seconds a webhook waits for its command's commit before it is kept instead; under
    # Slack's 3 s to acknowledge and Twilio's 15 s to answer.
    inbox_slack_budget_seconds: float = Field(default=2.0, gt=0, lt=3)
    inbox_twilio_budget_seconds: float = Field(default=10.0, gt=0, lt=15)
    # Minutes after its arrival a kept command may still be committed; then the person is
    # told it was not taken.
    inbox_give_up_minutes: float = Field(default=10.0, gt=0)
    # Seconds before the first retry of a kept command (doubling up to 30 s while it fails).
    inbox_retry_seconds: float = Field(default=1.0, gt=0)
    # Where kept commands wait (an append-only JSON-lines file). Default: `inbox/` beside the
    # SQLite file, or `./inbox/` for PostgreSQL.
    inbox_dir: Path | None = None
    # Seconds `run`, `serve` and `informe` keep trying a database server that does not answer
    # at start-up (one line per try) before giving up; 0: a single try.
    database_startup_retry_seconds: float = Field(default=30.0, ge=0)
    # Milliseconds a SQLite writer waits for another process's write lock before failing.
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)

    @field_validator("twilio_content_notice", "twilio_content_task", "twilio_content_buttons_1",
                     "twilio_content_buttons_2", "twilio_content_buttons_3", "twilio_content_notice_es",
                     "twilio_content_notice_en", "twilio_content_task_es", "twilio_content_task_en",
                     "twilio_content_drill_notice", "twilio_content_drill_task", "twilio_content_drill_notice_es",
                     "twilio_content_drill_notice_en", "twilio_content_drill_task_es", "twilio_content_drill_task_en",
                     *(f"twilio_content_list_{n}" for n in range(1, 11)))
    @classmethod
    def _content_sid(cls, value: str | None) -> str | None:
        """A Content template id is HX and 32 hex digits (what `crisisbot whatsapp plantillas`
        prints); empty is unset. Raises ValueError(NOT_CONTENT_SID), said in one line by settings_errors."""
        value = (value or "").strip()
        if not value:
            return None
        if not CONTENT_SID.fullmatch(value):
            raise ValueError(NOT_CONTENT_SID)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def inbox_path(self) -> Path:
        """The inbox's directory (see `inbox_dir`)."""
        if self.inbox_dir is not None:
            return self.inbox_dir
        scheme, _, path = self.database_url.partition(":///")
        if scheme.startswith("sqlite") and path not in ("", ":memory:"):
            return Path(path).parent / "inbox"
        return Path("inbox")

    @property
    def lang(self) -> str:
        """The company group's language."""
        return self.crisisbot_lang

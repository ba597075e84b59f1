"""Settings from the environment or `.env` (pydantic-settings). Secrets never have defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///crisisbot.db"
    playbook: Path = Path("playbooks/fullpyme_contingencia.yaml")
    directory: Path = Path("playbooks/directory.example.yaml")
    # Language of the company group's messages (each person has their own). Not `LANG`:
    # that is the system locale.
    crisisbot_lang: Literal["es", "en"] = "es"
    port: int = 8000
    log_level: str = "INFO"
    outbox_max_attempts: int = 8
    # Deliveries at once in `crisisbot serve` (to different people; one person's stay in
    # order). Slack limits posting per channel, and each person's DM is its own channel.
    outbox_concurrency: int = Field(default=16, ge=1, le=64)
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
    twilio_messages_per_second: float = 10.0  # the sender's throughput; the transport paces itself
    # Content template ids (HX...), made by `crisisbot whatsapp plantillas`. Without them the
    # bot sends numbered text, and cannot reach people outside WhatsApp's 24-hour window.
    twilio_content_notice: str | None = None  # approved text template: any message, out of the window
    twilio_content_task: str | None = None  # approved quick reply: Lo tomo / Hecho / No puedo
    twilio_content_buttons_1: str | None = None  # session quick replies with 1, 2 and 3 buttons
    twilio_content_buttons_2: str | None = None
    twilio_content_buttons_3: str | None = None
    # The web dashboard (handlers/web): how long a personal link from the bot («panel») opens
    # it, and how long the session it starts lasts in that browser.
    panel_link_minutes: int = 120
    panel_session_hours: int = 12
    # Slack (handlers/slack): on when the bot token and the signing secret (HTTP) or the app
    # token (Socket Mode) are set.
    slack_bot_token: SecretStr | None = None  # xoxb-...
    slack_signing_secret: SecretStr | None = None  # checks every request to POST /slack/events
    slack_app_token: SecretStr | None = None  # xapp-...: Socket Mode, no public URL needed
    slack_crisis_channel: str | None = None  # the company group's channel id (C0123...)
    # Slack's Web API, or a Slack-compatible gateway / local fake.
    slack_api_url: str = "https://slack.com/api/"

    @property
    def lang(self) -> str:
        """The company group's language."""
        return self.crisisbot_lang
